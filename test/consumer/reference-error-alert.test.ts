import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, ScheduledEvent } from 'aws-lambda';
import fc from 'fast-check';
import {
  type AlertDependencies,
  consumeBatch,
  flushWindows,
  GRACE_MS,
  type WindowStore,
} from '../../lambda/reference-error-alert/alert-handler';
import {
  type Alert,
  type AlertWindow,
  buildWindowAlert,
  closedWindowStarts,
  contributionOf,
  MAX_SAMPLE_CHARACTERS,
  type WindowContribution,
  windowStartOf,
} from '../../lambda/reference-error-alert/alert-window';
import { classifyLogLine, type ErrorLine, logLinesOf } from '../../lambda/reference-error-alert/error-lines';
import { AlertWindowStore } from '../../lambda/reference-error-alert/window-store';
import { loadLogLines } from '../support/fixtures';
import { kinesisEvent, sequenceNumberAt } from './support/kinesis-events';
import { apacheTime, logLineEvent } from './support/log-events';

const CROWDSEC = 'crowdsecurity__hub__.tests__apache2-logs__apache2-logs.log';
const ELASTIC = 'elastic__examples__Common_Data_Formats__apache_logs__apache_logs';
const ERROR_LOG = 'elastic__beats__filebeat__module__apache__error__test__test.log';
const MINUTE = 60_000;
const FIVE_MINUTES = 5 * MINUTE;

beforeAll(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});
afterAll(() => {
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.POWERTOOLS_LOG_LEVEL;
});

describe('classifyLogLine on real logs', () => {
  test('the HTTP 500 and error-log lines of the crowdsec Apache log are found, nothing else', () => {
    const errors = loadLogLines(CROWDSEC).flatMap((l) => classifyLogLine(l) ?? []);
    expect(errors.map((e) => e.summary)).toEqual([
      '500 GET /',
      '500 GET /',
      '500 GET /solr/admin/info/system',
      '500 GET /solr/admin/info/system (www.crowdsec.net)',
      '500 POST /login',
      '[error] AH01618 user sss not found: /',
    ]);
    expect(new Date(errors[0].timestampMillis).toISOString()).toBe('2020-06-08T06:49:01.000Z');
    expect(loadLogLines(CROWDSEC)).toContain(errors[0].line);
  });

  test('1,348 lines without 5xx give no alert', () => {
    const lines = loadLogLines(ELASTIC);
    expect(lines.length).toBeGreaterThan(1000);
    expect(lines.filter((l) => classifyLogLine(l))).toEqual([]);
  });

  test('error-log lines at error level alert, notice does not', () => {
    const errors = loadLogLines(ERROR_LOG).flatMap((l) => classifyLogLine(l) ?? []);
    expect(errors.map((e) => [e.kind, e.summary])).toEqual([
      ['error-log', '[error] File does not exist: /var/www/favicon.ico'],
      ['error-log', '[error] File does not exist: /usr/local/apache2/htdocs/favicon.ico'],
    ]);
  });

  test('a record may carry several lines', () => {
    expect(logLinesOf('a\r\nb\n\n c \n')).toEqual(['a', 'b', ' c ']);
  });
});

describe('alert windows', () => {
  const error = (i: number, kind: ErrorLine['kind'] = 'http-5xx'): ErrorLine => ({
    kind,
    timestampMillis: Date.UTC(2026, 0, 1, 0, i),
    summary: `503 GET /${i}`,
    line: `line ${i}`,
  });

  test('tumbling windows aligned to the clock', () => {
    const t = Date.UTC(2026, 0, 1, 10, 7, 42);
    expect(new Date(windowStartOf(t, FIVE_MINUTES)).toISOString()).toBe('2026-01-01T10:05:00.000Z');
  });

  test('a window is closed once it ended more than the grace period ago', () => {
    const iso = (starts: number[]): string[] => starts.map((s) => new Date(s).toISOString().slice(11, 16));
    // 10:05:30: 10:00-10:05 ended 30 s ago, within the 60 s grace: not yet. Looking back 20
    // minutes, to 09:45:30: the window of 09:45 started before that.
    expect(iso(closedWindowStarts(Date.UTC(2026, 0, 1, 10, 5, 30), FIVE_MINUTES, GRACE_MS, 20 * MINUTE))).toEqual([
      '09:55',
      '09:50',
    ]);
    expect(iso(closedWindowStarts(Date.UTC(2026, 0, 1, 10, 6, 0), FIVE_MINUTES, GRACE_MS, 20 * MINUTE))).toEqual([
      '10:00',
      '09:55',
      '09:50',
    ]);
  });

  test("a batch's contribution: counts per kind, its first and last lines", () => {
    expect(contributionOf([])).toBeUndefined();
    expect(contributionOf([error(1), error(2, 'error-log'), error(3)])).toEqual({
      errorLines: 3,
      http5xx: 2,
      errorLog: 1,
      firstLine: 'line 1',
      lastLine: 'line 3',
    });
  });

  test('the message fits SNS (256 KiB, subject ASCII under 100 characters) even with huge lines', () => {
    const huge = { ...error(0), line: `x\uFFFF${'x'.repeat(1024 * 1024)}` };
    const contribution = contributionOf([huge, huge])!;
    expect(contribution.firstLine.length).toBe(MAX_SAMPLE_CHARACTERS + 1);
    const alert = buildWindowAlert(
      {
        ...contribution,
        errorLines: 123_456_789,
        windowStart: Date.UTC(2026, 0, 1, 10, 5),
        stream: `arn:aws:kinesis:us-east-1:1:stream/${'s'.repeat(128)}`,
      },
      FIVE_MINUTES,
    );
    expect(Buffer.byteLength(alert.message)).toBeLessThanOrEqual(256 * 1024);
    expect(alert.subject.length).toBeLessThan(100);
    expect(alert.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(alert.message).toContain('between 2026-01-01T10:05:00.000Z and 2026-01-01T10:10:00.000Z');
  });
});

/** DynamoDB's conditional semantics, in memory. */
class InMemoryWindowStore implements WindowStore {
  public readonly items = new Map<string, AlertWindow & { sentAt?: string }>();
  private static key(windowStart: number, stream: string): string {
    return `${windowStart}|${stream}`;
  }
  async add(windowStart: number, stream: string, c: WindowContribution): Promise<boolean> {
    const key = InMemoryWindowStore.key(windowStart, stream);
    const item = this.items.get(key);
    if (item?.sentAt) return false;
    this.items.set(key, {
      windowStart,
      stream,
      errorLines: (item?.errorLines ?? 0) + c.errorLines,
      http5xx: (item?.http5xx ?? 0) + c.http5xx,
      errorLog: (item?.errorLog ?? 0) + c.errorLog,
      firstLine: item?.firstLine ?? c.firstLine,
      lastLine: c.lastLine,
    });
    return true;
  }
  async unsent(windowStart: number): Promise<AlertWindow[]> {
    return [...this.items.values()].filter((i) => i.windowStart === windowStart && !i.sentAt).map((i) => ({ ...i }));
  }
  async claim(window: AlertWindow, claimId: string): Promise<boolean> {
    const item = this.items.get(InMemoryWindowStore.key(window.windowStart, window.stream))!;
    if (item.sentAt || item.errorLines !== window.errorLines) return false;
    item.sentAt = claimId;
    return true;
  }
  async release(window: AlertWindow, claimId: string): Promise<void> {
    const item = this.items.get(InMemoryWindowStore.key(window.windowStart, window.stream))!;
    if (item.sentAt === claimId) delete item.sentAt;
  }
}

const STREAM_A = 'arn:aws:kinesis:us-east-1:123456789012:stream/web-logs';
const STREAM_B = 'arn:aws:kinesis:us-east-1:123456789012:stream/api-logs';

function deps(clock: { now: number }, published: Alert[] = [], store = new InMemoryWindowStore()) {
  return {
    store,
    published,
    publish: async (alert: Alert) => void published.push(alert),
    windowMs: FIVE_MINUTES,
    now: () => clock.now,
  } satisfies AlertDependencies & { published: Alert[] };
}

/** A batch of log lines: 5xx lines and plain 200s, all from one shard of `stream`. */
function batch(stream: string, fiveHundreds: number, at: Date, ok = 3): KinesisStreamEvent {
  const lines = [
    ...Array.from({ length: ok }, (_, i) => `10.0.0.${i} - - [${apacheTime(at)}] "GET /ok HTTP/1.1" 200 12`),
    ...Array.from(
      { length: fiveHundreds },
      (_, i) => `10.0.1.${i} - - [${apacheTime(at)}] "GET /api/${i} HTTP/1.1" 503 0`,
    ),
  ];
  const event = logLineEvent(lines);
  return { Records: event.Records.map((r) => ({ ...r, eventSourceARN: stream })) };
}

describe('error-alert consumer: aggregated per window', () => {
  test('a bad hour: hundreds of batches from two streams, at most one message per window and stream, every line counted', async () => {
    // Issue 13: one SNS message per batch that held a 5xx line flooded the on-call.
    const clock = { now: Date.UTC(2026, 0, 1, 10, 0, 0) };
    const d = deps(clock);
    let lines = 0;
    let batches = 0;
    for (let second = 0; second < 3600; second += 7) {
      clock.now = Date.UTC(2026, 0, 1, 10, 0, second);
      for (const stream of [STREAM_A, STREAM_B]) {
        const count = 1 + (second % 5);
        await consumeBatch(batch(stream, count, new Date(clock.now)), d);
        lines += count;
        batches++;
      }
      if (second % 60 < 7) await flushWindows(d, `flush-${second}`);
    }
    clock.now = Date.UTC(2026, 0, 1, 11, 2, 0);
    await flushWindows(d, 'last');
    expect(batches).toBeGreaterThan(1000);
    expect(d.published).toHaveLength(12 * 2);
    const keys = d.published.map((a) => a.subject.replace(/^\d+ error line\(s\) in /, ''));
    expect(new Set(keys).size).toBe(keys.length);
    const counted = d.published.reduce((n, a) => n + Number(/^(\d+) error line/.exec(a.subject)![1]), 0);
    expect(counted).toBe(lines);
    expect(d.published[0].message).toMatch(
      /First line:\n10\.0\.1\.0 - - \[01\/Jan\/2026:10:00:00 \+0000\] "GET \/api\/0/,
    );
  });

  test('no error lines, no window and no message', async () => {
    const clock = { now: Date.UTC(2026, 0, 1, 10, 0, 0) };
    const d = deps(clock);
    await consumeBatch(logLineEvent(loadLogLines(ELASTIC).slice(0, 200)), d);
    clock.now += 10 * MINUTE;
    expect(await flushWindows(d, 'f')).toBe(0);
    expect(d.store.items.size).toBe(0);
  });

  test('a window still open (or within the grace period) is not sent', async () => {
    const clock = { now: Date.UTC(2026, 0, 1, 10, 4, 0) };
    const d = deps(clock);
    await consumeBatch(batch(STREAM_A, 2, new Date(clock.now)), d);
    clock.now = Date.UTC(2026, 0, 1, 10, 5, 30);
    expect(await flushWindows(d, 'early')).toBe(0);
    clock.now = Date.UTC(2026, 0, 1, 10, 6, 1);
    expect(await flushWindows(d, 'on time')).toBe(1);
  });

  test('lines added after a window was sent go to the next window, not a second message', async () => {
    const clock = { now: Date.UTC(2026, 0, 1, 10, 4, 59) };
    const d = deps(clock);
    await consumeBatch(batch(STREAM_A, 1, new Date(clock.now)), d);
    clock.now = Date.UTC(2026, 0, 1, 10, 6, 30);
    await flushWindows(d, 'f1');
    // A late writer whose clock still says 10:04 finds the window sent.
    const late = deps({ now: Date.UTC(2026, 0, 1, 10, 4, 59) }, d.published, d.store);
    await consumeBatch(batch(STREAM_A, 4, new Date()), late);
    clock.now = Date.UTC(2026, 0, 1, 10, 11, 30);
    await flushWindows(d, 'f2');
    expect(d.published.map((a) => a.subject)).toEqual([
      '1 error line(s) in web-logs, 10:00-10:05 UTC',
      '4 error line(s) in web-logs, 10:05-10:10 UTC',
    ]);
  });

  test('a failed publish gives the window back and fails; the next flush sends it, once', async () => {
    const clock = { now: Date.UTC(2026, 0, 1, 10, 0, 0) };
    const d = deps(clock);
    await consumeBatch(batch(STREAM_A, 3, new Date(clock.now)), d);
    clock.now += 7 * MINUTE;
    const failing = { ...d, publish: async () => Promise.reject(new Error('Throttling')) };
    await expect(flushWindows(failing, 'f1')).rejects.toThrow('Throttling');
    expect(await flushWindows(d, 'f2')).toBe(1);
    expect(await flushWindows(d, 'f3')).toBe(0);
  });

  test('concurrent flushes send each window once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 5 }), async (flushes, windows) => {
        const clock = { now: Date.UTC(2026, 0, 1, 10, 0, 0) };
        const d = deps(clock);
        for (let w = 0; w < windows; w++) {
          clock.now = Date.UTC(2026, 0, 1, 10, 5 * w, 10);
          await consumeBatch(batch(STREAM_A, 1, new Date(clock.now)), d);
          await consumeBatch(batch(STREAM_B, 2, new Date(clock.now)), d);
        }
        clock.now += 10 * MINUTE;
        await Promise.all(Array.from({ length: flushes }, (_, i) => flushWindows(d, `flush-${i}`)));
        expect(d.published).toHaveLength(2 * windows);
      }),
      { numRuns: 30 },
    );
  });

  test('only lines below a reported failure count; the retried records count when they are delivered again', async () => {
    const clock = { now: Date.UTC(2026, 0, 1, 10, 0, 0) };
    const d = deps(clock);
    const at = apacheTime(new Date(clock.now));
    const line = (path: string): string => `10.0.0.1 - - [${at}] "GET ${path} HTTP/1.1" 503 0`;
    const event = kinesisEvent(
      ['/a', '/b', '/c', '/d'].map((path, i) => ({
        partitionKey: `k${i}`,
        data: Buffer.from(line(path)),
        sequenceNumber: sequenceNumberAt(i),
      })),
    );
    // The invocation runs out of time after two records: the toolkit reports the third.
    let calls = 0;
    const context = { getRemainingTimeInMillis: () => (calls++ < 3 ? 60_000 : 1000) };
    const response = await consumeBatch(event, d, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumberAt(2) }]);
    expect([...d.store.items.values()].map((w) => [w.errorLines, w.lastLine])).toEqual([[2, line('/b')]]);
    await consumeBatch({ Records: event.Records.slice(2) }, d);
    expect([...d.store.items.values()].map((w) => [w.errorLines, w.lastLine])).toEqual([[4, line('/d')]]);
  });
});

describe('AlertWindowStore (DynamoDB)', () => {
  const ddb = mockClient(DynamoDBClient);
  beforeEach(() => ddb.reset());
  const store = new AlertWindowStore(new DynamoDBClient({ region: 'us-east-1' }), 'windows', 172_800);
  const window: AlertWindow = {
    windowStart: Date.UTC(2026, 0, 1, 10, 0),
    stream: STREAM_A,
    errorLines: 3,
    http5xx: 2,
    errorLog: 1,
    firstLine: 'first',
    lastLine: 'last',
  };
  const conditionFailed = new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
  });

  test('add: counts added, the first line kept, refused once the window was sent', async () => {
    ddb.on(UpdateItemCommand).resolvesOnce({}).rejectsOnce(conditionFailed);
    expect(await store.add(window.windowStart, STREAM_A, window)).toBe(true);
    expect(await store.add(window.windowStart, STREAM_A, window)).toBe(false);
    const input = ddb.commandCalls(UpdateItemCommand)[0].args[0].input;
    expect(input).toMatchObject({
      TableName: 'windows',
      Key: { windowStart: { N: String(window.windowStart) }, stream: { S: STREAM_A } },
      ConditionExpression: 'attribute_not_exists(sentAt)',
    });
    expect(input.UpdateExpression).toMatch(/ADD errorLines :n, http5xx :h, errorLog :e/);
    expect(input.UpdateExpression).toMatch(/firstLine = if_not_exists\(firstLine, :first\)/);
    expect(input.ExpressionAttributeValues![':expires']).toEqual({ N: String(window.windowStart / 1000 + 172_800) });
  });

  test('unsent pages through the window; claim is conditional on not sent and unchanged counts', async () => {
    const item = {
      windowStart: { N: String(window.windowStart) },
      stream: { S: STREAM_A },
      errorLines: { N: '3' },
      http5xx: { N: '2' },
      errorLog: { N: '1' },
      firstLine: { S: 'first' },
      lastLine: { S: 'last' },
    };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [item], LastEvaluatedKey: { windowStart: item.windowStart, stream: item.stream } })
      .resolvesOnce({ Items: [{ ...item, stream: { S: STREAM_B } }] });
    expect((await store.unsent(window.windowStart)).map((w) => w.stream)).toEqual([STREAM_A, STREAM_B]);
    ddb.on(UpdateItemCommand).resolvesOnce({}).rejectsOnce(conditionFailed);
    expect(await store.claim(window, 'c1')).toBe(true);
    expect(await store.claim(window, 'c2')).toBe(false);
    expect(ddb.commandCalls(UpdateItemCommand)[0].args[0].input).toMatchObject({
      ConditionExpression: 'attribute_not_exists(sentAt) AND errorLines = :n',
      ExpressionAttributeValues: { ':claim': { S: 'c1' }, ':n': { N: '3' } },
    });
  });
});

describe('reference-error-alert handler (index.ts)', () => {
  const ddb = mockClient(DynamoDBClient);
  const sns = mockClient(SNSClient);
  let handler: (event: KinesisStreamEvent | ScheduledEvent) => Promise<KinesisStreamBatchResponse | void>;
  beforeAll(() => {
    process.env.ALERT_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:alerts';
    process.env.ALERT_WINDOWS_TABLE = 'windows';
    process.env.ALERT_WINDOW_SECONDS = '300';
    process.env.AWS_REGION = 'us-east-1';
    // Loaded after the environment is set: the handler reads it once, at load.
    handler = require('../../lambda/reference-error-alert').handler;
  });
  afterAll(() => {
    delete process.env.ALERT_TOPIC_ARN;
    delete process.env.ALERT_WINDOWS_TABLE;
    delete process.env.ALERT_WINDOW_SECONDS;
  });
  beforeEach(() => {
    ddb.reset();
    sns.reset();
  });

  test('a batch with error lines of real logs adds them to the window and sends nothing itself', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    const response = await handler(logLineEvent([...loadLogLines(CROWDSEC), ...loadLogLines(ERROR_LOG)]));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    const [update] = ddb.commandCalls(UpdateItemCommand);
    expect(update.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':n': { N: '8' },
      ':h': { N: '5' },
      ':e': { N: '3' },
    });
  });

  test('the scheduled event sends each closed window once, to the topic', async () => {
    const start = windowStartOf(Date.now() - GRACE_MS, FIVE_MINUTES) - FIVE_MINUTES;
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':w': { N: String(start) } } }).resolves({
      Items: [
        {
          windowStart: { N: String(start) },
          stream: { S: STREAM_A },
          errorLines: { N: '8' },
          http5xx: { N: '5' },
          errorLog: { N: '3' },
          firstLine: { S: 'first' },
          lastLine: { S: 'last' },
        },
      ],
    });
    ddb.on(UpdateItemCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: '1' });
    await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' } as ScheduledEvent);
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toMatchObject({
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      Subject: expect.stringMatching(/^8 error line\(s\) in web-logs, /),
    });
  });

  test('a failed publish fails the flush, so the window is retried, not lost', async () => {
    const start = windowStartOf(Date.now() - GRACE_MS, FIVE_MINUTES) - FIVE_MINUTES;
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':w': { N: String(start) } } }).resolves({
      Items: [{ windowStart: { N: String(start) }, stream: { S: STREAM_A }, errorLines: { N: '1' } }],
    });
    ddb.on(UpdateItemCommand).resolves({});
    sns.on(PublishCommand).rejects(new Error('Throttling'));
    await expect(handler({ source: 'aws.events' } as ScheduledEvent)).rejects.toThrow(/Throttling/);
    // Claimed, then given back.
    expect(ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input.UpdateExpression)).toEqual([
      'SET sentAt = :claim',
      'REMOVE sentAt',
    ]);
  });
});
