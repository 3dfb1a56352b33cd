/**
 * Service limits the producers batch against. Every size is in bytes of the wire form: UTF-8 for
 * strings (partition keys), raw bytes for data (before base64).
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsRequestEntry.html
 * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 */
export const KINESIS_LIMITS = {
  /** Records per PutRecords call. */
  maxRecordsPerRequest: 500,
  /** Bytes per PutRecords call: data plus UTF-8 partition keys of every record. */
  maxBytesPerRequest: 5 * 1024 * 1024,
  /** Bytes per record: data plus the UTF-8 partition key (the stream's default maximum record size). */
  maxRecordSizeInBytes: 1024 * 1024,
  /**
   * Partition keys are 1 to 256 "characters" (PutRecordsRequestEntry, Length Constraints). The
   * unit is the UTF-16 code unit (JavaScript's and Java's String length): the AWS KPL checks
   * `partitionKey.length()` (amazon-kinesis-producer, KinesisProducer.java addUserRecord) and the
   * kinesis-local emulator refuses a key of 129 emoji (129 code points, 258 code units) with
   * InvalidArgumentException, failing the whole call.
   */
  maxPartitionKeyLength: 256,
} as const;

/** The largest hash key, 2^128 − 1: hash keys are 128-bit unsigned integers (MD5 of the partition key). */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

export const FIREHOSE_LIMITS = {
  /** Records per PutRecordBatch call. */
  maxRecordsPerRequest: 500,
  /** Bytes per PutRecordBatch call. */
  maxBytesPerRequest: 4 * 1024 * 1024,
  /** Bytes per record (1,000 KiB), before base64 encoding. */
  maxRecordSizeInBytes: 1000 * 1024,
} as const;
