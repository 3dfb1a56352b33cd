/**
 * Shard-aware KPL aggregation, without a service: exact byte sizes, the packer's invariants, and
 * what the KCL's de-aggregation rule (kcl-deaggregate.ts) and Lambda's (the runtime's
 * userRecordsOf) make of the aggregates.
 */
import fc from 'fast-check';
import { userRecordsOf } from '../../packages/runtime/src/kinesis-batch/user-records';
import { KplAggregateBuilder } from '../../packages/runtime/src/producer/aggregation';
import { effectiveHashKey, partitionKeyHash } from '../../packages/runtime/src/producer/hash-key';
import { MAX_HASH_KEY } from '../../packages/runtime/src/producer/limits';
import { aggregatingPacker } from '../../packages/runtime/src/producer/packing';
import type { ShardRange } from '../../packages/runtime/src/producer/shard-map';
import type { QueuedItem, WireEntry } from '../../packages/runtime/src/producer/wire';
import { kclDeaggregate } from './kcl-deaggregate';
import { asLambdaRecord } from './lambda-records';

/** n shards splitting the hash key space evenly, as CreateStream does. */
function evenShards(n: number): ShardRange[] {
  const width = (MAX_HASH_KEY + 1n) / BigInt(n);
  return Array.from({ length: n }, (_, i) => ({
    shardId: `shardId-${String(i).padStart(12, '0')}`,
    startingHashKey: width * BigInt(i),
    endingHashKey: i === n - 1 ? MAX_HASH_KEY : width * BigInt(i + 1) - 1n,
  }));
}
const shardFor = (shards: ShardRange[]) => (hash: bigint) =>
  shards.find((s) => hash >= s.startingHashKey && hash <= s.endingHashKey);

let next = 0;
function queued(partitionKey: string, size: number, explicitHashKey?: string): QueuedItem {
  const data = Buffer.alloc(size, next++ % 251);
  return {
    record: { data, partitionKey, explicitHashKey },
    data,
    partitionKey,
    explicitHashKey,
    hashKey: effectiveHashKey(partitionKey, explicitHashKey),
    sizeInBytes: size + Buffer.byteLength(partitionKey),
    payloadBytes: size,
  };
}

/** Keys of any Unicode (CJK, emoji, combining marks), at most 256 UTF-16 code units. */
const keyArb = fc
  .oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 256 }), fc.constantFrom('k', '中文键', '😀'.repeat(128)))
  .filter((k) => k.length >= 1 && k.length <= 256);
const hashKeyArb = fc.bigInt({ min: 0n, max: MAX_HASH_KEY }).map(String);
const itemArb = fc
  .record({
    key: keyArb,
    size: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1000, max: 20_000 })),
    ehk: fc.option(hashKeyArb, { freq: 4, nil: undefined }),
  })
  .map(({ key, size, ehk }) => queued(key, size, ehk));

/** The entry as PutRecords would carry it, in the shape GetRecords returns it. */
const asRecord = (entry: WireEntry, sequence: number) => ({
  Data: entry.data,
  PartitionKey: entry.partitionKey,
  ExplicitHashKey: entry.explicitHashKey,
  SequenceNumber: String(sequence),
});

describe('KplAggregateBuilder', () => {
  test('property: the size counted up front is the size on the wire, byte for byte, with any Unicode keys', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 2, maxLength: 30 }), (items) => {
        const builder = new KplAggregateBuilder('shardId-000000000000');
        for (const item of items) {
          const expected = builder.sizeWith(item);
          builder.add(item);
          expect(builder.sizeInBytes).toBe(expected);
        }
        const entry = builder.build();
        expect(entry.data.byteLength + Buffer.byteLength(entry.partitionKey!)).toBe(builder.sizeInBytes);
        expect(entry.sizeInBytes).toBe(builder.sizeInBytes);
        // Lambda's de-aggregation gives back every user record with its own keys and bytes
        const back = userRecordsOf(asLambdaRecord(asRecord(entry, 1), 'shardId-000000000000'));
        expect(back.map((u) => [u.partitionKey, u.explicitHashKey, u.data.toString('hex')])).toEqual(
          items.map((i) => [i.partitionKey, i.explicitHashKey, Buffer.from(i.data).toString('hex')]),
        );
      }),
      { numRuns: 30, seed: 1 },
    );
  });

  test('one user record goes plain, with its own keys', () => {
    const builder = new KplAggregateBuilder('shardId-000000000001');
    const item = queued('solo', 10, '42');
    builder.add(item);
    expect(builder.build()).toMatchObject({ partitionKey: 'solo', explicitHashKey: '42', data: item.data });
  });
});

describe('aggregatingPacker', () => {
  const budget = { entries: 500, bytes: 5 * 1024 * 1024 };

  test('property: limits in exact bytes, one shard per aggregate with its hash key inside, key order, nothing lost', () => {
    fc.assert(
      fc.property(
        fc.array(itemArb, { maxLength: 80 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(64, 1000, 51_200, 1024 * 1024),
        fc.boolean(),
        fc.record({
          entries: fc.integer({ min: 1, max: 500 }),
          bytes: fc.integer({ min: 1024 * 1024, max: 5 * 1024 * 1024 }),
        }),
        (queue, shardCount, maxAggregate, ordered, room) => {
          const shards = evenShards(shardCount);
          const pack = aggregatingPacker({ shardFor: shardFor(shards), maxAggregateSizeInBytes: maxAggregate });
          const { entries, rest } = pack(queue, room, ordered);
          // within the call limits, counted as the service counts: data plus UTF-8 partition key
          expect(entries.length).toBeLessThanOrEqual(room.entries);
          const wire = entries.map((e) => e.data.byteLength + Buffer.byteLength(e.partitionKey!));
          expect(wire.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(room.bytes);
          entries.forEach((e, i) => {
            expect(wire[i]).toBeLessThanOrEqual(1024 * 1024);
            expect(wire[i]).toBeLessThanOrEqual(e.sizeInBytes);
            if (!e.aggregated) return;
            expect(wire[i]).toBeLessThanOrEqual(maxAggregate);
            const shard = shards.find((s) => s.shardId === e.predictedShardId)!;
            const inShard = (h: bigint) => h >= shard.startingHashKey && h <= shard.endingHashKey;
            expect(e.items.every((item) => inShard(item.hashKey!))).toBe(true);
            expect(inShard(BigInt(e.explicitHashKey!))).toBe(true);
          });
          // nothing lost or doubled; what stays keeps its order
          const taken = entries.flatMap((e) => e.items);
          expect(new Set([...taken, ...rest]).size).toBe(queue.length);
          expect(taken.length + rest.length).toBe(queue.length);
          expect(rest).toEqual(queue.filter((q) => rest.includes(q)));
          // a key's taken records are the first ones of that key
          for (const held of rest) {
            const later = queue.slice(queue.indexOf(held) + 1).filter((q) => q.partitionKey === held.partitionKey);
            expect(later.every((q) => rest.includes(q))).toBe(true);
          }
          if (ordered) {
            const owners = new Map<string, number>();
            entries.forEach((e, i) =>
              e.items.forEach((item) => {
                expect(owners.get(item.partitionKey!) ?? i).toBe(i);
                owners.set(item.partitionKey!, i);
              }),
            );
          }
          if (queue.length > 0 && room.entries === 500 && room.bytes === budget.bytes) {
            expect(taken.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 100, seed: 2 },
    );
  });

  test('property: a KCL reader of each shard gets every user record (0 lost); so does Lambda', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 8 }), (queue, n) => {
        const shards = evenShards(n);
        const pack = aggregatingPacker({ shardFor: shardFor(shards), maxAggregateSizeInBytes: 51_200 });
        const { entries, rest } = pack(queue, budget, false);
        expect(rest).toEqual([]);
        // Kinesis routes each entry by its explicit hash key, else by its partition key's MD5
        const kcl: Buffer[] = [];
        const lambda: Buffer[] = [];
        entries.forEach((entry, i) => {
          const shard = shardFor(shards)(effectiveHashKey(entry.partitionKey!, entry.explicitHashKey))!;
          kcl.push(...kclDeaggregate([asRecord(entry, i)], shard).map((u) => u.data));
          lambda.push(...userRecordsOf(asLambdaRecord(asRecord(entry, i), shard.shardId)).map((u) => u.data));
        });
        expect(kcl).toHaveLength(queue.length);
        expect(lambda).toHaveLength(queue.length);
      }),
      { numRuns: 40, seed: 3 },
    );
  });

  test('the KCL rule drops a whole aggregate as soon as one user record lies outside the shard', () => {
    const [low, high] = evenShards(2);
    const inLow = ['a', 'b', 'c', 'd', 'e'].filter((k) => partitionKeyHash(k) <= low.endingHashKey);
    const inHigh = ['a', 'b', 'c', 'd', 'e'].filter((k) => partitionKeyHash(k) > low.endingHashKey);
    const builder = new KplAggregateBuilder(low.shardId);
    for (const key of [...inLow, inHigh[0], ...inLow]) builder.add(queued(key, 5));
    const record = asRecord(builder.build(), 1);
    expect(kclDeaggregate([record], low)).toEqual([]);
    expect(kclDeaggregate([record], high)).toEqual([]);
    expect(userRecordsOf(asLambdaRecord(record, low.shardId))).toHaveLength(2 * inLow.length + 1);
  });
});
