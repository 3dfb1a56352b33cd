/** Builders for Kinesis Lambda events, plain and KPL-aggregated, shaped like the AWS samples. */
import { createHash } from 'node:crypto';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

// The KPL protobuf model shipped with aws-kinesis-agg (no types).
const kpl = require('aws-kinesis-agg/lib/common') as {
  magic: Buffer;
  AggregatedRecord: { encode(message: unknown): { finish(): Uint8Array } };
};

export const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/test-stream';
export const SHARD_ID = 'shardId-000000000003';
const BASE_SEQUENCE = 49590338271490256608559692538361571095921575989136588898n;

/** Increasing 56-digit sequence numbers, like real ones. */
export function sequenceNumberAt(index: number): string {
  return (BASE_SEQUENCE + BigInt(index) * 1_000_003n).toString();
}

export interface SubRecord {
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly data: Buffer;
}

/** A KPL aggregated record (magic, protobuf, md5) built with aws-kinesis-agg's model. */
export function encodeKplAggregate(records: readonly SubRecord[]): Buffer {
  const keys = [...new Set(records.map((r) => r.partitionKey))];
  const hashKeys = [...new Set(records.flatMap((r) => (r.explicitHashKey ? [r.explicitHashKey] : [])))];
  const message = Buffer.from(
    kpl.AggregatedRecord.encode({
      partition_key_table: keys,
      explicit_hash_key_table: hashKeys,
      records: records.map((r) => ({
        partition_key_index: keys.indexOf(r.partitionKey),
        ...(r.explicitHashKey ? { explicit_hash_key_index: hashKeys.indexOf(r.explicitHashKey) } : {}),
        data: r.data,
        tags: [],
      })),
    }).finish(),
  );
  return Buffer.concat([kpl.magic, message, createHash('md5').update(message).digest()]);
}

export interface EventRecordInput {
  readonly data: Buffer;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly arrivalSeconds?: number;
}

export function kinesisRecord(input: EventRecordInput): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: input.partitionKey,
      sequenceNumber: input.sequenceNumber,
      data: input.data.toString('base64'),
      approximateArrivalTimestamp: input.arrivalSeconds ?? 1545084650.987,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${SHARD_ID}:${input.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
    awsRegion: 'us-east-1',
    eventSourceARN: STREAM_ARN,
  };
}

export function kinesisEvent(records: readonly EventRecordInput[]): KinesisStreamEvent {
  return { Records: records.map(kinesisRecord) };
}

/** JSON records over `keys` partition keys, round robin. */
export function jsonEvent(count: number, keys: number): KinesisStreamEvent {
  return kinesisEvent(
    Array.from({ length: count }, (_, i) => ({
      data: Buffer.from(JSON.stringify({ id: i, key: `k${i % keys}`, status: 200 + (i % 7), path: `/p/${i}` })),
      partitionKey: `k${i % keys}`,
      sequenceNumber: sequenceNumberAt(i),
    })),
  );
}
