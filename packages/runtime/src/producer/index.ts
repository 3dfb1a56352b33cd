export * from './types';
export * from './limits';
export { fullJitterDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export { mergeReports, type BatchSenderOptions } from './batch-sender';
export { PartitionKey, type PartitionKeyStrategy, type FieldPartitionKeyOptions } from './partition-key';
export { KinesisProducer, RecordTooLargeError, type KinesisProducerOptions } from './kinesis-producer';
export { FirehoseProducer, type FirehoseProducerOptions } from './firehose-producer';
export { sampleLines, seededRandom, SAMPLE_KINDS, type SampleKind, type SampleGeneratorOptions } from './sample-data';
