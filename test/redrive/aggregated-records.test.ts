/**
 * KPL aggregates in on-failure documents: redrive unpacks them with the toolkit's own
 * de-aggregation, so each user record gets the idempotency key its quarantine record has
 * (`…/<sequence>/<sub>`), and a user record that was quarantined and is also in an on-failure
 * batch is replayed once, byte for byte, with its own partition key and explicit hash key.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { PoisonRecordError, runKinesisBatch } from '../../packages/runtime/src/kinesis-batch';
import type { ProducerRecord } from '../../packages/runtime/src/producer';
import { InMemoryQuarantineSink, type QuarantineRecord } from '../../packages/runtime/src/quarantine';
import {
  InMemoryRedriveLedger,
  idempotencyKey,
  kinesisRedriveTarget,
  mergePlans,
  parseFailureDocument,
  redrive,
  type RedrivePlan,
} from '../../packages/runtime/src/redrive';
import {
  SHARD_ID,
  STREAM_ARN,
  encodeKplAggregate,
  kinesisRecord,
  sequenceNumberAt,
  type SubRecord,
} from '../consumer/support/kinesis-events';
import { loadSampleEvent } from '../support/fixtures';
import { fakeProducer } from './fake-producer';

const S3_FORM = 'localstack-snapshot-EXTRACTED__kinesis-onfailure__s3-object-RetryAttemptsExhausted-with-payload.json';

const POISON = Buffer.from('{"poison": true}');
const SUB_RECORDS: SubRecord[] = [
  { partitionKey: 'user-1', data: Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]) },
  { partitionKey: 'user-2', explicitHashKey: '170141183460469231731687303715884105728', data: POISON },
  { partitionKey: 'user-3', data: Buffer.from('third \u00e9', 'utf8') },
];
const PLAIN = Buffer.from('a plain record');
const AGGREGATE_SEQUENCE = sequenceNumberAt(0);
const PLAIN_SEQUENCE = sequenceNumberAt(1);

/** The failed batch as Lambda hands it to the function: one aggregate, one plain record. */
function batch(aggregate: Buffer = encodeKplAggregate(SUB_RECORDS)): KinesisStreamRecord[] {
  return [
    kinesisRecord({ data: aggregate, partitionKey: 'user-1', sequenceNumber: AGGREGATE_SEQUENCE }),
    kinesisRecord({ data: PLAIN, partitionKey: 'plain', sequenceNumber: PLAIN_SEQUENCE }),
  ];
}

/** What the consumer toolkit quarantines from that batch (the poison sub-record, or a corrupt aggregate). */
async function quarantined(records: KinesisStreamRecord[]): Promise<QuarantineRecord[]> {
  const sink = new InMemoryQuarantineSink();
  await runKinesisBatch(
    { Records: records },
    (record) => {
      if (record.data.equals(POISON)) throw new PoisonRecordError('poison');
    },
    { payloadFormat: 'bytes', quarantineSink: sink, metrics: false, logger: { info() {}, warn() {}, error() {} } },
  );
  return sink.records;
}

/** Lambda's S3 on-failure object for that batch (the real shape, pointed at our records). */
function s3OnFailureDocument(records: KinesisStreamRecord[]): string {
  const document = loadSampleEvent<{ KinesisBatchInfo: Record<string, unknown>; payload: { Records: unknown[] } }>(
    S3_FORM,
  );
  Object.assign(document.KinesisBatchInfo, {
    streamArn: STREAM_ARN,
    shardId: SHARD_ID,
    startSequenceNumber: AGGREGATE_SEQUENCE,
    endSequenceNumber: PLAIN_SEQUENCE,
    batchSize: records.length,
  });
  document.payload.Records = records;
  return JSON.stringify(document);
}

const key = (sequenceNumber: string, subSequenceNumber?: number) =>
  idempotencyKey({ streamArn: STREAM_ARN, shardId: SHARD_ID, sequenceNumber, subSequenceNumber });

/** What a replay put, as comparable rows. */
const rows = (put: ProducerRecord[]) =>
  put.map((r) => ({
    data: Buffer.from(r.data).toString('hex'),
    partitionKey: r.partitionKey,
    explicitHashKey: r.explicitHashKey,
  }));

const EXPECTED_ROWS = [
  ...SUB_RECORDS.map((s) => ({
    data: s.data.toString('hex'),
    partitionKey: s.partitionKey,
    explicitHashKey: s.explicitHashKey,
  })),
  { data: PLAIN.toString('hex'), partitionKey: 'plain', explicitHashKey: undefined },
];
const byData = (a: { data: string }, b: { data: string }) => a.data.localeCompare(b.data);

test('an S3 payload aggregate is unpacked into user records keyed with their sub-sequence numbers; a plain record keeps its key', () => {
  const plan = parseFailureDocument(s3OnFailureDocument(batch()), 's3://b/k');
  expect(plan.unrecognized).toEqual([]);
  expect(plan.records.map((r) => r.idempotencyKey)).toEqual([
    key(AGGREGATE_SEQUENCE, 0),
    key(AGGREGATE_SEQUENCE, 1),
    key(AGGREGATE_SEQUENCE, 2),
    key(PLAIN_SEQUENCE),
  ]);
  expect(plan.records[3].origin).toEqual({ streamArn: STREAM_ARN, shardId: SHARD_ID, sequenceNumber: PLAIN_SEQUENCE });
  expect(
    plan.records.map((r) => ({
      data: Buffer.from(r.data).toString('hex'),
      partitionKey: r.partitionKey,
      explicitHashKey: r.explicitHashKey,
    })),
  ).toEqual(EXPECTED_ROWS);
});

test.each([
  ['quarantine first', (q: RedrivePlan, s3: RedrivePlan) => [q, s3]],
  ['on-failure object first', (q: RedrivePlan, s3: RedrivePlan) => [s3, q]],
])(
  'a sub-record quarantined and also in the S3 on-failure batch is replayed once (%s); every user record once, byte-identical, with its own keys',
  async (_, order) => {
    const records = batch();
    const quarantine = await quarantined(records);
    // The processor quarantined the poison sub-record, keyed with its sub-sequence number.
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]).toMatchObject({ sequenceNumber: AGGREGATE_SEQUENCE, subSequenceNumber: 1 });
    const quarantinePlan = parseFailureDocument(JSON.stringify(quarantine[0]), 's3://b/quarantine');
    const s3Plan = parseFailureDocument(s3OnFailureDocument(records), 's3://b/aws/lambda');
    expect(quarantinePlan.records[0].idempotencyKey).toBe(key(AGGREGATE_SEQUENCE, 1));

    const ledger = new InMemoryRedriveLedger();
    const first = fakeProducer();
    const report = await redrive(mergePlans(order(quarantinePlan, s3Plan)), {
      target: kinesisRedriveTarget(first.producer),
      ledger,
    });
    expect(report).toMatchObject({ found: 4, replayed: 4, alreadyReplayed: 0, failed: [], missing: [] });
    expect([...report.replayedKeys].sort()).toEqual(
      [key(AGGREGATE_SEQUENCE, 0), key(AGGREGATE_SEQUENCE, 1), key(AGGREGATE_SEQUENCE, 2), key(PLAIN_SEQUENCE)].sort(),
    );
    expect(rows(first.put).sort(byData)).toEqual([...EXPECTED_ROWS].sort(byData));

    // Either document again, later: nothing is replayed a second time.
    const second = fakeProducer();
    const again = await redrive(mergePlans([s3Plan, quarantinePlan]), {
      target: kinesisRedriveTarget(second.producer),
      ledger,
    });
    expect(again).toMatchObject({ found: 4, replayed: 0, alreadyReplayed: 4 });
    expect(second.put).toEqual([]);
  },
);

test('a ledger that holds the whole aggregate (replayed before redrive de-aggregated) counts its user records as done', async () => {
  const ledger = new InMemoryRedriveLedger();
  await ledger.markDone([key(AGGREGATE_SEQUENCE)]);
  const fake = fakeProducer();
  const quarantinePlan = parseFailureDocument((await quarantined(batch()))[0]);
  const report = await redrive(mergePlans([quarantinePlan, parseFailureDocument(s3OnFailureDocument(batch()))]), {
    target: kinesisRedriveTarget(fake.producer),
    ledger,
  });
  expect(report).toMatchObject({ found: 4, alreadyReplayed: 3, replayed: 1, replayedKeys: [key(PLAIN_SEQUENCE)] });
  expect(rows(fake.put)).toEqual([EXPECTED_ROWS[3]]);
});

test('an aggregate that cannot be unpacked is replayed whole, under the key of its quarantine record', async () => {
  const aggregate = encodeKplAggregate(SUB_RECORDS);
  aggregate[aggregate.length - 1] ^= 0xff; // md5 no longer matches
  const records = batch(aggregate);
  const quarantine = await quarantined(records);
  expect(quarantine).toHaveLength(1);
  expect(quarantine[0]).toMatchObject({ reason: 'DeaggregationError', sequenceNumber: AGGREGATE_SEQUENCE });
  expect(quarantine[0].subSequenceNumber).toBeUndefined();

  const fake = fakeProducer();
  const report = await redrive(
    mergePlans([parseFailureDocument(quarantine[0]), parseFailureDocument(s3OnFailureDocument(records))]),
    { target: kinesisRedriveTarget(fake.producer), ledger: new InMemoryRedriveLedger() },
  );
  expect(report).toMatchObject({ found: 2, replayed: 2 });
  expect(report.replayedKeys).toEqual([key(AGGREGATE_SEQUENCE), key(PLAIN_SEQUENCE)]);
  expect(rows(fake.put)).toEqual([
    { data: aggregate.toString('hex'), partitionKey: 'user-1', explicitHashKey: undefined },
    EXPECTED_ROWS[3],
  ]);
});
