/**
 * Service limits the producers batch against.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 */
export const KINESIS_LIMITS = {
  /** Records per PutRecords call. */
  maxRecordsPerRequest: 500,
  /** Bytes per PutRecords call, data plus partition keys. */
  maxBytesPerRequest: 5 * 1024 * 1024,
  /** Bytes per record, data plus partition key. */
  maxRecordSizeInBytes: 1024 * 1024,
  /** Partition keys are 1 to 256 Unicode characters. */
  maxPartitionKeyLength: 256,
} as const;

export const FIREHOSE_LIMITS = {
  /** Records per PutRecordBatch call. */
  maxRecordsPerRequest: 500,
  /** Bytes per PutRecordBatch call. */
  maxBytesPerRequest: 4 * 1024 * 1024,
  /** Bytes per record (1,000 KiB), before base64 encoding. */
  maxRecordSizeInBytes: 1000 * 1024,
} as const;
