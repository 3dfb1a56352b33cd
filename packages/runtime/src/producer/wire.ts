import type { ProducerRecord } from './types';

/** A validated user record waiting in a producer's buffer, with what packing needs to know. */
export interface QueuedItem {
  /** The very object passed to `put`. */
  readonly record: ProducerRecord;
  /** The payload bytes as sent (Firehose: with the delimiter). */
  readonly data: Uint8Array;
  /** Kinesis only. */
  readonly partitionKey?: string;
  readonly explicitHashKey?: string;
  /** Kinesis with aggregation: the 128-bit hash key the record is routed by. */
  readonly hashKey?: bigint;
  /** Bytes the record counts against the record and request limits as a plain entry (data plus UTF-8 key). */
  readonly sizeInBytes: number;
  /** Payload bytes of the user record, for the report. */
  readonly payloadBytes: number;
  /** Set once an attempt may have written the record (a timeout, a misrouted aggregate). */
  maybeWritten?: boolean;
}

/** One entry of a batch call: the bytes on the wire and the user records they carry. */
export interface WireEntry {
  readonly data: Uint8Array;
  readonly partitionKey?: string;
  readonly explicitHashKey?: string;
  /** Bytes this entry counts against the per-call limit (data plus UTF-8 partition key). */
  readonly sizeInBytes: number;
  /** The user records inside: one, or many when KPL-aggregated. */
  readonly items: readonly QueuedItem[];
  /** The shard the entry was packed for, when the shard map knew it. */
  readonly predictedShardId?: string;
  /** A KPL aggregate (of two or more user records, every one's hash key inside the predicted shard's range). */
  readonly aggregated?: boolean;
}

/** Room left in the request being built. */
export interface RequestBudget {
  readonly entries: number;
  readonly bytes: number;
  /** Partition keys already in other entries of the request (kept out when `ordered`). */
  readonly usedKeys?: ReadonlySet<string>;
}

/** Turns buffered items into the entries of one request; what it leaves stays buffered, in order. */
export type Packer = (
  queue: readonly QueuedItem[],
  budget: RequestBudget,
  ordered: boolean,
) => { entries: WireEntry[]; rest: QueuedItem[] };
