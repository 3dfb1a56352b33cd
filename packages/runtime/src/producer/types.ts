/** One record handed to a producer. */
export interface ProducerRecord {
  /** The payload; strings are sent as UTF-8. */
  readonly data: Uint8Array | string;
  /** Kinesis only. @default - chosen by the producer's partition-key strategy */
  readonly partitionKey?: string;
  /** Kinesis only: route to the shard owning this 128-bit hash (decimal). @default - the hash of the partition key */
  readonly explicitHashKey?: string;
}

/** A record the producer gave up on, with the last error the service or the SDK returned. */
export interface UnsentRecord {
  /** The very object passed to `put`. */
  readonly record: ProducerRecord;
  /** e.g. ProvisionedThroughputExceededException, KMSThrottlingException, ResourceNotFoundException */
  readonly errorCode: string;
  readonly errorMessage: string;
  /** How many times the record was sent. */
  readonly attempts: number;
}

/** What a producer did since the previous report. Every record put is either counted in `recordsSent` or listed in `unsent`. */
export interface ProducerReport {
  /** User records the service accepted (records inside a KPL aggregate count one each). */
  readonly recordsSent: number;
  /** Payload bytes of the accepted user records. */
  readonly bytesSent: number;
  /** PutRecords / PutRecordBatch calls made, retries included. */
  readonly requests: number;
  /** Entries the service rejected for throughput (ProvisionedThroughputExceeded, KMS or Firehose throttling). */
  readonly throttledEntries: number;
  /** Entries sent again after a retryable failure. */
  readonly retriedEntries: number;
  /** Records that could not be sent. Never dropped silently. */
  readonly unsent: UnsentRecord[];
}

/** Outcome of one entry of a batch call, in request order. */
export interface EntryOutcome {
  readonly errorCode?: string;
  readonly errorMessage?: string;
}
