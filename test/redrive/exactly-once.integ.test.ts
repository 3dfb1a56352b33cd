/**
 * Exactly-once claims against the kinesis-local emulator (127.0.0.1, started here) and a fake
 * S3 that honours conditional writes (./fake-s3.ts): two redrives over the same objects never
 * both put a record, and a crash between the put and the mark duplicates at most the batch in
 * flight, once the claims' lease has run out.
 */
import { KinesisProducer } from '../../packages/runtime/src/producer';
import {
  RedriveAbortedError,
  S3RedriveLedger,
  kinesisRedriveTarget,
  listFailureDocuments,
  redrive,
  type RedriveReport,
} from '../../packages/runtime/src/redrive';
import { startKinesisLocal, type KinesisLocal } from '../support/kinesis-local';
import { createActiveStream, readAllRecords } from '../producer/kinesis-helpers';
import { FakeS3, s3Error } from './fake-s3';

const SOURCE_ARN = 'arn:aws:kinesis:us-east-1:111111111111:stream/source';
const RECORDS = 35;
const BATCH = 10;
const LEASE = 60_000;

let local: KinesisLocal;
beforeAll(async () => {
  local = await startKinesisLocal();
});
afterAll(async () => {
  await local?.stop();
});

/** A bucket of RECORDS quarantine records, one object each. */
function bucketWithQuarantine(): FakeS3 {
  const s3 = new FakeS3();
  for (let n = 0; n < RECORDS; n++) {
    s3.put(
      `quarantine/source/shardId-000000000000/${String(1000 + n)}.json`,
      JSON.stringify({
        version: 1,
        reason: 'PoisonRecordError',
        error: { name: 'Error', message: 'bad' },
        streamArn: SOURCE_ARN,
        shardId: 'shardId-000000000000',
        sequenceNumber: String(1000 + n),
        partitionKey: `pk-${n}`,
        approximateArrivalTimestamp: '2024-01-01T00:00:00.000Z',
        quarantinedAt: '2024-01-01T00:00:01.000Z',
        data: Buffer.from(`record ${n}`).toString('base64'),
      }),
    );
  }
  return s3;
}

async function run(s3: FakeS3, streamName: string, clock: () => number, runId: string): Promise<RedriveReport> {
  const plan = await listFailureDocuments({ client: s3.client, bucketName: 'failures', prefix: 'quarantine/' });
  return redrive(plan, {
    target: kinesisRedriveTarget(new KinesisProducer({ client: local.client, streamName })),
    ledger: new S3RedriveLedger({ client: s3.client, bucketName: 'failures', runId, leaseMillis: LEASE, now: clock }),
    batchSize: BATCH,
    now: clock,
  });
}

async function streamData(streamName: string): Promise<string[]> {
  return (await readAllRecords(local.client, streamName)).map((r) => Buffer.from(r.Data!).toString());
}

test('two redrives over the same objects at once: every record is put exactly once', async () => {
  await createActiveStream(local.client, 'concurrent', 1);
  const s3 = bucketWithQuarantine();
  const [a, b] = await Promise.all([
    run(s3, 'concurrent', Date.now, 'run-a'),
    run(s3, 'concurrent', Date.now, 'run-b'),
  ]);
  const data = await streamData('concurrent');
  expect(data).toHaveLength(RECORDS);
  expect(new Set(data).size).toBe(RECORDS);
  // Each record was put by one run; the other found it done or held by the first.
  expect(a.replayed + b.replayed).toBe(RECORDS);
  expect(new Set([...a.replayedKeys, ...b.replayedKeys]).size).toBe(RECORDS);
  for (const report of [a, b]) {
    expect(report.replayed + report.alreadyReplayed + report.skipped.length).toBe(RECORDS);
    for (const s of report.skipped) expect(s.reason).toMatch(/^claimed by redrive run run-[ab] until /);
  }
  // Both really raced: both claimed something, and conditional writes collided.
  expect(a.replayed).toBeGreaterThan(0);
  expect(b.replayed).toBeGreaterThan(0);
  // A third run finds everything done.
  const third = await run(s3, 'concurrent', Date.now, 'run-c');
  expect(third).toMatchObject({ replayed: 0, alreadyReplayed: RECORDS, complete: true });
  expect(await streamData('concurrent')).toHaveLength(RECORDS);
});

test('a crash between put and mark: a rerun skips the batch in flight until its lease ends, then duplicates that batch only', async () => {
  await createActiveStream(local.client, 'crash', 1);
  const s3 = bucketWithQuarantine();
  let time = Date.parse('2024-06-01T00:00:00Z');
  const clock = () => time;
  // The second batch's marks fail: the process "dies" after that batch was put.
  let marks = 0;
  s3.failWhen = (command, input) =>
    command === 'PutObjectCommand' && String(input.Body).includes('"state":"done"') && ++marks > BATCH
      ? s3Error('InternalError', 500, 'We encountered an internal error. Please try again.')
      : undefined;
  const crashed = run(s3, 'crash', clock, 'crashed');
  await expect(crashed).rejects.toThrow(RedriveAbortedError);
  const aborted = (await crashed.catch((e: RedriveAbortedError) => e)) as RedriveAbortedError;
  expect(aborted.message).toMatch(
    /^redrive ledger s3:\/\/failures\/redrive-ledger\/[0-9a-f]{64}: cannot mark done .+: InternalError: We encountered an internal error\. Please try again\.$/,
  );
  expect(aborted.report.replayed).toBe(2 * BATCH);
  expect(await streamData('crash')).toHaveLength(2 * BATCH);
  s3.failWhen = () => undefined;

  // Within the lease: the claimed batch is skipped (reported), the rest is replayed.
  const early = await run(s3, 'crash', clock, 'early');
  expect(early).toMatchObject({ replayed: RECORDS - 2 * BATCH, alreadyReplayed: BATCH, complete: false });
  expect(early.skipped).toHaveLength(BATCH);
  expect(early.skipped[0].reason).toMatch(/claimed by redrive run crashed until 2024-06-01T00:01:00.000Z/);
  expect(await streamData('crash')).toHaveLength(RECORDS);

  // After the lease: the crashed run's claims are taken over and that batch is put again.
  time += LEASE + 1;
  const late = await run(s3, 'crash', clock, 'late');
  expect(late).toMatchObject({ replayed: BATCH, alreadyReplayed: RECORDS - BATCH, complete: true });
  const data = await streamData('crash');
  const duplicates = data.length - new Set(data).size;
  // The duplicate window measured: the batch in flight when the run died, no more.
  expect(duplicates).toBe(BATCH);
  expect(new Set(data).size).toBe(RECORDS);
  // And then nothing is left.
  expect(await run(s3, 'crash', clock, 'after')).toMatchObject({ replayed: 0, alreadyReplayed: RECORDS });
});
