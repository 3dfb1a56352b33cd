/** One record handed to a producer. */
export interface ProducerRecord {
  /** The payload; strings are sent as UTF-8. */
  readonly data: Uint8Array | string;
  /** Kinesis only. @default - chosen by the producer's partition-key strategy */
  readonly partitionKey?: string;
  /** Kinesis only: route to the shard owning this 128-bit hash (decimal). @default - the hash of the partition key */
  readonly explicitHashKey?: string;
}

/**
 * What became of a record that is not counted as sent:
 * - `rejected`: refused by `put()` before anything was sent (invalid partition key or explicit
 *   hash key, too large). Never written. Fix the record; sending it again fails the same way.
 * - `failed`: the service answered with an error for every attempt, or a non-retryable one
 *   (throttled until the retry budget ran out, access denied). Never written: safe to send again.
 * - `unknown`: at least one attempt ended without an answer (a timeout, a dropped connection, a
 *   5xx), or went into a KPL aggregate that landed on another shard than predicted. The record may
 *   have been written: sending it again can make a duplicate.
 */
export type UnsentOutcome = 'rejected' | 'failed' | 'unknown';

/** A record the producer did not get acknowledged, with the last error. */
export interface UnsentRecord {
  /** The very object passed to `put`. */
  readonly record: ProducerRecord;
  readonly outcome: UnsentOutcome;
  /** e.g. ProvisionedThroughputExceededException, TimeoutError, InvalidPartitionKey, RecordTooLarge */
  readonly errorCode: string;
  readonly errorMessage: string;
  /** How many times the record was sent (0 when rejected). */
  readonly attempts: number;
}

/**
 * What a producer did since the previous flush. Every record put is in exactly one of
 * `recordsSent`, `rejected`, `failed` and `unknown`; `unsent` lists the last three together.
 *
 * Delivery is at-least-once: a record counted in `recordsSent` was acknowledged by the service,
 * but retries after a timeout can write it twice, and records listed in `unknown` may already be
 * in the stream. Consumers should tolerate duplicates.
 */
export interface ProducerReport {
  /** User records the service acknowledged (records inside a KPL aggregate count one each). */
  readonly recordsSent: number;
  /** Payload bytes of the acknowledged user records. */
  readonly bytesSent: number;
  /** PutRecords / PutRecordBatch calls made, retries included. */
  readonly requests: number;
  /** Entries the service rejected for throughput (ProvisionedThroughputExceeded, KMS or Firehose throttling). */
  readonly throttledEntries: number;
  /** Entries sent again after a retryable failure. */
  readonly retriedEntries: number;
  /** User records sent again because their KPL aggregate landed on another shard than the shard map predicted (a reshard). */
  readonly redirectedRecords: number;
  /** Refused before sending, with the reason. */
  readonly rejected: UnsentRecord[];
  /** Definitely not written after the retries. */
  readonly failed: UnsentRecord[];
  /** Perhaps written: the outcome could not be known. */
  readonly unknown: UnsentRecord[];
  /** `rejected`, `failed` and `unknown` together. Never dropped silently. */
  readonly unsent: UnsentRecord[];
}

/** Outcome of one entry of a batch call, in request order. */
export interface EntryOutcome {
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** Kinesis: the shard the entry was written to. */
  readonly shardId?: string;
}
