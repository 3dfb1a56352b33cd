import { createHash } from 'node:crypto';
import type { QueuedItem, WireEntry } from './wire';

/**
 * The protobuf model of the KPL aggregated record format, from aws-kinesis-agg (AWS's
 * implementation; the module has no type declarations). We encode with it but count sizes
 * ourselves: its RecordAggregator counts partition keys in UTF-16 code units
 * (`record.partitionKey.length`, lib/kpl-agg.js calculateRecordSize), so aggregates with
 * non-ASCII keys grew past 1 MiB and were refused.
 */
const kpl = require('aws-kinesis-agg/lib/common') as {
  AggregatedRecord: { encode(message: unknown): { finish(): Uint8Array } };
};

/** @see https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md */
const KPL_MAGIC = Buffer.from('f3899ac2', 'hex');
const DIGEST_BYTES = 16;

/**
 * Partition key of an aggregate. Its explicit hash key routes it, so the key is a one-byte
 * placeholder, as the KPL's (`KinesisRecord::partition_key()` returns "a" for aggregates,
 * aws/kinesis/core/kinesis_record.cc).
 */
export const AGGREGATE_PARTITION_KEY = 'a';

/** Default upper bound of one aggregate: the KPL's AggregationMaxSize default (51,200 bytes). */
export const DEFAULT_MAX_AGGREGATE_SIZE_IN_BYTES = 51_200;

/** Bytes of a protobuf varint. */
function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/** Bytes of a length-delimited protobuf field (one-byte tag, length, body). */
const fieldSize = (bodyBytes: number) => 1 + varintSize(bodyBytes) + bodyBytes;

/**
 * Builds one KPL aggregated record from user records of ONE shard, counting its exact size in
 * bytes as it goes (protobuf field by field, keys in UTF-8), so that the record and request
 * limits hold byte for byte.
 */
export class KplAggregateBuilder {
  public readonly items: QueuedItem[] = [];
  private readonly keyIndex = new Map<string, number>();
  private readonly hashKeyIndex = new Map<string, number>();
  private messageBytes = 0;

  constructor(public readonly shardId: string) {}

  /** Bytes the aggregate counts against the limits (data plus its partition key). */
  public get sizeInBytes(): number {
    return KPL_MAGIC.length + this.messageBytes + DIGEST_BYTES + AGGREGATE_PARTITION_KEY.length;
  }

  /** What `sizeInBytes` would be with the item added. */
  public sizeWith(item: QueuedItem): number {
    return this.sizeInBytes + this.growth(item);
  }

  public add(item: QueuedItem): void {
    this.messageBytes += this.growth(item);
    const key = item.partitionKey!;
    if (!this.keyIndex.has(key)) this.keyIndex.set(key, this.keyIndex.size);
    const ehk = item.explicitHashKey;
    if (ehk !== undefined && !this.hashKeyIndex.has(ehk)) this.hashKeyIndex.set(ehk, this.hashKeyIndex.size);
    this.items.push(item);
  }

  /**
   * The entry to send. A single user record goes as it is, with its own keys: every consumer
   * reads it, and it is smaller than its aggregate. An aggregate's explicit hash key is its first
   * record's hash key, inside the shard's range (the KPL's `KinesisRecord::explicit_hash_key()`).
   */
  public build(): WireEntry {
    if (this.items.length === 1) return { ...plainEntry(this.items[0]), predictedShardId: this.shardId };
    const records = this.items.map((item) => {
      const record: Record<string, unknown> = {
        partition_key_index: this.keyIndex.get(item.partitionKey!),
        data: item.data,
      };
      if (item.explicitHashKey !== undefined) {
        record.explicit_hash_key_index = this.hashKeyIndex.get(item.explicitHashKey);
      }
      return record;
    });
    const body = kpl.AggregatedRecord.encode({
      partition_key_table: [...this.keyIndex.keys()],
      explicit_hash_key_table: [...this.hashKeyIndex.keys()],
      records,
    }).finish();
    const digest = createHash('md5').update(body).digest();
    return {
      data: Buffer.concat([KPL_MAGIC, body, digest]),
      partitionKey: AGGREGATE_PARTITION_KEY,
      explicitHashKey: this.items[0].hashKey!.toString(),
      sizeInBytes: this.sizeInBytes,
      items: this.items,
      predictedShardId: this.shardId,
      aggregated: true,
    };
  }

  /** Bytes the protobuf message grows by when the item is added. */
  private growth(item: QueuedItem): number {
    const key = item.partitionKey!;
    let growth = 0;
    let keyIndex = this.keyIndex.get(key);
    if (keyIndex === undefined) {
      keyIndex = this.keyIndex.size;
      growth += fieldSize(Buffer.byteLength(key, 'utf8'));
    }
    let recordBytes = 1 + varintSize(keyIndex) + fieldSize(item.data.byteLength);
    const ehk = item.explicitHashKey;
    if (ehk !== undefined) {
      let ehkIndex = this.hashKeyIndex.get(ehk);
      if (ehkIndex === undefined) {
        ehkIndex = this.hashKeyIndex.size;
        growth += fieldSize(Buffer.byteLength(ehk, 'utf8'));
      }
      recordBytes += 1 + varintSize(ehkIndex);
    }
    return growth + fieldSize(recordBytes);
  }
}

/** A user record as a plain (not aggregated) entry. */
export function plainEntry(item: QueuedItem): WireEntry {
  return {
    data: item.data,
    partitionKey: item.partitionKey,
    explicitHashKey: item.explicitHashKey,
    sizeInBytes: item.sizeInBytes,
    items: [item],
  };
}
