/**
 * Issue 14, defect 1: aggregated records must be readable by every consumer. On kinesis-local
 * (127.0.0.1, started here) a 4-shard stream gets records with random partition keys from an
 * aggregating KinesisProducer, is resharded to 8 shards in the middle of the run
 * (UpdateShardCount), and every shard (closed parents and children) is read back and
 * de-aggregated twice:
 * - with the KCL's rule (kcl-deaggregate.ts: an aggregate holding a user record outside the
 *   shard's hash-key range is dropped whole, amazon-kinesis-client AggregatorUtil);
 * - with Lambda's, the runtime's userRecordsOf (no range check).
 * Both must find every record: 0 lost. Before shard-aware aggregation the KCL reader found 0 of
 * 1,200 (every aggregate of random keys spans shards).
 */
import { UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { userRecordsOf } from '../../packages/runtime/src/kinesis-batch/user-records';
import { KinesisProducer, mergeReports, type ProducerReport } from '../../packages/runtime/src/producer';
import { startKinesisLocal, type KinesisLocal } from '../support/kinesis-local';
import { kclDeaggregate } from './kcl-deaggregate';
import { createActiveStream, readRecordsByShard, waitUntilActive } from './kinesis-helpers';
import { asLambdaRecord } from './lambda-records';

let local: KinesisLocal;
beforeAll(async () => {
  local = await startKinesisLocal({ updateShardCountDuration: '2s' });
});
afterAll(async () => {
  await local?.stop();
});

const PER_PHASE = 400;

test('KCL and Lambda readers get every aggregated record, before, during and after a reshard from 4 to 8 shards', async () => {
  await createActiveStream(local.client, 'kcl', 4);
  const producer = new KinesisProducer({ client: local.client, streamName: 'kcl', aggregate: true });
  const sent: string[] = [];
  const put = async (phase: string, count: number, pauseEvery = 0) => {
    for (let i = 0; i < count; i++) {
      const data = `${phase}-${i}`;
      sent.push(data);
      await producer.put({ data }); // random partition keys (the default strategy)
      if (pauseEvery && i % pauseEvery === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  await put('before', PER_PHASE);
  let report: ProducerReport = await producer.flush();
  await local.client.send(
    new UpdateShardCountCommand({ StreamName: 'kcl', TargetShardCount: 8, ScalingType: 'UNIFORM_SCALING' }),
  );
  await put('during', PER_PHASE, 20); // about 0.4 s of puts while the stream is UPDATING
  await waitUntilActive(local.client, 'kcl');
  // The producer's map still shows the 4 parents: its first aggregates land on children.
  await put('after', PER_PHASE);
  report = mergeReports(report, await producer.flush());
  expect(report.unsent).toEqual([]);
  expect(report.recordsSent).toBe(3 * PER_PHASE);

  const shards = await readRecordsByShard(local.client, 'kcl');
  expect(shards.length).toBe(12); // 4 closed parents, 8 open children

  const kcl = shards.flatMap((shard) => kclDeaggregate(shard.records, shard).map((u) => u.data.toString()));
  const lambda = shards.flatMap((shard) =>
    shard.records.flatMap((record) =>
      userRecordsOf(asLambdaRecord(record, shard.shardId)).map((u) => u.data.toString()),
    ),
  );
  const lost = (read: string[]) => {
    const seen = new Set(read);
    return { read: seen.size, lost: sent.filter((d) => !seen.has(d)).length };
  };
  expect({ kcl: lost(kcl), lambda: lost(lambda) }).toEqual({
    kcl: { read: sent.length, lost: 0 },
    lambda: { read: sent.length, lost: 0 },
  });
  // Aggregates, not one record per entry.
  expect(shards.reduce((n, s) => n + s.records.length, 0)).toBeLessThan(sent.length / 5);
  // Records re-sent after a misrouted aggregate reach Lambda twice (at-least-once), the KCL once.
  expect(kcl.length).toBe(sent.length);
  expect(lambda.length).toBe(sent.length + report.redirectedRecords);
  expect(report.redirectedRecords).toBeGreaterThan(0);
});
