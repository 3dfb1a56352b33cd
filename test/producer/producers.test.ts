import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { KinesisClient, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import {
  FirehoseProducer,
  KinesisProducer,
  MAX_HASH_KEY,
  PartitionKey,
  partitionKeyHash,
} from '../../packages/runtime/src/producer';
import { userRecordsOf } from '../../packages/runtime/src/kinesis-batch/user-records';
import { asLambdaRecord } from './lambda-records';

const kinesisMock = mockClient(KinesisClient);
const firehoseMock = mockClient(FirehoseClient);
beforeEach(() => {
  kinesisMock.reset();
  firehoseMock.reset();
});
const noSleep = async () => undefined;
const half = (2n ** 127n).toString();
/** Two open shards splitting the hash key space in halves. */
const twoShards = [
  {
    ShardId: 'shardId-000000000000',
    HashKeyRange: { StartingHashKey: '0', EndingHashKey: (BigInt(half) - 1n).toString() },
    SequenceNumberRange: { StartingSequenceNumber: '1' },
  },
  {
    ShardId: 'shardId-000000000001',
    HashKeyRange: { StartingHashKey: half, EndingHashKey: MAX_HASH_KEY.toString() },
    SequenceNumberRange: { StartingSequenceNumber: '1' },
  },
];
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

  test('field cuts values to 256 UTF-16 code units, never inside a surrogate pair', () => {
    const key = PartitionKey.field('k').keyFor(enc(JSON.stringify({ k: 'x'.repeat(300) })), 0);
    expect(key).toHaveLength(256);
    const emoji = PartitionKey.field('k').keyFor(enc(JSON.stringify({ k: 'x' + '😀'.repeat(200) })), 0);
    expect(emoji).toBe('x' + '😀'.repeat(127));
  });

  test('random keys are distinct (high cardinality)', () => {
    const strategy = PartitionKey.random();
    const keys = new Set(Array.from({ length: 1000 }, (_, i) => strategy.keyFor(bytes(1), i)));
    expect(keys.size).toBe(1000);
  });

  test('explicit and field validate their input', () => {
    expect(() => PartitionKey.explicit('')).toThrow(/partitionKey must be 1 to 256 UTF-16 code units long. Received 0/);
    expect(() => PartitionKey.explicit('k'.repeat(257))).toThrow(/Received 257/);
    expect(() => PartitionKey.explicit('😀'.repeat(129))).toThrow(/Received 258/);
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
    expect((await blocked.flush()).failed).toEqual([
      {
        record: expect.objectContaining({ data: 'a' }),
        outcome: 'failed',
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

  test('a record Kinesis would refuse is rejected with its reason; the other records of the call go through', async () => {
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedRecordCount: 0,
      Records: input.Records.map((_, i) => ({ SequenceNumber: String(i), ShardId: 'shardId-000000000000' })),
    }));
    const producer = new KinesisProducer({ client: new KinesisClient({}), streamName: 's' });
    const bad = [
      { data: 'x', partitionKey: '' },
      // 129 code points but 258 UTF-16 code units: the unit Kinesis counts (see KINESIS_LIMITS)
      { data: 'x', partitionKey: '😀'.repeat(129) },
      { data: 'x', partitionKey: 'k', explicitHashKey: (MAX_HASH_KEY + 1n).toString() },
      { data: 'x', partitionKey: 'k', explicitHashKey: '-1' },
      { data: 'x', partitionKey: 'k', explicitHashKey: '0042' },
      { data: 'x', partitionKey: 'k', explicitHashKey: 'abc' },
      { data: 'x', partitionKey: 'k\uD800' },
      // 1 MiB in characters, over 1 MiB in bytes once the key is UTF-8
      { data: bytes(1024 * 1024 - 100), partitionKey: '中'.repeat(100) },
      { data: bytes(1024 * 1024), partitionKey: 'k' },
    ];
    const good = Array.from({ length: 498 }, (_, i) => ({ data: `ok ${i}`, partitionKey: `k${i}` }));
    good.push({ data: 'max', partitionKey: 'k', explicitHashKey: MAX_HASH_KEY.toString() } as (typeof good)[0]);
    good.push({ data: bytes(1024 * 1024 - 300), partitionKey: '中'.repeat(100) } as unknown as (typeof good)[0]);
    for (const [i, record] of good.entries()) {
      await producer.put(record);
      if (i < bad.length) await producer.put(bad[i]);
    }
    const report = await producer.flush();
    expect(report.recordsSent).toBe(good.length);
    expect(report.rejected.map((r) => [r.record, r.outcome, r.errorCode, r.attempts])).toEqual(
      bad.map((record, i) => [
        record,
        'rejected',
        i < 2 || i === 6 ? 'InvalidPartitionKey' : i < 6 ? 'InvalidExplicitHashKey' : 'RecordTooLarge',
        0,
      ]),
    );
    expect(report.rejected[1].errorMessage).toMatch(/1 to 256 UTF-16 code units long. Received 258/);
    expect(report.rejected[7].errorMessage).toMatch(/at most 1048576 bytes. Received 1048776 bytes/);
    expect(report.unsent).toEqual(report.rejected);
    const sent = kinesisMock.commandCalls(PutRecordsCommand).flatMap((c) => c.args[0].input.Records ?? []);
    expect(sent).toHaveLength(good.length);
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
    kinesisMock.on(ListShardsCommand).resolves({ Shards: twoShards });
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
        expect(record.Data!.byteLength + Buffer.byteLength(record.PartitionKey!)).toBeLessThanOrEqual(1024 * 1024);
      }
    }
  });

  test('aggregates with CJK and emoji keys stay within 1 MiB per record and 5 MiB per call, in UTF-8 bytes', async () => {
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedRecordCount: 0,
      Records: input.Records.map((_, i) => ({ SequenceNumber: String(i) })),
    }));
    kinesisMock.on(ListShardsCommand).resolves({ Shards: twoShards });
    const producer = new KinesisProducer({
      client: new KinesisClient({}),
      streamName: 's',
      aggregate: true,
      maxAggregateSizeInBytes: 1024 * 1024,
    });
    // 256-unit keys of 3-byte (CJK) and 4-byte (emoji) characters: 768 and 512 bytes each
    for (let i = 0; i < 3000; i++) {
      const id = String(i);
      const key = i % 2 ? id + '中'.repeat(256 - id.length) : id + '😀'.repeat(Math.floor((256 - id.length) / 2));
      await producer.put({ data: bytes(100), partitionKey: key });
    }
    const report = await producer.flush();
    expect(report).toMatchObject({ recordsSent: 3000, unsent: [] });
    const calls = kinesisMock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records ?? []);
    for (const records of calls) {
      const sizes = records.map((r) => r.Data!.byteLength + Buffer.byteLength(r.PartitionKey!));
      expect(Math.max(...sizes)).toBeLessThanOrEqual(1024 * 1024);
      expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5 * 1024 * 1024);
    }
    expect(Math.max(...calls.flat().map((r) => r.Data!.byteLength))).toBeGreaterThan(1000 * 1024);
  });
});

describe('KinesisProducer with aggregation', () => {
  test('aggregates only records of one shard, routed by an explicit hash key in its range; records keep their own explicit hash key', async () => {
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedRecordCount: 0,
      Records: input.Records.map((_, i) => ({ SequenceNumber: String(i) })),
    }));
    kinesisMock.on(ListShardsCommand).resolves({ Shards: twoShards });
    const producer = new KinesisProducer({ client: new KinesisClient({}), streamName: 's', aggregate: true });
    const records = Array.from({ length: 40 }, (_, i) => ({
      data: `r${i}`,
      partitionKey: `k${i}`,
      ...(i % 10 === 3 ? { explicitHashKey: i % 20 === 3 ? '0' : MAX_HASH_KEY.toString() } : {}),
    }));
    await producer.putAll(records);
    expect(await producer.flush()).toMatchObject({ recordsSent: 40, unsent: [] });
    const sent = kinesisMock.commandCalls(PutRecordsCommand).flatMap((c) => c.args[0].input.Records ?? []);
    expect(sent).toHaveLength(2); // one aggregate per shard
    const half = 2n ** 127n;
    const back = sent.flatMap((entry, i) => {
      const route = BigInt(entry.ExplicitHashKey!);
      const users = userRecordsOf(asLambdaRecord({ ...entry, SequenceNumber: String(i) }, 'shardId'));
      for (const user of users) {
        const hash =
          user.explicitHashKey !== undefined ? BigInt(user.explicitHashKey) : partitionKeyHash(user.partitionKey);
        expect(hash < half).toBe(route < half);
      }
      return users.map((u) => ({
        data: u.data.toString(),
        partitionKey: u.partitionKey,
        explicitHashKey: u.explicitHashKey,
      }));
    });
    const expected = records.map((r) => ({ ...r, explicitHashKey: r.explicitHashKey }));
    expect(back.sort((a, b) => a.data.localeCompare(b.data))).toEqual(
      expected.sort((a, b) => a.data.localeCompare(b.data)),
    );
  });

  test('without a shard map (ListShards denied) records go plain, so every consumer still reads them', async () => {
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedRecordCount: 0,
      Records: input.Records.map((_, i) => ({ SequenceNumber: String(i) })),
    }));
    kinesisMock.on(ListShardsCommand).rejects(
      Object.assign(new Error('not authorized'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const producer = new KinesisProducer({ client: new KinesisClient({}), streamName: 's', aggregate: true });
    await producer.putAll([{ data: 'a' }, { data: 'b' }]);
    expect(await producer.flush()).toMatchObject({ recordsSent: 2, unsent: [] });
    const sent = kinesisMock.commandCalls(PutRecordsCommand).flatMap((c) => c.args[0].input.Records ?? []);
    expect(sent.map((r) => Buffer.from(r.Data!).toString())).toEqual(['a', 'b']);
    expect(producer.shardMap?.lastError).toMatch(/AccessDeniedException/);
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
    await producer.put({ data: bytes(1000 * 1024 + 1) });
    expect((await producer.flush()).rejected).toEqual([
      expect.objectContaining({
        outcome: 'rejected',
        errorCode: 'RecordTooLarge',
        errorMessage: expect.stringMatching(/at most 1024000 bytes. Received 1024001/),
      }),
    ]);
  });
});
