import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import {
  buildAlert,
  classifyLogLine,
  type ErrorLine,
  logLinesOf,
} from '../../lambda/reference-error-alert/error-lines';
import { loadLogLines } from '../support/fixtures';
import { logLineEvent } from './support/log-events';

const CROWDSEC = 'crowdsecurity__hub__.tests__apache2-logs__apache2-logs.log';
const ELASTIC = 'elastic__examples__Common_Data_Formats__apache_logs__apache_logs';
const ERROR_LOG = 'elastic__beats__filebeat__module__apache__error__test__test.log';

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

describe('buildAlert', () => {
  const error = (i: number, kind: ErrorLine['kind'] = 'http-5xx'): ErrorLine => ({
    kind,
    timestampMillis: Date.UTC(2026, 0, 1, 0, i),
    summary: `503 GET /${i}`,
  });

  test('nothing to say, no alert', () => {
    expect(buildAlert([], 'stream')).toBeUndefined();
  });

  test('counts per kind, time range and the first examples', () => {
    const alert = buildAlert(
      [...Array.from({ length: 12 }, (_, i) => error(i)), error(30, 'error-log')],
      'arn:stream',
      10,
    )!;
    expect(alert.subject).toBe('13 error line(s): 12 HTTP 5xx, 1 error log');
    expect(alert.message).toContain('between 2026-01-01T00:00:00.000Z and 2026-01-01T00:30:00.000Z');
    expect(alert.message).toContain('- 2026-01-01T00:09:00.000Z 503 GET /9');
    expect(alert.message).not.toContain('503 GET /10\n');
    expect(alert.message).toContain('… and 3 more');
  });

  test('the message fits SNS (256 KiB) even when the error lines are as long as a record', () => {
    const huge = (i: number): ErrorLine => ({
      ...error(i, 'error-log'),
      summary: `[error] ${'x'.repeat(1024 * 1024)}`,
    });
    const alert = buildAlert(
      Array.from({ length: 10 }, (_, i) => huge(i)),
      'arn:stream',
    )!;
    expect(Buffer.byteLength(alert.message)).toBeLessThanOrEqual(256 * 1024);
    expect(alert.message).toContain(`- 2026-01-01T00:00:00.000Z [error] ${'x'.repeat(100)}`);
  });

  test('the subject fits SNS (<= 100 characters)', () => {
    const many = Array.from({ length: 123456 }, (_, i) => error(i % 60));
    expect(buildAlert(many, 's')!.subject.length).toBeLessThanOrEqual(100);
  });
});

describe('reference-error-alert handler', () => {
  const snsMock = mockClient(SNSClient);
  let handler: (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>;
  beforeAll(() => {
    process.env.ALERT_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:alerts';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.AWS_REGION = 'us-east-1';
    // Loaded after the environment is set: the handler reads it once, at load.
    handler = require('../../lambda/reference-error-alert').handler;
  });
  afterAll(() => {
    delete process.env.ALERT_TOPIC_ARN;
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    delete process.env.POWERTOOLS_LOG_LEVEL;
  });
  beforeEach(() => snsMock.reset());

  test('one SNS message per batch with the error lines of real logs', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: '1' });
    const response = await handler(logLineEvent([...loadLogLines(CROWDSEC), ...loadLogLines(ERROR_LOG)]));
    expect(response).toEqual({ batchItemFailures: [] });
    const calls = snsMock.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toMatchObject({
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      Subject: '8 error line(s): 5 HTTP 5xx, 3 error log',
    });
  });

  test('no error lines, no message', async () => {
    await handler(logLineEvent(loadLogLines(ELASTIC).slice(0, 200)));
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  test('a failed publish fails the invocation, so Lambda retries and the alert is not lost', async () => {
    snsMock.on(PublishCommand).rejects(new Error('Throttling'));
    await expect(handler(logLineEvent(loadLogLines(CROWDSEC)))).rejects.toThrow(/Throttling/);
  });
});
