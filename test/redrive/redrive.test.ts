import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { ProducerRecord } from '../../packages/runtime/src/producer';
import {
  InMemoryRedriveLedger,
  S3RedriveLedger,
  kinesisRedriveTarget,
  listFailureDocuments,
  ndjsonRedriveTarget,
  parseFailureDocument,
  redrive,
  type RedrivePlan,
} from '../../packages/runtime/src/redrive';
import { readFixture } from '../support/fixtures';
import { fakeProducer } from './fake-producer';

const s3Mock = mockClient(S3Client);
beforeEach(() => s3Mock.reset());

function quarantine(n: number) {
  return {
    version: 1,
    reason: 'PoisonRecordError',
    error: { name: 'Error', message: 'bad' },
    streamArn: 'arn:aws:kinesis:us-east-1:111111111111:stream/s',
    shardId: 'shardId-000000000000',
    sequenceNumber: String(1000 + n),
    partitionKey: `k${n}`,
    approximateArrivalTimestamp: '2024-01-01T00:00:00Z',
    quarantinedAt: '2024-01-01T00:00:00Z',
    data: Buffer.from(`record ${n}`).toString('base64'),
  };
}
const plan = (ns: number[]): RedrivePlan => ({
  records: ns.flatMap((n) => parseFailureDocument(quarantine(n)).records),
  ranges: [],
  unrecognized: [],
});

test('records that could not be put stay out of the ledger, so the next run replays only them', async () => {
  const ledger = new InMemoryRedriveLedger();
  const first = fakeProducer(new Set(['record 2']));
  const report = await redrive(plan([1, 2, 3, 1]), { target: kinesisRedriveTarget(first.producer), ledger });
  expect(report).toMatchObject({ found: 3, replayed: 2, alreadyReplayed: 0 });
  expect(report.failed).toEqual([
    {
      idempotencyKey: 'arn:aws:kinesis:us-east-1:111111111111:stream/s/shardId-000000000000/1002',
      errorCode: 'ProvisionedThroughputExceededException',
      errorMessage: 'Rate exceeded',
    },
  ]);

  const second = fakeProducer(new Set());
  const again = await redrive(plan([1, 2, 3]), { target: kinesisRedriveTarget(second.producer), ledger });
  expect(again).toMatchObject({ found: 3, replayed: 1, alreadyReplayed: 2, failed: [] });
  expect(second.put.map((r) => Buffer.from(r.data).toString())).toEqual(['record 2']);
});

test('a record the producer refuses fails alone: the others are replayed and marked, the run goes on', async () => {
  const ledger = new InMemoryRedriveLedger();
  const fake = fakeProducer(new Set());
  const producer = {
    ...fake.producer,
    put: async (record: ProducerRecord) => {
      if (record.partitionKey === 'k2') throw new Error('partition key must be 1 to 256 characters');
      await fake.producer.put(record);
    },
  };
  const report = await redrive(plan([1, 2, 3]), { target: kinesisRedriveTarget(producer), ledger });
  expect(report).toMatchObject({ found: 3, replayed: 2 });
  expect(report.failed).toEqual([
    {
      idempotencyKey: 'arn:aws:kinesis:us-east-1:111111111111:stream/s/shardId-000000000000/1002',
      errorCode: 'Error',
      errorMessage: 'partition key must be 1 to 256 characters',
    },
  ]);
  expect(fake.put.map((r) => Buffer.from(r.data).toString())).toEqual(['record 1', 'record 3']);
  expect(ledger.keys.size).toBe(2);
});

test('dry run writes nothing and marks nothing; ranges without a reader are reported missing', async () => {
  const ledger = new InMemoryRedriveLedger();
  const fake = fakeProducer(new Set());
  const metadata = parseFailureDocument(
    readFixture(
      'aws-sample-events',
      'localstack-snapshot-EXTRACTED__kinesis-onfailure__sqs-body-RetryAttemptsExhausted.json',
    ),
  );
  const report = await redrive(
    { ...plan([1, 2]), ranges: metadata.ranges },
    { target: kinesisRedriveTarget(fake.producer), ledger, dryRun: true },
  );
  expect(report).toMatchObject({ dryRun: true, found: 2, replayed: 2 });
  expect(report.missing).toEqual([
    { range: metadata.ranges[0], reason: 'metadata only, and no stream to read it back from' },
  ]);
  expect(fake.put).toEqual([]);
  expect(ledger.keys.size).toBe(0);
});

test('the NDJSON target writes one line per record with the payload in base64', async () => {
  const lines: string[] = [];
  await redrive(plan([7]), { target: ndjsonRedriveTarget((line) => void lines.push(line)) });
  expect(lines.map((l) => JSON.parse(l))).toEqual([
    {
      idempotencyKey: 'arn:aws:kinesis:us-east-1:111111111111:stream/s/shardId-000000000000/1007',
      partitionKey: 'k7',
      data: Buffer.from('record 7').toString('base64'),
    },
  ]);
});

test('S3 ledger: a marker object per key, found again by HeadObject', async () => {
  const ledger = new S3RedriveLedger({ client: new S3Client({}), bucketName: 'failures' });
  const marker = ledger.markerKey('arn/s/1');
  expect(marker).toMatch(/^redrive-ledger\/[0-9a-f]{64}$/);
  s3Mock
    .on(HeadObjectCommand)
    .rejects(Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }));
  s3Mock.on(HeadObjectCommand, { Key: marker }).resolves({});
  expect(await ledger.done(['arn/s/1', 'arn/s/2'])).toEqual(new Set(['arn/s/1']));
  await ledger.markDone(['arn/s/2']);
  expect(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({
    Bucket: 'failures',
    Key: ledger.markerKey('arn/s/2'),
    Metadata: { 'idempotency-key': 'arn/s/2' },
  });
  s3Mock
    .on(HeadObjectCommand)
    .rejects(Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } }));
  await expect(ledger.done(['x'])).rejects.toThrow(/Forbidden/);
});

test('listFailureDocuments reads every object under the prefix, skipping ledger markers', async () => {
  // Only the method the code under test uses.
  const body = (text: string) => ({ Body: { transformToString: async () => text } as never });
  s3Mock.on(ListObjectsV2Command).resolves({
    Contents: [
      { Key: 'quarantine/s/shardId-000000000000/1001.json' },
      { Key: 'redrive-ledger/abc' },
      { Key: 'aws/lambda/x/y' },
    ],
  });
  s3Mock
    .on(GetObjectCommand, { Key: 'quarantine/s/shardId-000000000000/1001.json' })
    .resolves(body(JSON.stringify(quarantine(1))));
  s3Mock
    .on(GetObjectCommand, { Key: 'aws/lambda/x/y' })
    .resolves(
      body(
        readFixture(
          'aws-sample-events',
          'localstack-snapshot-EXTRACTED__kinesis-onfailure__s3-object-RetryAttemptsExhausted-with-payload.json',
        ),
      ),
    );
  const result = await listFailureDocuments({ client: new S3Client({}), bucketName: 'failures' });
  expect(result.objects).toBe(2);
  expect(result.records.map((r) => r.partitionKey)).toEqual(['k1', 'custom']);
  expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(2);
});

test('listFailureDocuments stops at maxObjects and tells where to go on; startAfter goes on from there', async () => {
  const keys = [1, 2, 3].map((n) => `quarantine/s/shardId-000000000000/100${n}.json`);
  s3Mock.on(ListObjectsV2Command).callsFake((input: { StartAfter?: string }) => ({
    Contents: keys.filter((key) => input.StartAfter === undefined || key > input.StartAfter).map((Key) => ({ Key })),
  }));
  for (const [i, key] of keys.entries()) {
    s3Mock
      .on(GetObjectCommand, { Key: key })
      .resolves({ Body: { transformToString: async () => JSON.stringify(quarantine(i + 1)) } as never });
  }
  const source = { client: new S3Client({}), bucketName: 'failures', maxObjects: 2 };
  const first = await listFailureDocuments(source);
  expect(first.records.map((r) => r.partitionKey)).toEqual(['k1', 'k2']);
  expect(first.nextStartAfter).toBe(keys[1]);
  const rest = await listFailureDocuments({ ...source, startAfter: first.nextStartAfter });
  expect(rest.records.map((r) => r.partitionKey)).toEqual(['k3']);
  expect(rest.nextStartAfter).toBeUndefined();
  // Exactly maxObjects keys in all: nothing left, no hint.
  expect((await listFailureDocuments({ ...source, startAfter: keys[0] })).nextStartAfter).toBeUndefined();
});
