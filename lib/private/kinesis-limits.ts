/**
 * Kinesis Data Streams limits the constructs plan and validate against.
 * @see https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 */
export const KINESIS_LIMITS = {
  /** 1 MiB/s of writes per shard (also the largest record). */
  shardWriteBytesPerSecond: 1024 * 1024,
  /** 1,000 records/s of writes per shard. */
  shardWriteRecordsPerSecond: 1000,
  /** 2 MiB/s of reads per shard, shared by all polling consumers; per consumer with enhanced fan-out. */
  shardReadBytesPerSecond: 2 * 1024 * 1024,
  /** Enhanced fan-out consumers registered on one stream. */
  maxEfoConsumersPerStream: 20,
} as const;
