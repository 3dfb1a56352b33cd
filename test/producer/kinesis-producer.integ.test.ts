/**
 * KinesisProducer against the kinesis-local emulator (127.0.0.1, started here): records come
 * back byte for byte, and injected partial PutRecords failures are retried entry by entry.
 */
import { KinesisClient, type PutRecordsCommandInput, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { deaggregateSync, type UserRecord } from 'aws-kinesis-agg';
import { KinesisProducer, PartitionKey, seededRandom } from '../../packages/runtime/src/producer';
import { startKinesisLocal, type KinesisLocal } from '../support/kinesis-local';
import { createActiveStream, readAllRecords } from './kinesis-helpers';

let local: KinesisLocal;
beforeAll(async () => {
  local = await startKinesisLocal();
});
afterAll(async () => {
  await local?.stop();
});

const noSleep = async () => undefined;

/**
 * A client whose PutRecords fails the entries `fail(partitionKey, sends)` picks, at the adapter
 * edge: they are dropped from the real request and reported as throttled, as PutRecords does
 * (same index, ErrorCode set, FailedRecordCount > 0).
 */
function throttlingClient(fail: (partitionKey: string, sends: number) => boolean) {
  const client = new KinesisClient({ ...local.clientConfig, requestHandler: new NodeHttpHandler() });
  const sendsPerKey = new Map<string, number>();
  const injected = { count: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      const input = args.input as PutRecordsCommandInput;
      const entries = input.Records ?? [];
      const failed = entries.map((entry) => {
        const sends = (sendsPerKey.get(entry.PartitionKey!) ?? 0) + 1;
        sendsPerKey.set(entry.PartitionKey!, sends);
        return fail(entry.PartitionKey!, sends);
      });
      const kept = entries.filter((_, i) => !failed[i]);
      const sent =
        kept.length > 0
          ? ((await next({ ...args, input: { ...input, Records: kept } })).output as PutRecordsCommandOutput)
          : { Records: [], FailedRecordCount: 0, $metadata: {} };
      const results = [...(sent.Records ?? [])];
      const merged = failed.map((isFailed) => {
        if (!isFailed) return results.shift()!;
        injected.count++;
        return {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: 'Rate exceeded for shard (injected)',
        };
      });
      const output: PutRecordsCommandOutput = {
        ...sent,
        Records: merged,
        FailedRecordCount: merged.filter((r) => r.ErrorCode).length,
      };
      return { output, response: undefined };
    },
    { step: 'initialize', name: 'injectPartialFailures' },
  );
  return { client, sendsPerKey, injected };
}

/**
 * Payloads of mixed sizes: 1 byte, small, medium, a few of 100 KB+, and one of exactly 1 MiB with
 * its key. Kept to ~2 MB in total: the emulator is CPU-bound on a shared machine.
 */
function mixedPayloads(count: number, seed: number): Buffer[] {
  const random = seededRandom(seed);
  const sizes = [1, 1024 * 1024 - 'k-0'.length];
  while (sizes.length < count) {
    const r = random();
    sizes.push(
      r < 0.6
        ? 1 + Math.floor(random() * 200)
        : r < 0.99
          ? 200 + Math.floor(random() * 4_000)
          : 100_000 + Math.floor(random() * 150_000),
    );
  }
  return sizes.map((size) => {
    const buffer = Buffer.alloc(size);
    for (let i = 0; i < size; i += 97) buffer[i] = Math.floor(random() * 256);
    return buffer;
  });
}

test('produces N records of mixed sizes; all N come back byte-identical', async () => {
  await createActiveStream(local.client, 'mixed', 3);
  const payloads = mixedPayloads(520, 7);
  const producer = new KinesisProducer({ client: local.client, streamName: 'mixed' });
  for (const [i, data] of payloads.entries()) await producer.put({ data, partitionKey: `k-${i}` });
  const report = await producer.flush();

  expect(report.unsent).toEqual([]);
  expect(report.recordsSent).toBe(payloads.length);
  expect(report.bytesSent).toBe(payloads.reduce((sum, p) => sum + p.length, 0));
  // Batches are cut by the 500-record and the 5 MiB limits, whichever comes first.
  const totalBytes = payloads.reduce((sum, p, i) => sum + p.length + `k-${i}`.length, 0);
  expect(report.requests).toBeGreaterThanOrEqual(
    Math.max(Math.ceil(payloads.length / 500), Math.ceil(totalBytes / (5 * 1024 * 1024))),
  );

  const back = await readAllRecords(local.client, 'mixed');
  expect(back).toHaveLength(payloads.length);
  const byKey = new Map(back.map((r) => [r.PartitionKey!, Buffer.from(r.Data!)]));
  payloads.forEach((data, i) => expect(byKey.get(`k-${i}`)?.equals(data)).toBe(true));
});

test('one call in flight: under injected throttling a retried entry is written before any later record of its key', async () => {
  await createActiveStream(local.client, 'ordered', 2);
  // Every 5th entry sent for a user is throttled (its retry counts as another send).
  const { client, injected } = throttlingClient((_key, sends) => sends % 5 === 1);
  const producer = new KinesisProducer({
    client,
    streamName: 'ordered',
    partitionKey: PartitionKey.field('user'),
    maxConcurrentRequests: 1,
    sleep: noSleep,
  });
  const lines = Array.from({ length: 120 }, (_, i) => JSON.stringify({ user: `u${i % 3}`, n: i }));
  await producer.putAll(lines.map((data) => ({ data })));
  expect((await producer.flush()).unsent).toEqual([]);
  client.destroy();
  expect(injected.count).toBeGreaterThan(0);

  const back = await readAllRecords(local.client, 'ordered');
  expect(back).toHaveLength(lines.length);
  for (const user of ['u0', 'u1', 'u2']) {
    const ns = back
      .filter((r) => r.PartitionKey === user)
      .map((r) => (JSON.parse(Buffer.from(r.Data!).toString()) as { n: number }).n);
    expect(ns).toEqual([...ns].sort((a, b) => a - b));
  }
});

test('injected partial failures: only failed entries are retried, nothing lost, nothing duplicated', async () => {
  await createActiveStream(local.client, 'flaky', 2);
  // every 3rd record fails once, every 7th twice
  const { client, sendsPerKey, injected } = throttlingClient((key, sends) => {
    const index = Number(key.slice(2));
    return (index % 3 === 0 && sends === 1) || (index % 7 === 0 && sends <= 2);
  });
  const producer = new KinesisProducer({ client, streamName: 'flaky', sleep: noSleep, maxConcurrentRequests: 2 });
  const count = 1000;
  for (let i = 0; i < count; i++) await producer.put({ data: `record ${i}`, partitionKey: `p-${i}` });
  const report = await producer.flush();
  client.destroy();

  expect(report.unsent).toEqual([]);
  expect(report.recordsSent).toBe(count);
  expect(injected.count).toBeGreaterThan(0);
  expect(report.retriedEntries).toBe(injected.count);
  expect(report.throttledEntries).toBe(injected.count);
  // Each entry was sent once more per injected failure, never otherwise.
  for (let i = 0; i < count; i++) {
    const expectedSends = 1 + Math.max(i % 3 === 0 ? 1 : 0, i % 7 === 0 ? 2 : 0);
    expect(sendsPerKey.get(`p-${i}`)).toBe(expectedSends);
  }
  const back = await readAllRecords(local.client, 'flaky');
  expect(back).toHaveLength(count);
  expect(new Set(back.map((r) => Buffer.from(r.Data!).toString())).size).toBe(count);
});

test('KPL aggregation packs small records; de-aggregated they are byte-identical with their own keys', async () => {
  await createActiveStream(local.client, 'aggregated', 1);
  const producer = new KinesisProducer({ client: local.client, streamName: 'aggregated', aggregate: true });
  // Aggregation is for small records.
  const payloads = mixedPayloads(2000, 11).filter((p) => p.length < 1000);
  for (const [i, data] of payloads.entries()) await producer.put({ data, partitionKey: `a-${i}` });
  const report = await producer.flush();
  expect(report.unsent).toEqual([]);
  expect(report.recordsSent).toBe(payloads.length);

  const back = await readAllRecords(local.client, 'aggregated');
  // Many user records per Kinesis record.
  expect(back.length).toBeLessThan(payloads.length / 10);
  const users: UserRecord[] = [];
  for (const record of back) {
    deaggregateSync(
      {
        data: Buffer.from(record.Data!).toString('base64'),
        partitionKey: record.PartitionKey!,
        sequenceNumber: record.SequenceNumber!,
        approximateArrivalTimestamp: 0,
        kinesisSchemaVersion: '1.0',
      },
      true,
      (err, userRecords) => {
        if (err) throw err;
        users.push(...(userRecords ?? []));
      },
    );
  }
  expect(users).toHaveLength(payloads.length);
  // Aggregates travel in up to 4 concurrent calls, so compare by key, not by position.
  const byKey = new Map(users.map((user) => [user.partitionKey, Buffer.from(user.data, 'base64')]));
  expect(byKey.size).toBe(payloads.length);
  payloads.forEach((data, i) => expect(byKey.get(`a-${i}`)?.equals(data)).toBe(true));
});
