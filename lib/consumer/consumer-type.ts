/** How a StreamConsumer reads the stream. */
export enum ConsumerType {
  /** Polling (GetRecords): shares 2 MB/s and 5 calls/s per shard with every other polling reader. */
  STANDARD = 'STANDARD',
  /**
   * Enhanced fan-out: registers a stream consumer with its own 2 MB/s per shard, pushed over
   * HTTP/2 (SubscribeToShard). At most 20 per stream.
   */
  ENHANCED_FAN_OUT = 'ENHANCED_FAN_OUT',
}
