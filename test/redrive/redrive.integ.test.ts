/**
 * Redrive against the kinesis-local emulator (127.0.0.1, started here): on-failure metadata
 * (SQS/SNS form) is read back by sequence number and re-put; S3 payloads and quarantine
 * records are re-put byte for byte; a second run replays nothing.
 */
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordCommand,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { PoisonRecordError, runKinesisBatch } from '../../packages/runtime/src/kinesis-batch';
import { KinesisProducer } from '../../packages/runtime/src/producer';
import { InMemoryQuarantineSink } from '../../packages/runtime/src/quarantine';
import {
  InMemoryRedriveLedger,
  kinesisRedriveTarget,
  mergePlans,
  parseFailureDocument,
  readBackRange,
  redrive,
} from '../../packages/runtime/src/redrive';
import { loadSampleEvent } from '../support/fixtures';
import { startKinesisLocal, type KinesisLocal } from '../support/kinesis-local';
import { createActiveStream, readAllRecords } from '../producer/kinesis-helpers';
import { encodeKplAggregate, kinesisRecord, type SubRecord } from '../consumer/support/kinesis-events';

const SQS_FORM = 'localstack-snapshot-EXTRACTED__kinesis-onfailure__sqs-body-RetryAttemptsExhausted.json';
const S3_FORM = 'localstack-snapshot-EXTRACTED__kinesis-onfailure__s3-object-RetryAttemptsExhausted-with-payload.json';

type OnFailure = { KinesisBatchInfo: Record<string, unknown>; payload?: { Records: Record<string, unknown>[] } };

let local: KinesisLocal;
let sourceArn: string;

beforeAll(async () => {
  local = await startKinesisLocal();
  await createActiveStream(local.client, 'source', 2);
  const producer = new KinesisProducer({ client: local.client, streamName: 'source' });
  for (let i = 0; i < 40; i++) {
    await producer.put({
      data: Buffer.from(`payload ${i} ${'x'.repeat(i * 37)}\u0000\u00ff`, 'latin1'),
      partitionKey: `pk-${i}`,
    });
  }
  expect((await producer.flush()).unsent).toEqual([]);
  const summary = await local.client.send(new DescribeStreamSummaryCommand({ StreamName: 'source' }));
  sourceArn = summary.StreamDescriptionSummary!.StreamARN!;
});
afterAll(async () => {
  await local?.stop();
});

/** The records of one shard, in order. */
async function shardRecords(shardId: string, streamName = 'source'): Promise<_Record[]> {
  const { ShardIterator } = await local.client.send(
    new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  return (await local.client.send(new GetRecordsCommand({ ShardIterator }))).Records ?? [];
}

/** The real SQS-form message, pointed at a range of our stream. */
function sqsMessage(shardId: string, first: _Record, last: _Record, batchSize: number, streamArn = sourceArn): string {
  const message = loadSampleEvent<OnFailure>(SQS_FORM);
  Object.assign(message.KinesisBatchInfo, {
    streamArn,
    shardId,
    startSequenceNumber: first.SequenceNumber,
    endSequenceNumber: last.SequenceNumber,
    batchSize,
  });
  return JSON.stringify(message);
}

test('SQS metadata is read back by sequence number and re-put byte for byte; a second run is a no-op', async () => {
  const shard0 = await shardRecords('shardId-000000000000');
  const shard1 = await shardRecords('shardId-000000000001');
  expect(shard0.length + shard1.length).toBe(40);
  expect(shard0.length).toBeGreaterThan(3);
  // A failed batch in the middle of shard 0, and all of shard 1.
  const batch0 = shard0.slice(1, shard0.length - 1);
  const event = {
    Records: [
      {
        eventSource: 'aws:sqs',
        messageId: 'a',
        body: sqsMessage('shardId-000000000000', batch0[0], batch0[batch0.length - 1], batch0.length),
      },
      {
        eventSource: 'aws:sqs',
        messageId: 'b',
        body: sqsMessage('shardId-000000000001', shard1[0], shard1[shard1.length - 1], shard1.length),
      },
    ],
  };
  await createActiveStream(local.client, 'replay-sqs', 1);
  const ledger = new InMemoryRedriveLedger();
  const run = async (dryRun = false) =>
    redrive(parseFailureDocument(event), {
      target: kinesisRedriveTarget(new KinesisProducer({ client: local.client, streamName: 'replay-sqs' })),
      ledger,
      dryRun,
      readBack: (range) => readBackRange(local.client, range),
    });

  const dry = await run(true);
  expect(dry).toMatchObject({
    dryRun: true,
    found: batch0.length + shard1.length,
    replayed: batch0.length + shard1.length,
    missing: [],
  });
  expect(await readAllRecords(local.client, 'replay-sqs')).toHaveLength(0);

  const first = await run();
  expect(first).toMatchObject({ found: batch0.length + shard1.length, alreadyReplayed: 0, failed: [], missing: [] });
  const replayed = await readAllRecords(local.client, 'replay-sqs');
  const expected = [...batch0, ...shard1];
  expect(replayed.map((r) => [r.PartitionKey, Buffer.from(r.Data!).toString('base64')])).toEqual(
    expected.map((r) => [r.PartitionKey, Buffer.from(r.Data!).toString('base64')]),
  );

  const second = await run();
  expect(second).toMatchObject({ alreadyReplayed: expected.length, replayed: 0 });
  expect(await readAllRecords(local.client, 'replay-sqs')).toHaveLength(expected.length);
});

test('S3 payloads and quarantine records are re-put without reading the stream', async () => {
  const shard0 = await shardRecords('shardId-000000000000');
  const s3Doc = loadSampleEvent<OnFailure>(S3_FORM);
  const template = s3Doc.payload!.Records[0];
  s3Doc.KinesisBatchInfo.shardId = 'shardId-000000000000';
  s3Doc.payload!.Records = shard0.slice(0, 2).map((r) => ({
    ...template,
    eventSourceARN: sourceArn,
    eventID: `shardId-000000000000:${r.SequenceNumber}`,
    kinesis: {
      ...(template.kinesis as object),
      partitionKey: r.PartitionKey,
      sequenceNumber: r.SequenceNumber,
      data: Buffer.from(r.Data!).toString('base64'),
    },
  }));
  const quarantine = {
    version: 1,
    reason: 'PoisonRecordError',
    error: { name: 'Error', message: 'bad' },
    streamArn: sourceArn,
    shardId: 'shardId-000000000000',
    sequenceNumber: shard0[2].SequenceNumber,
    partitionKey: shard0[2].PartitionKey,
    approximateArrivalTimestamp: new Date().toISOString(),
    quarantinedAt: new Date().toISOString(),
    data: Buffer.from(shard0[2].Data!).toString('base64'),
  };
  await createActiveStream(local.client, 'replay-s3', 1);
  const report = await redrive(
    mergePlans([parseFailureDocument(JSON.stringify(s3Doc)), parseFailureDocument(quarantine)]),
    {
      target: kinesisRedriveTarget(new KinesisProducer({ client: local.client, streamName: 'replay-s3' })),
    },
  );
  expect(report).toMatchObject({ found: 3, replayed: 3, failed: [], missing: [] });
  const replayed = await readAllRecords(local.client, 'replay-s3');
  expect(replayed.map((r) => Buffer.from(r.Data!).equals(Buffer.from(shard0[replayed.indexOf(r)].Data!)))).toEqual([
    true,
    true,
    true,
  ]);
});

test('a range the stream no longer holds is reported as missing', async () => {
  const result = await readBackRange(local.client, {
    streamArn: sourceArn,
    shardId: 'shardId-000000000099',
    startSequenceNumber: '1',
    endSequenceNumber: '2',
  });
  expect(result.records).toEqual([]);
  expect(result.missing).toHaveLength(1);
  expect(result.missing[0].reason).toMatch(/ResourceNotFound|InvalidArgument|no longer retained/);
});

test('SQS metadata over a KPL aggregate: read back, unpacked, and a quarantined sub-record is replayed once', async () => {
  await createActiveStream(local.client, 'agg-source', 1);
  const subRecords: SubRecord[] = [
    { partitionKey: 'user-1', data: Buffer.from([0, 0xff, 0x80, 1]) },
    { partitionKey: 'user-2', explicitHashKey: '170141183460469231731687303715884105728', data: Buffer.from('poison') },
    { partitionKey: 'user-3', data: Buffer.from('third') },
  ];
  await local.client.send(
    new PutRecordCommand({ StreamName: 'agg-source', PartitionKey: 'user-1', Data: encodeKplAggregate(subRecords) }),
  );
  await local.client.send(
    new PutRecordCommand({ StreamName: 'agg-source', PartitionKey: 'plain', Data: Buffer.from('plain') }),
  );
  const summary = await local.client.send(new DescribeStreamSummaryCommand({ StreamName: 'agg-source' }));
  const aggArn = summary.StreamDescriptionSummary!.StreamARN!;
  const stored = await shardRecords('shardId-000000000000', 'agg-source');
  expect(stored).toHaveLength(2);

  // The consumer toolkit, given these records, quarantines the poison sub-record.
  const sink = new InMemoryQuarantineSink();
  await runKinesisBatch(
    {
      Records: stored.map((r) => ({
        ...kinesisRecord({
          data: Buffer.from(r.Data!),
          partitionKey: r.PartitionKey!,
          sequenceNumber: r.SequenceNumber!,
        }),
        eventSourceARN: aggArn,
        eventID: `shardId-000000000000:${r.SequenceNumber}`,
      })),
    },
    (record) => {
      if (record.data.toString() === 'poison') throw new PoisonRecordError('poison');
    },
    { payloadFormat: 'bytes', quarantineSink: sink, metrics: false, logger: { info() {}, warn() {}, error() {} } },
  );
  expect(sink.records).toHaveLength(1);
  expect(sink.records[0].subSequenceNumber).toBe(1);

  const sqsEvent = {
    Records: [
      { eventSource: 'aws:sqs', messageId: 'q', body: JSON.stringify(sink.records[0]) },
      {
        eventSource: 'aws:sqs',
        messageId: 'f',
        body: sqsMessage('shardId-000000000000', stored[0], stored[1], 2, aggArn),
      },
    ],
  };
  await createActiveStream(local.client, 'replay-agg', 1);
  const ledger = new InMemoryRedriveLedger();
  const run = () =>
    redrive(parseFailureDocument(sqsEvent), {
      target: kinesisRedriveTarget(new KinesisProducer({ client: local.client, streamName: 'replay-agg' })),
      ledger,
      readBack: (range) => readBackRange(local.client, range),
    });
  const report = await run();
  expect(report).toMatchObject({ found: 4, replayed: 4, failed: [], missing: [] });
  expect([...report.replayedKeys].sort()).toEqual(
    [0, 1, 2]
      .map((n) => `${aggArn}/shardId-000000000000/${stored[0].SequenceNumber}/${n}`)
      .concat(`${aggArn}/shardId-000000000000/${stored[1].SequenceNumber}`)
      .sort(),
  );
  const replayed = await readAllRecords(local.client, 'replay-agg');
  const rows = (records: { data: Uint8Array; partitionKey: string }[]) =>
    records.map((r) => `${r.partitionKey}:${Buffer.from(r.data).toString('hex')}`).sort();
  expect(rows(replayed.map((r) => ({ data: r.Data!, partitionKey: r.PartitionKey! })))).toEqual(
    rows([...subRecords, { partitionKey: 'plain', data: Buffer.from('plain') }]),
  );

  expect(await run()).toMatchObject({ found: 4, alreadyReplayed: 4, replayed: 0 });
  expect(await readAllRecords(local.client, 'replay-agg')).toHaveLength(4);
});
