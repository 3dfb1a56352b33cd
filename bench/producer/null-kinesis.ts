/**
 * A stand-in for the Kinesis API on 127.0.0.1 that accepts every record and keeps none: enough
 * of the JSON protocol (X-Amz-Target) for `produce` (DescribeStreamSummary, ListShards,
 * PutRecords). It counts what it received, so that the benchmark can check nothing was lost,
 * and measures the client, not an emulator holding a gigabyte.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NullKinesis {
  readonly endpoint: string;
  /** Entries (plain records or aggregates) and PutRecords calls received. */
  readonly received: { entries: number; calls: number };
  stop(): Promise<void>;
}

const MAX_HASH_KEY = (1n << 128n) - 1n;

export async function startNullKinesis(shardCount = 4): Promise<NullKinesis> {
  const received = { entries: 0, calls: 0 };
  const width = (MAX_HASH_KEY + 1n) / BigInt(shardCount);
  const shards = Array.from({ length: shardCount }, (_, i) => ({
    ShardId: `shardId-${String(i).padStart(12, '0')}`,
    HashKeyRange: {
      StartingHashKey: String(width * BigInt(i)),
      EndingHashKey: String(i === shardCount - 1 ? MAX_HASH_KEY : width * BigInt(i + 1) - 1n),
    },
    SequenceNumberRange: { StartingSequenceNumber: '1' },
  }));
  const answer = (target: string, body: string): unknown => {
    switch (target) {
      case 'Kinesis_20131202.DescribeStreamSummary':
        return {
          StreamDescriptionSummary: {
            StreamName: (JSON.parse(body) as { StreamName?: string }).StreamName ?? 'null',
            StreamARN: 'arn:aws:kinesis:us-east-1:111111111111:stream/null',
            StreamStatus: 'ACTIVE',
            RetentionPeriodHours: 24,
            StreamCreationTimestamp: 0,
            EnhancedMonitoring: [],
            OpenShardCount: shardCount,
          },
        };
      case 'Kinesis_20131202.ListShards':
        return { Shards: shards };
      case 'Kinesis_20131202.PutRecords': {
        type Entry = { PartitionKey: string; ExplicitHashKey?: string };
        const records = (JSON.parse(body) as { Records: Entry[] }).Records;
        received.calls++;
        received.entries += records.length;
        // Routed as Kinesis routes: the explicit hash key, else the MD5 of the partition key.
        const shardOf = (entry: Entry) => {
          const hash = BigInt(
            entry.ExplicitHashKey ?? `0x${createHash('md5').update(entry.PartitionKey, 'utf8').digest('hex')}`,
          );
          return Number(hash / width) < shardCount ? Number(hash / width) : shardCount - 1;
        };
        return {
          FailedRecordCount: 0,
          Records: records.map((entry, i) => ({
            SequenceNumber: String(received.entries + i),
            ShardId: shards[shardOf(entry)].ShardId,
          })),
        };
      }
      default:
        return undefined;
    }
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const result = answer(target, Buffer.concat(chunks).toString('utf8'));
      response.writeHead(result === undefined ? 400 : 200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify(result ?? { __type: 'UnknownOperationException', message: `not emulated: ${target}` }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
