import { dedupeByIdempotencyKey, idempotencyKey, parseFailureDocument } from '../../packages/runtime/src/redrive';
import type { QuarantineRecord } from '../../packages/runtime/src/quarantine/quarantine-record';
import * as codec from '../../packages/runtime/src/quarantine/sqs-message-codec';
import { loadSampleEvent, readFixture } from '../support/fixtures';

const S3_FORM = 'localstack-snapshot-EXTRACTED__kinesis-onfailure__s3-object-RetryAttemptsExhausted-with-payload.json';
const SQS_FORM = 'localstack-snapshot-EXTRACTED__kinesis-onfailure__sqs-body-RetryAttemptsExhausted.json';
const SQS_AGE_FORM = 'localstack-snapshot-EXTRACTED__kinesis-onfailure__sqs-body-RecordAgeExceeded-before-invoke.json';
const SNS_FORM = 'localstack-snapshot-EXTRACTED__kinesis-onfailure__sns-message-RetryAttemptsExhausted.json';

const quarantined: QuarantineRecord = {
  version: 1,
  reason: 'PoisonRecordError',
  error: { name: 'SyntaxError', message: 'Unexpected token' },
  streamArn: 'arn:aws:kinesis:eu-west-1:111111111111:stream/orders',
  shardId: 'shardId-000000000001',
  sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
  subSequenceNumber: 3,
  partitionKey: 'user-7',
  explicitHashKey: '123',
  approximateArrivalTimestamp: '2024-01-01T00:00:00.000Z',
  quarantinedAt: '2024-01-01T00:01:00.000Z',
  data: Buffer.from([0, 1, 2, 255]).toString('base64'),
};

describe('on-failure records (real AWS shapes)', () => {
  test('S3 form: the payload records are replayed as they were, keyed by their origin', () => {
    const plan = parseFailureDocument(readFixture('aws-sample-events', S3_FORM), 's3://b/k');
    expect(plan.ranges).toEqual([]);
    expect(plan.unrecognized).toEqual([]);
    expect(plan.records).toHaveLength(1);
    const [record] = plan.records;
    expect(Buffer.from(record.data).toString()).toBe('{"input": "hello", "value": "world", "raise_error": 1}');
    expect(record.partitionKey).toBe('custom');
    expect(record.origin).toEqual({
      streamArn: 'arn:<partition>:kinesis:<region>:111111111111:stream/<resource:2>',
      shardId: '<kinesis-shard-id>',
      sequenceNumber: '<sequence-number:1>',
    });
    expect(record.idempotencyKey).toBe(
      'arn:<partition>:kinesis:<region>:111111111111:stream/<resource:2>/<kinesis-shard-id>/<sequence-number:1>',
    );
  });

  test.each([SQS_FORM, SQS_AGE_FORM, SNS_FORM])('%s: metadata only, so a range to read back', (file) => {
    const plan = parseFailureDocument(loadSampleEvent(file));
    expect(plan.records).toEqual([]);
    expect(plan.ranges).toEqual([
      {
        streamArn: 'arn:<partition>:kinesis:<region>:111111111111:stream/<resource:2>',
        shardId: 'shardId-000000000000',
        startSequenceNumber: '<start-sequence-number:1>',
        endSequenceNumber: '<start-sequence-number:1>',
        batchSize: 1,
        source: 'document',
      },
    ]);
  });

  test('inside an SQS Lambda event, an SNS Lambda event and an SNS notification delivered to SQS', () => {
    const body = readFixture('aws-sample-events', SQS_FORM);
    const sqsEvent = {
      Records: [
        { eventSource: 'aws:sqs', messageId: 'm-1', body },
        { eventSource: 'aws:sqs', messageId: 'm-2', body: 'nope' },
      ],
    };
    const sqsPlan = parseFailureDocument(sqsEvent);
    expect(sqsPlan.ranges).toHaveLength(1);
    expect(sqsPlan.unrecognized).toEqual([{ source: 'sqs:m-2', reason: 'not JSON' }]);

    const message = readFixture('aws-sample-events', SNS_FORM);
    const snsEvent = { Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'n-1', Message: message } }] };
    expect(parseFailureDocument(snsEvent).ranges).toHaveLength(1);
    expect(parseFailureDocument({ Type: 'Notification', Message: message }).ranges).toHaveLength(1);
  });

  test('a KinesisBatchInfo without sequence numbers is reported, not guessed', () => {
    const plan = parseFailureDocument({ KinesisBatchInfo: { shardId: 's' } }, 'sqs:x');
    expect(plan.unrecognized).toEqual([
      { source: 'sqs:x', reason: 'KinesisBatchInfo lacks streamArn, startSequenceNumber, endSequenceNumber' },
    ]);
  });
});

describe('quarantine records', () => {
  test('replayed byte for byte with partition key, explicit hash key and sub-sequence in the key', () => {
    const plan = parseFailureDocument(JSON.stringify(quarantined));
    expect(plan.records).toHaveLength(1);
    const [record] = plan.records;
    expect([...record.data]).toEqual([0, 1, 2, 255]);
    expect(record.partitionKey).toBe('user-7');
    expect(record.explicitHashKey).toBe('123');
    expect(record.idempotencyKey).toBe(`${quarantined.streamArn}/shardId-000000000001/${quarantined.sequenceNumber}/3`);
  });

  test('an SQS event of quarantine records', () => {
    const event = {
      Records: [1, 2].map((n) => ({
        eventSource: 'aws:sqs',
        messageId: `q${n}`,
        body: JSON.stringify({ ...quarantined, subSequenceNumber: n }),
      })),
    };
    expect(parseFailureDocument(event).records.map((r) => r.origin?.subSequenceNumber)).toEqual([1, 2]);
  });

  test("SQS quarantine bodies are read with the sink's codec: characters SQS refuses come back exactly", () => {
    // U+FFFE, U+FFFF and unpaired surrogates, which SQS rejects in a body (API_SendMessage).
    const partitionKey = 'user-\uFFFE-\uFFFF-\uD800-\uDC00';
    const body = codec.encodeQuarantineMessage({
      ...quarantined,
      partitionKey,
      error: { name: 'SyntaxError', message: 'bad \uDBFF payload' },
    });
    expect(codec.isSqsSafe(body)).toBe(true);
    const decode = jest.spyOn(codec, 'decodeQuarantineMessage');
    try {
      const plan = parseFailureDocument({ Records: [{ eventSource: 'aws:sqs', messageId: 'q1', body }] });
      expect(decode).toHaveBeenCalledWith(body);
      expect(plan.unrecognized).toEqual([]);
      expect(plan.records.map((r) => [r.partitionKey, [...r.data], r.source])).toEqual([
        [partitionKey, [0, 1, 2, 255], 'sqs:q1'],
      ]);
      // A broken body is reported with the codec's reason.
      const broken = parseFailureDocument(JSON.stringify({ ...quarantined, data: '@@@@' }), 'sqs:q2');
      expect(broken.unrecognized).toEqual([{ source: 'sqs:q2', reason: 'quarantine record data is not base64' }]);
    } finally {
      decode.mockRestore();
    }
  });

  test('other JSON is reported as unrecognized', () => {
    expect(parseFailureDocument({ hello: 'world' }, 's3://b/x').unrecognized).toEqual([
      { source: 's3://b/x', reason: 'neither a Kinesis on-failure record nor a quarantine record' },
    ]);
    expect(parseFailureDocument([1], 'f').unrecognized[0].reason).toBe('not a JSON object');
  });
});

test('idempotency keys: the same record through any document gets the same key; dedupe keeps the first', () => {
  const origin = { streamArn: 'arn', shardId: 's', sequenceNumber: '1' };
  expect(idempotencyKey(origin)).toBe('arn/s/1');
  expect(idempotencyKey({ ...origin, subSequenceNumber: 0 })).toBe('arn/s/1/0');
  const records = [
    { idempotencyKey: 'a', n: 1 },
    { idempotencyKey: 'b', n: 2 },
    { idempotencyKey: 'a', n: 3 },
  ];
  expect(dedupeByIdempotencyKey(records).map((r) => r.n)).toEqual([1, 2]);
});

describe('nothing guessed, nothing merged', () => {
  /** The real S3 on-failure object with its payload records replaced. */
  function s3Document(records: Record<string, unknown>[]): string {
    const document = loadSampleEvent<{ payload: { Records: Record<string, unknown>[] } }>(S3_FORM);
    const template = document.payload.Records[0];
    document.payload.Records = records.map((kinesis) => ({
      ...template,
      kinesis: { ...(template.kinesis as object), ...kinesis },
    }));
    return JSON.stringify(document);
  }

  test('records without a sequence number are keyed by content and position, never merged', () => {
    const data = Buffer.from('same bytes').toString('base64');
    const document = s3Document([
      { sequenceNumber: undefined, partitionKey: 'a', data },
      { sequenceNumber: undefined, partitionKey: 'a', data },
    ]);
    const plan = parseFailureDocument(document, 's3://b/k');
    expect(plan.unrecognized).toEqual([]);
    expect(plan.records).toHaveLength(2);
    const keys = plan.records.map((r) => r.idempotencyKey);
    expect(keys[0]).toMatch(/^content\/[0-9a-f]{64}$/);
    expect(keys[0]).not.toBe(keys[1]);
    expect(plan.records[0].origin).toBeUndefined();
    // The same document read again: the same keys, so a ledger still makes a rerun a no-op.
    expect(parseFailureDocument(document, 's3://b/k').records.map((r) => r.idempotencyKey)).toEqual(keys);
    expect(dedupeByIdempotencyKey(plan.records)).toHaveLength(2);
  });

  test('a payload record without a partition key, or with data that is not base64, is reported, not replayed', () => {
    const plan = parseFailureDocument(
      s3Document([
        { partitionKey: undefined, sequenceNumber: '1' },
        { partitionKey: '', sequenceNumber: '2' },
        { partitionKey: 'k', sequenceNumber: '3', data: 'eyJ*garbled' },
        { partitionKey: 'k', sequenceNumber: '4', data: 'aGk' },
        { partitionKey: 'k'.repeat(257), sequenceNumber: '5' },
        { partitionKey: 'ok', sequenceNumber: '6' },
      ]),
      's3://b/k',
    );
    expect(plan.unrecognized).toEqual([
      { source: 's3://b/k#0', reason: 'payload record has no partition key' },
      { source: 's3://b/k#1', reason: 'payload record has no partition key' },
      { source: 's3://b/k#2', reason: 'payload record data is not base64' },
      { source: 's3://b/k#3', reason: 'payload record data is not base64' },
      { source: 's3://b/k#4', reason: 'payload record partition key has 257 characters, more than 256' },
    ]);
    expect(plan.records.map((r) => r.partitionKey)).toEqual(['ok']);
  });

  test('a broken quarantine record is reported with what is wrong', () => {
    const broken = (fields: Record<string, unknown>) =>
      parseFailureDocument({ ...quarantined, ...fields }, 'q').unrecognized.map((u) => u.reason);
    expect(broken({ partitionKey: undefined })).toEqual(['quarantine record has no partition key']);
    expect(broken({ data: '@@@@' })).toEqual(['quarantine record data is not base64']);
    expect(broken({ sequenceNumber: '' })).toEqual(['quarantine record lacks sequenceNumber']);
    expect(broken({ subSequenceNumber: 'x' })).toEqual(['quarantine record subSequenceNumber is not an integer']);
  });
});
