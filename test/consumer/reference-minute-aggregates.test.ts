import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { aggregateByMinute } from '../../lambda/reference-minute-aggregates/minute-aggregates';
import { type AccessLogEntry, parseAccessLogLine } from '../../packages/runtime/src/apache-log';
import { loadLogLines } from '../support/fixtures';
import { apacheTime, logLineEvent } from './support/log-events';

const ELASTIC = 'elastic__examples__Common_Data_Formats__apache_logs__apache_logs';
const CROWDSEC = 'crowdsecurity__hub__.tests__apache2-logs__apache2-logs.log';

function parsed(lines: readonly string[]): AccessLogEntry[] {
  return lines.flatMap((l) => {
    const r = parseAccessLogLine(l);
    return r.ok ? [r.value] : [];
  });
}

describe('aggregateByMinute on real logs', () => {
  test('every parsed request is counted once, in its own minute, oldest first', () => {
    const entries = parsed(loadLogLines(ELASTIC));
    const minutes = aggregateByMinute(entries);
    expect(minutes.reduce((n, m) => n + m.requests, 0)).toBe(entries.length);
    expect(minutes.reduce((n, m) => n + m.bytesSent, 0)).toBe(entries.reduce((n, e) => n + (e.bytes ?? 0), 0));
    expect(minutes.reduce((n, m) => n + m.clientErrors, 0)).toBe(
      entries.filter((e) => (e.status ?? 0) >= 400 && (e.status ?? 0) < 500).length,
    );
    for (let i = 1; i < minutes.length; i++)
      expect(minutes[i].minuteStartMillis).toBeGreaterThan(minutes[i - 1].minuteStartMillis);
    for (const m of minutes) expect(m.minuteStartMillis % 60_000).toBe(0);
  });

  test('server errors land in their minute', () => {
    const minutes = aggregateByMinute(parsed(loadLogLines(CROWDSEC)));
    const at = (iso: string) => minutes.find((m) => m.minuteStartMillis === Date.parse(iso));
    expect(at('2020-06-08T06:49:00Z')).toMatchObject({ requests: 2, serverErrors: 2 });
    expect(minutes.reduce((n, m) => n + m.serverErrors, 0)).toBe(5);
  });

  test('MaxLatency comes from %D when logged', () => {
    const line = (d: number) => `1.2.3.4 - - [22/Nov/2026:00:10:03 +0000] "GET / HTTP/1.1" 200 5 "-" "curl" ${d}`;
    const [minute] = aggregateByMinute(parsed([line(1500), line(250000)]));
    expect(minute.maxLatencyMillis).toBe(250);
    expect(aggregateByMinute(parsed(loadLogLines(CROWDSEC)))[0].maxLatencyMillis).toBeUndefined();
  });
});

describe('reference-minute-aggregates handler', () => {
  let handler: (event: KinesisStreamEvent, context?: Context) => Promise<KinesisStreamBatchResponse>;
  beforeAll(() => {
    process.env.AGGREGATES_NAMESPACE = 'Test/Traffic';
    process.env.AGGREGATES_SERVICE_NAME = 'aggregates';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    handler = require('../../lambda/reference-minute-aggregates').handler;
  });
  afterAll(() => {
    for (const k of ['AGGREGATES_NAMESPACE', 'AGGREGATES_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL']) delete process.env[k];
  });

  test('one EMF document per minute, stamped with the minute', async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    const lines = [
      `10.0.0.1 - - [${apacheTime(new Date(minute + 1000))}] "GET /a HTTP/1.1" 200 100`,
      `10.0.0.2 - - [${apacheTime(new Date(minute + 2000))}] "GET /b HTTP/1.1" 503 50`,
      `10.0.0.1 - - [${apacheTime(new Date(minute + 61_000))}] "GET /c HTTP/1.1" 404 10`,
      'not a log line',
    ];
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    let response: KinesisStreamBatchResponse;
    try {
      response = await handler(logLineEvent(lines));
    } finally {
      spy.mockRestore();
    }
    expect(response).toEqual({ batchItemFailures: [] });
    const docs = written
      .flatMap((w) => w.split('\n'))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l))
      .filter((d) => d._aws.CloudWatchMetrics[0].Namespace === 'Test/Traffic');
    expect(
      docs.map((d) => [d._aws.Timestamp, d.Requests, d.ServerErrors, d.ClientErrors, d.BytesSent, d.service]),
    ).toEqual([
      [minute, 2, 1, 0, 150, 'aggregates'],
      [minute + 60_000, 1, 0, 1, 10, 'aggregates'],
    ]);
  });

  test('passes its Lambda context to the toolkit, which stops before the timeout and leaves the batch for a retry', async () => {
    // Found by `npm run local`: without the context, processKinesisBatch cannot see the timeout
    // coming, and Lambda kills the invocation mid-batch instead.
    let calls = 0;
    const context = { getRemainingTimeInMillis: () => (calls++ === 0 ? 1000 : 0) } as unknown as Context;
    const line = `10.0.0.1 - - [${apacheTime(new Date())}] "GET /a HTTP/1.1" 200 100`;
    const outcome = await handler(logLineEvent([line, line]), context).then(
      (response) => response.batchItemFailures.length,
      () => 'invocation failed for a retry',
    );
    expect(outcome).not.toBe(0);
  });
});
