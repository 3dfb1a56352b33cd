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
  readonly origin: RecordOrigin;
  /** Stable key of the origin; a ledger of these keys makes a redrive idempotent. */
  readonly idempotencyKey: string;
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
}

/** What a failure document asks to replay. */
export interface RedrivePlan {
  /** Records whose payload the document carries (S3 on-failure object, quarantine record). */
  readonly records: ReplayRecord[];
  /** Ranges to read back from the stream (SQS/SNS on-failure metadata). */
  readonly ranges: SequenceRange[];
  /** Documents that are not failure documents, with the reason; reported, not replayed. */
  readonly unrecognized: UnrecognizedDocument[];
}

export interface UnrecognizedDocument {
  /** e.g. `s3://bucket/key` or the SQS message id. */
  readonly source: string;
  readonly reason: string;
}
