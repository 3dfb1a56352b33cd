import { gunzipSync, gzipSync } from 'node:zlib';
import {
  CloudWatchLogsDecodeError,
  decodeCloudWatchLogsData,
  type CloudWatchLogsData,
} from '../../packages/runtime/src/cloudwatch-logs';
import {
  createApacheLogTransform,
  parseWebLogLine,
  toWebLogJson,
  toWebLogRow,
  WEB_LOG_COLUMNS,
} from '../../packages/runtime/src/apache-log';
import {
  compileRowCoercer,
  processFirehoseRecords,
  type FirehoseTransformationEvent,
} from '../../packages/runtime/src/firehose-transform';
import { handler } from '../../lambda/reference-transform';
import { loadLogLines, loadSampleEvent } from '../support/fixtures';

/** The SAM CLI's Firehose event for a CloudWatch Logs subscription (real records, gzip + base64). */
function samEvent(): FirehoseTransformationEvent {
  const template = JSON.stringify(
    loadSampleEvent(
      'aws-sam-cli__generated_sample_events-kinesis__KinesisFirehoseCloudwatchLogsProcessor.template.json',
    ),
  );
  return JSON.parse(
    template.replace(/\{\{\{region\}\}\}/g, 'us-east-1').replace(/\{\{\{(partition|account_id)\}\}\}/g, 'x'),
  ) as FirehoseTransformationEvent;
}
const rowsOf = (data: string) =>
  Buffer.from(data, 'base64')
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A DATA_MESSAGE as CloudWatch Logs writes it, holding these log lines. */
function subscriptionRecord(messages: string[], logStream = 'i-0abc/access_log', logGroup = '/web/apache'): Buffer {
  const data: CloudWatchLogsData = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup,
    logStream,
    subscriptionFilters: ['to-firehose'],
    logEvents: messages.map((message, i) => ({ id: `3680${i}`, timestamp: 1700000000000 + i, message })),
  };
  return gzipSync(JSON.stringify(data));
}

describe('decodeCloudWatchLogsData on the AWS sample records', () => {
  test('one control message and three data messages with three events each', () => {
    const decoded = samEvent().records.map((r) => decodeCloudWatchLogsData(Buffer.from(r.data, 'base64')));
    expect(decoded.map((d) => d.messageType)).toEqual([
      'CONTROL_MESSAGE',
      'DATA_MESSAGE',
      'DATA_MESSAGE',
      'DATA_MESSAGE',
    ]);
    expect(decoded[1]).toMatchObject({
      owner: '263868185958',
      logGroup: 'copy-cwl-lambda-invoke-input-1510254365531-LogGroup-17Q1WBYO69X0L',
      logStream: 'copy-cwl-lambda-invoke-input-1510254365531-LogStream1-18OE12E2F8CE7',
      logEvents: [
        {
          id: '33679800144697422554415395414062324420037086717597843456',
          timestamp: 1510254471089,
          message: '8499846a-88c1-4fb3-bfca-117ec023c5c3',
        },
        expect.anything(),
        expect.anything(),
      ],
    });
    // the same bytes decode the same way from a Kinesis record, or as already-decompressed JSON
    const raw = Buffer.from(samEvent().records[1].data, 'base64');
    expect(decodeCloudWatchLogsData(gunzipSync(raw).toString('utf8'))).toEqual(decoded[1]);
  });

  test.each([
    ['gzip that is not JSON', gzipSync('hello'), /CloudWatch Logs data is not JSON/],
    ['truncated gzip', subscriptionRecord(['x']).subarray(0, 20), /not valid gzip/],
    [
      'JSON of another shape',
      gzipSync('{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","logEvents":[{"id":1}]}'),
      /logEvents\[0\] is not/,
    ],
    ['an unknown message type', gzipSync('{"messageType":"OTHER"}'), /messageType is "OTHER"/],
  ])('%s is refused with a reason', (_name, bytes, reason) => {
    expect(() => decodeCloudWatchLogsData(bytes)).toThrow(CloudWatchLogsDecodeError);
    expect(() => decodeCloudWatchLogsData(bytes)).toThrow(reason);
  });

  test('a gzip bomb is refused before it fills the memory', () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100_000);
    expect(() => decodeCloudWatchLogsData(bomb)).toThrow(/decompresses to more than 16777216 bytes/);
  });
});

describe('the reference transform on CloudWatch Logs records', () => {
  test('the AWS sample event: the control message is Dropped, each log event becomes a row with its log group and stream', async () => {
    const event = samEvent();
    const response = await handler(event);
    expect(response.records.map((r) => r.result)).toEqual(['Dropped', 'Ok', 'Ok', 'Ok']);
    const rows = rowsOf(response.records[1].data);
    expect(rows).toHaveLength(3);
    // The sample's messages are UUIDs, not web log lines: kept whole, at the event's time.
    expect(rows[0]).toEqual({
      log_type: 'unparsed',
      event_time: '2017-11-09 19:07:51.089',
      message: '8499846a-88c1-4fb3-bfca-117ec023c5c3',
      log_group: 'copy-cwl-lambda-invoke-input-1510254365531-LogGroup-17Q1WBYO69X0L',
      log_stream: 'copy-cwl-lambda-invoke-input-1510254365531-LogStream1-18OE12E2F8CE7',
      parse_error: expect.stringMatching(/^not an access line/),
    });
  });

  test('Apache lines shipped through CloudWatch Logs become the same rows, plus log group and stream', async () => {
    const lines = loadLogLines('crowdsecurity__hub__.tests__apache2-logs__apache2-logs.log');
    const event = {
      invocationId: 'i',
      records: [{ recordId: 'a', data: subscriptionRecord(lines).toString('base64') }],
    };
    const viaCwl = await processFirehoseRecords(event, createApacheLogTransform(), { columns: WEB_LOG_COLUMNS });
    const direct = await processFirehoseRecords(
      { invocationId: 'i', records: [{ recordId: 'a', data: Buffer.from(lines.join('\n')).toString('base64') }] },
      createApacheLogTransform(),
      { columns: WEB_LOG_COLUMNS },
    );
    const cwlRows = rowsOf(viaCwl.response.records[0].data);
    expect(cwlRows).toEqual(
      rowsOf(direct.response.records[0].data).map((row) => ({
        ...row,
        log_group: '/web/apache',
        log_stream: 'i-0abc/access_log',
      })),
    );
    expect(cwlRows.map((r) => r.log_type)).toEqual([...Array(7).fill('access'), 'error', 'error']);
    // and with row objects (as with partition keys) the rows are the same
    const asRows = await processFirehoseRecords(event, createApacheLogTransform({ rows: true }), {
      coercer: compileRowCoercer(WEB_LOG_COLUMNS, { omitNulls: true }),
    });
    expect(rowsOf(asRows.response.records[0].data)).toEqual(cwlRows);
  });

  test('the direct JSON writer equals coercing the row for CloudWatch Logs events too', () => {
    const source = {
      data: decodeCloudWatchLogsData(subscriptionRecord(['x'], 'stream "quoted"')),
      event: { id: '1', timestamp: 1700000000000, message: 'x' },
      index: 0,
    };
    const coercer = compileRowCoercer(WEB_LOG_COLUMNS, { omitNulls: true });
    for (const line of [
      ...loadLogLines('crowdsecurity__hub__.tests__apache2-logs__apache2-logs.log'),
      ...loadLogLines('crowdsecurity__hub__.tests__sshd-logs__sshd-logs.log').slice(0, 3),
    ]) {
      const parsed = parseWebLogLine(line);
      expect(toWebLogJson(parsed, source)).toBe(coercer.toJson(toWebLogRow(parsed, source)));
    }
  });

  test('one log event that fails fails the whole record, naming the event; the record keeps its gzip bytes', async () => {
    const data = subscriptionRecord(['ok line', 'bad line']).toString('base64');
    const report = await processFirehoseRecords({ invocationId: 'i', records: [{ recordId: 'a', data }] }, (text) => {
      if (text === 'bad line') throw new Error('cannot read it');
      return { message: text };
    });
    expect(report.response.records).toEqual([{ recordId: 'a', result: 'ProcessingFailed', data }]);
    expect(report.failures[0].reason).toBe('log event 1 (id 36801): cannot read it');
  });

  test("cloudWatchLogs: 'off' leaves gzip records to the UTF-8 rule (ProcessingFailed, with the reason)", async () => {
    const report = await processFirehoseRecords(samEvent(), (text) => ({ message: text }), { cloudWatchLogs: 'off' });
    expect(report.counts.failed).toBe(4);
    expect(report.failures[0].reason).toMatch(/gzip-compressed/);
  });
});

describe('CloudWatch Logs records that would expand past what a response can hold', () => {
  const line = '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 1';

  test('log group and stream names longer than CloudWatch Logs allows (512) fail the record, naming the field', async () => {
    const ok = subscriptionRecord([line], 's'.repeat(512), 'g'.repeat(512)).toString('base64');
    const longGroup = subscriptionRecord([line], 's', 'g'.repeat(513)).toString('base64');
    const longStream = subscriptionRecord([line], 's'.repeat(50_000)).toString('base64');
    const report = await processFirehoseRecords(
      {
        invocationId: 'i',
        records: [
          { recordId: 'ok', data: ok },
          { recordId: 'group', data: longGroup },
          { recordId: 'stream', data: longStream },
        ],
      },
      createApacheLogTransform(),
    );
    expect(report.response.records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed', 'ProcessingFailed']);
    expect(report.failures.map((f) => f.reason)).toEqual([
      'not a CloudWatch Logs subscription message: logGroup has 513 characters; CloudWatch Logs allows at most 512',
      'not a CloudWatch Logs subscription message: logStream has 50000 characters; CloudWatch Logs allows at most 512',
    ]);
    // An event larger than PutLogEvents takes (1 MB) is not CloudWatch Logs' either.
    expect(() => decodeCloudWatchLogsData(gunzipSync(subscriptionRecord(['x'.repeat(1_048_577)])).toString())).toThrow(
      'not a CloudWatch Logs subscription message: logEvents[0].message has 1048577 characters; a CloudWatch Logs event holds at most 1048576 bytes',
    );
    expect(decodeCloudWatchLogsData(subscriptionRecord(['x'.repeat(1_048_576)])).logEvents).toHaveLength(1);
    // Only data messages carry rows: a control message is dropped whatever its names.
    const control = {
      messageType: 'CONTROL_MESSAGE',
      owner: 'x',
      logGroup: 'g'.repeat(600),
      logStream: '',
      logEvents: [],
    };
    expect(decodeCloudWatchLogsData(JSON.stringify(control)).messageType).toBe('CONTROL_MESSAGE');
  });

  test('a record whose rows outgrow the response fails as soon as they do, and the other records are answered', async () => {
    // 512-character group and stream on each of 6,000 one-character events: each row carries
    // both (about 1.2 KB), 7 MB of rows from 50 KB of gzip. The rows stop growing once they pass
    // what a 6 MiB response can hold; the invocation still answers every record.
    const big = subscriptionRecord(Array(6_000).fill('x'), 's'.repeat(512), 'g'.repeat(512)).toString('base64');
    const small = subscriptionRecord([line]).toString('base64');
    const report = await processFirehoseRecords(
      {
        invocationId: 'i',
        records: [
          { recordId: 'big', data: big },
          { recordId: 'small', data: small },
        ],
      },
      createApacheLogTransform(),
    );
    expect(report.response.records.map((r) => [r.recordId, r.result])).toEqual([
      ['big', 'ProcessingFailed'],
      ['small', 'Ok'],
    ]);
    expect(report.response.records[0].data).toBe(big);
    expect(report.failures[0].reason).toMatch(
      /^response size limit: the rows of this record's first \d+ of 6000 log events are larger than the response can hold$/,
    );
  });
});
