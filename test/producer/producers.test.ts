import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import {
  FirehoseProducer,
  KinesisProducer,
  PartitionKey,
  RecordTooLargeError,
} from '../../packages/runtime/src/producer';

const kinesisMock = mockClient(KinesisClient);
const firehoseMock = mockClient(FirehoseClient);
beforeEach(() => {
  kinesisMock.reset();
  firehoseMock.reset();
});
const noSleep = async () => undefined;
const bytes = (n: number) => new Uint8Array(n);

describe('PartitionKey', () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  test('field reads a nested JSON field; missing or non-JSON records fall back', () => {
    const strategy = PartitionKey.field('user.id', { fallback: PartitionKey.explicit('none') });
    expect(strategy.keyFor(enc('{"user":{"id":"u-1"}}'), 0)).toBe('u-1');
    expect(strategy.keyFor(enc('{"user":{"id":42}}'), 0)).toBe('42');
    expect(strategy.keyFor(enc('{"user":{}}'), 0)).toBe('none');
    expect(strategy.keyFor(enc('GET / HTTP/1.1'), 0)).toBe('none');
    expect(strategy.keyFor(enc('{"user":{"id":""}}'), 0)).toBe('none');
  });

  test('field truncates values longer than 256 characters', () => {
    const key = PartitionKey.field('k').keyFor(enc(JSON.stringify({ k: 'x'.repeat(300) })), 0);
    expect(key).toHaveLength(256);
  });

  test('random keys are distinct (high cardinality)', () => {
    const strategy = PartitionKey.random();
    const keys = new Set(Array.from({ length: 1000 }, (_, i) => strategy.keyFor(bytes(1), i)));
    expect(keys.size).toBe(1000);
  });

  test('explicit and field validate their input', () => {
    expect(() => PartitionKey.explicit('')).toThrow(/partitionKey must be between 1 and 256 characters. Received 0/);
    expect(() => PartitionKey.explicit('k'.repeat(257))).toThrow(/Received 257/);
    expect(() => PartitionKey.field('')).toThrow(/path must not be empty/);
    expect(PartitionKey.fromFunction((_d, i) => `n${i}`).keyFor(bytes(0), 3)).toBe('n3');
  });
});

describe('KinesisProducer', () => {
  test('sends PutRecords with the stream name, bytes and keys; strings as UTF-8', async () => {
    kinesisMock
      .on(PutRecordsCommand)
      .resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1', ShardId: 's' }] });
    const producer = new KinesisProducer({ client: new KinesisClient({}), streamName: 'orders' });
    await producer.put({ data: 'héllo', partitionKey: 'p', explicitHashKey: '42' });
    const report = await producer.flush();
    expect(report).toMatchObject({ recordsSent: 1, bytesSent: 6, requests: 1, unsent: [] });
    const input = kinesisMock.commandCalls(PutRecordsCommand)[0].args[0].input;
    expect(input.StreamName).toBe('orders');
    expect(input.Records).toEqual([
      { Data: new TextEncoder().encode('héllo'), PartitionKey: 'p', ExplicitHashKey: '42' },
    ]);
  });

  test('retries a KMS-throttled call and entries failed with InternalFailure; keeps AccessDenied out of retries', async () => {
    const kmsThrottled = Object.assign(new Error('KMS rate exceeded'), {
      name: 'KMSThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    kinesisMock
      .on(PutRecordsCommand)
      .rejectsOnce(kmsThrottled)
      .resolvesOnce({
        FailedRecordCount: 1,
        Records: [{ SequenceNumber: '1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' }],
      })
      .resolvesOnce({ FailedRecordCount: 0, Records: [{ SequenceNumber: '2' }] });
    const producer = new KinesisProducer({ client: new KinesisClient({}), streamName: 's', sleep: noSleep });
    await producer.putAll([{ data: 'a' }, { data: 'b' }]);
    const report = await producer.flush();
    expect(report).toMatchObject({ recordsSent: 2, requests: 3, throttledEntries: 2, retriedEntries: 3, unsent: [] });

    kinesisMock.reset();
    const denied = Object.assign(new Error('not authorized'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    kinesisMock.on(PutRecordsCommand).rejects(denied);
    const blocked = new KinesisProducer({ client: new KinesisClient({}), streamName: 's', sleep: noSleep });
    await blocked.put({ data: 'a' });
    expect((await blocked.flush()).unsent).toEqual([
      {
        record: expect.objectContaining({ data: 'a' }),
        errorCode: 'AccessDeniedException',
        errorMessage: 'not authorized',
        attempts: 1,
      },
    ]);
    expect(kinesisMock.commandCalls(PutRecordsCommand)).toHaveLength(1);
  });

  test('per-entry throttling (stream or KMS) is retried and counted; the retried call carries only those entries', async () => {
    kinesisMock
      .on(PutRecordsCommand)
      .resolvesOnce({
        FailedRecordCount: 2,
        Records: [
          { ErrorCode: 'KMSThrottlingException', ErrorMessage: 'KMS rate exceeded' },
          { SequenceNumber: '1' },
          { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' },
        ],
      })
      .resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '2' }, { SequenceNumber: '3' }] });
    const producer = new KinesisProducer({ client: new KinesisClient({}), streamName: 's', sleep: noSleep });
    await producer.putAll([{ data: 'a' }, { data: 'b' }, { data: 'c' }]);
    expect(await producer.flush()).toMatchObject({
      recordsSent: 3,
      throttledEntries: 2,
      retriedEntries: 2,
      unsent: [],
    });
    const retried = kinesisMock.commandCalls(PutRecordsCommand)[1].args[0].input.Records!;
    expect(retried.map((r) => Buffer.from(r.Data!).toString())).toEqual(['a', 'c']);
  });

  test('rejects a record over 1 MiB (data plus partition key) without sending anything', async () => {
    const producer = new KinesisProducer({ client: new KinesisClient({}), streamName: 's' });
    await expect(producer.put({ data: bytes(1024 * 1024), partitionKey: 'k' })).rejects.toThrow(
      /record size must be at most 1048576 bytes. Received 1048577 bytes/,
    );
    await expect(producer.put({ data: bytes(1024 * 1024 - 1), partitionKey: 'k' })).resolves.toBeUndefined();
    await expect(producer.put({ data: 'x', partitionKey: '' })).rejects.toThrow(/partitionKey.*Received 0/);
    expect(RecordTooLargeError.name).toBe('RecordTooLargeError');
  });

  test('needs a stream name or ARN', () => {
    expect(() => new KinesisProducer({ client: new KinesisClient({}) })).toThrow(
      /streamName or streamArn. Received neither/,
    );
  });

  test('property: with aggregation every user record is reported sent once, whatever the sizes', async () => {
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedRecordCount: 0,
      Records: input.Records.map((_, i) => ({ SequenceNumber: String(i) })),
    }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(fc.integer({ min: 0, max: 300_000 }), fc.integer({ min: 1024 * 1024 - 100, max: 1024 * 1024 - 36 })),
          { maxLength: 20 },
        ),
        async (sizes) => {
          const producer = new KinesisProducer({ client: new KinesisClient({}), streamName: 's', aggregate: true });
          for (const size of sizes) await producer.put({ data: bytes(size) });
          const report = await producer.flush();
          expect(report.recordsSent).toBe(sizes.length);
          expect(report.bytesSent).toBe(sizes.reduce((a, b) => a + b, 0));
        },
      ),
      { numRuns: 25 },
    );
    for (const call of kinesisMock.commandCalls(PutRecordsCommand)) {
      for (const record of call.args[0].input.Records ?? []) {
        expect(record.Data!.byteLength + record.PartitionKey!.length).toBeLessThanOrEqual(1024 * 1024);
      }
    }
  });
});

describe('KinesisProducer with aggregation', () => {
  test('a record with an explicit hash key is sent plain, after the aggregate before it, so it keeps its shard', async () => {
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedRecordCount: 0,
      Records: input.Records.map((_, i) => ({ SequenceNumber: String(i) })),
    }));
    const producer = new KinesisProducer({ client: new KinesisClient({}), streamName: 's', aggregate: true });
    await producer.putAll([
      { data: 'a', partitionKey: 'k1' },
      { data: 'b', partitionKey: 'k2', explicitHashKey: '340282366920938463463374607431768211455' },
      { data: 'c', partitionKey: 'k3' },
    ]);
    const report = await producer.flush();
    expect(report).toMatchObject({ recordsSent: 3, unsent: [] });
    const sent = kinesisMock.commandCalls(PutRecordsCommand).flatMap((c) => c.args[0].input.Records ?? []);
    expect(sent.map((r) => [r.PartitionKey, r.ExplicitHashKey])).toEqual([
      ['k1', undefined],
      ['k2', '340282366920938463463374607431768211455'],
      ['k3', undefined],
    ]);
    expect(Buffer.from(sent[1].Data!).toString()).toBe('b');
  });
});

describe('FirehoseProducer', () => {
  test('PutRecordBatch with a newline appended once; retries only failed entries', async () => {
    firehoseMock
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 1,
        RequestResponses: [{ RecordId: '1' }, { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }],
      })
      .resolvesOnce({ FailedPutCount: 0, RequestResponses: [{ RecordId: '2' }] });
    const producer = new FirehoseProducer({ client: new FirehoseClient({}), deliveryStreamName: 'ds', sleep: noSleep });
    await producer.putAll([{ data: '{"a":1}' }, { data: '{"b":2}\n' }]);
    const report = await producer.flush();
    expect(report).toMatchObject({ recordsSent: 2, requests: 2, throttledEntries: 1, retriedEntries: 1, unsent: [] });
    const calls = firehoseMock.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input);
    expect(calls[0].DeliveryStreamName).toBe('ds');
    expect(calls[0].Records!.map((r) => Buffer.from(r.Data!).toString())).toEqual(['{"a":1}\n', '{"b":2}\n']);
    expect(calls[1].Records!.map((r) => Buffer.from(r.Data!).toString())).toEqual(['{"b":2}\n']);
  });

  test('batches at 500 records and 4 MiB; rejects records over 1,000 KiB', async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedPutCount: 0,
      RequestResponses: input.Records.map(() => ({ RecordId: 'r' })),
    }));
    const producer = new FirehoseProducer({
      client: new FirehoseClient({}),
      deliveryStreamName: 'ds',
      recordDelimiter: '',
    });
    for (let i = 0; i < 501; i++) await producer.put({ data: bytes(10) });
    for (let i = 0; i < 5; i++) await producer.put({ data: bytes(1000 * 1024) });
    await producer.flush();
    const sizes = firehoseMock.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input.Records!.length);
    expect(sizes).toEqual([500, 5, 1]);
    await expect(producer.put({ data: bytes(1000 * 1024 + 1) })).rejects.toThrow(
      /at most 1024000 bytes. Received 1024001/,
    );
  });
});
