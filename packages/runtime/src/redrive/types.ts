/** Where a record to replay came from: the position it had in the source stream. */
export interface RecordOrigin {
  readonly streamArn: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Set for a user record de-aggregated out of a KPL aggregate. */
  readonly subSequenceNumber?: number;
}

/** One record to put back, byte for byte. */
export interface ReplayRecord {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  /**
   * Its position in the source stream; absent when the document did not carry one (then the
   * idempotency key is a content hash).
   */
  readonly origin?: RecordOrigin;
  /**
   * Stable identity of the record: `<stream>/<shard>/<sequence>[/<sub>]`, or
   * `content/<sha256>` when the document gave no position. A ledger of these keys makes a
   * redrive idempotent; two records never share one unless they are the same record.
   */
  readonly idempotencyKey: string;
  /** The document it came from, e.g. `s3://bucket/key` or `sqs:<messageId>`. */
  readonly source?: string;
}

/**
 * A range of a shard to read back by sequence number: what an SQS or SNS on-failure
 * destination gets (metadata only). Readable only while the stream still retains it.
 */
export interface SequenceRange {
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  /** Records Lambda reported in the failed batch. */
  readonly batchSize?: number;
  /** The document it came from. */
  readonly source?: string;
}

/** What failure documents ask to replay. */
export interface RedrivePlan {
  /** Records whose payload the document carries (S3 on-failure object, quarantine record). */
  readonly records: ReplayRecord[];
  /** Ranges to read back from the stream (SQS/SNS on-failure metadata). */
  readonly ranges: SequenceRange[];
  /**
   * Documents, or records inside them, that cannot be replayed as they are (not a failure
   * document, no partition key, data that is not base64, ...): reported, never replayed.
   */
  readonly unrecognized: UnrecognizedDocument[];
}

export interface UnrecognizedDocument {
  /** e.g. `s3://bucket/key`, `s3://bucket/key#3` (its fourth payload record) or `sqs:<messageId>`. */
  readonly source: string;
  readonly reason: string;
}
