import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { ProducerRecord } from '../../packages/runtime/src/producer';
import {
  InMemoryRedriveLedger,
  RedriveAbortedError,
  RedriveLedgerError,
  S3RedriveLedger,
  kinesisRedriveTarget,
  listFailureDocuments,
  ndjsonRedriveTarget,
  parseFailureDocument,
  redrive,
  type RedrivePlan,
} from '../../packages/runtime/src/redrive';
import { readFixture } from '../support/fixtures';
import { FakeS3, s3Error } from './fake-s3';
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

describe('S3 ledger (conditional writes)', () => {
  const ledgerOn = (fake: FakeS3, runId: string, now = () => 0) =>
    new S3RedriveLedger({ client: fake.client, bucketName: 'failures', runId, leaseMillis: 1000, now });

  test('a claim is a create-only PutObject (If-None-Match: *); done and release are If-Match on its ETag', async () => {
    const fake = new FakeS3();
    const ledger = ledgerOn(fake, 'r1');
    expect(ledger.markerKey('arn/s/1')).toMatch(/^redrive-ledger\/[0-9a-f]{64}$/);
    expect(await ledger.claim(['arn/s/1', 'arn/s/2'])).toEqual({
      claimed: ['arn/s/1', 'arn/s/2'],
      done: [],
      held: [],
      validUntil: 1000,
    });
    const claims = fake.calls.filter((c) => c.command === 'PutObjectCommand');
    expect(claims.map((c) => c.input.IfNoneMatch)).toEqual(['*', '*']);
    const claimEtag = fake.objects.get(ledger.markerKey('arn/s/1'))!.etag;
    await ledger.markDone(['arn/s/1']);
    await ledger.release(['arn/s/2']);
    const writes = fake.calls.filter((c) => c.command === 'PutObjectCommand').slice(2);
    expect(writes[0].input).toMatchObject({ IfMatch: claimEtag, Key: ledger.markerKey('arn/s/1') });
    expect(JSON.parse(fake.objects.get(ledger.markerKey('arn/s/1'))!.body)).toMatchObject({
      version: 2,
      idempotencyKey: 'arn/s/1',
      runId: 'r1',
      state: 'done',
    });
    // Another run: the done key is done, the released key is free to claim.
    expect(await ledgerOn(fake, 'r2').claim(['arn/s/1', 'arn/s/2'])).toMatchObject({
      claimed: ['arn/s/2'],
      done: ['arn/s/1'],
      held: [],
    });
  });

  test("a live claim of another run is held; after its lease it is taken over; older ledgers' empty markers count as done", async () => {
    const fake = new FakeS3();
    let time = 0;
    await ledgerOn(fake, 'crashed', () => time).claim(['k']);
    fake.put('redrive-ledger/' + createHash('sha256').update('old').digest('hex'), '');
    const other = ledgerOn(fake, 'other', () => time);
    expect(await other.claim(['k', 'old'])).toMatchObject({
      claimed: [],
      done: ['old'],
      held: [{ key: 'k', runId: 'crashed', leaseExpiresAt: '1970-01-01T00:00:01.000Z' }],
    });
    time = 1001;
    expect((await other.claim(['k'])).claimed).toEqual(['k']);
  });

  test('a ledger that cannot be written stops the run with one line naming the marker and the S3 error', async () => {
    const fake = new FakeS3();
    fake.failWhen = () =>
      s3Error('AccessDenied', 403, 'User: arn:aws:iam::1:role/x is not authorized to perform: s3:PutObject');
    const ledger = ledgerOn(fake, 'r');
    const error = await ledger.claim(['arn/s/1']).catch((e: Error) => e);
    expect(error).toBeInstanceOf(RedriveLedgerError);
    expect((error as Error).message).toBe(
      `redrive ledger s3://failures/${ledger.markerKey('arn/s/1')}: cannot claim arn/s/1: AccessDenied: User: arn:aws:iam::1:role/x is not authorized to perform: s3:PutObject`,
    );
    // And redrive reports it as an aborted run, with what was done until then.
    const aborted = await redrive(plan([1]), { target: kinesisRedriveTarget(fakeProducer().producer), ledger }).catch(
      (e: RedriveAbortedError) => e,
    );
    expect(aborted).toBeInstanceOf(RedriveAbortedError);
    expect((aborted as RedriveAbortedError).report).toMatchObject({ found: 1, replayed: 0 });
  });

  test('409 ConditionalRequestConflict is retried, as S3 asks', async () => {
    const fake = new FakeS3();
    let conflicts = 0;
    fake.failWhen = (command) =>
      command === 'PutObjectCommand' && conflicts++ < 2
        ? s3Error('ConditionalRequestConflict', 409, 'A conflicting conditional operation is in progress')
        : undefined;
    expect((await ledgerOn(fake, 'r').claim(['k'])).claimed).toEqual(['k']);
    expect(fake.calls.filter((c) => c.command === 'PutObjectCommand')).toHaveLength(3);
  });
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

describe('options are checked', () => {
  test.each([0, -1, NaN, 1.5, 100_001])(
    'listFailureDocuments maxObjects %p is refused before any call',
    async (maxObjects) => {
      const fake = new FakeS3();
      await expect(listFailureDocuments({ client: fake.client, bucketName: 'b', maxObjects })).rejects.toThrow(
        `maxObjects must be an integer between 1 and 100000. Received ${maxObjects}`,
      );
      expect(fake.calls).toEqual([]);
    },
  );

  test.each([0, 501, NaN])('redrive batchSize %p is refused', async (batchSize) => {
    await expect(redrive(plan([1]), { target: ndjsonRedriveTarget(() => undefined), batchSize })).rejects.toThrow(
      `batchSize must be an integer between 1 and 500. Received ${batchSize}`,
    );
  });
});

test('every record found ends in one outcome; the counts say how many of each', async () => {
  const ledger = new InMemoryRedriveLedger();
  await ledger.markDone([parseFailureDocument(quarantine(1)).records[0].idempotencyKey]);
  const fake = fakeProducer(new Set(['record 3']));
  const withJunk = { ...plan([1, 2, 3]), unrecognized: [{ source: 'x', reason: 'not JSON' }] };
  const report = await redrive(withJunk, { target: kinesisRedriveTarget(fake.producer), ledger, batchSize: 1 });
  expect(report.counts).toEqual({
    found: 3,
    replayed: 1,
    alreadyReplayed: 1,
    skipped: 0,
    failed: 1,
    missing: 0,
    unrecognized: 1,
  });
  expect(report.complete).toBe(false);
});
