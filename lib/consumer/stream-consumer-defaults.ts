import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KINESIS_LIMITS } from '../private/kinesis-limits';

/** Poison-pill-safe defaults of StreamConsumer; each one is a prop the user can override. */
export const STREAM_CONSUMER_DEFAULTS = {
  batchSize: 100,
  parallelizationFactor: 1,
  startingPosition: lambda.StartingPosition.TRIM_HORIZON,
  /** Bounded: after 10 retries a failing batch goes to the on-failure destination (S3, with its payload). */
  retryAttempts: 10,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  /** Kinesis' default retention. */
  streamRetention: Duration.hours(24),
  /** maxRecordAge defaults to the retention minus this margin, so records go to S3 before they expire. */
  recordAgeMarginBelowRetention: Duration.hours(1),
  quarantinePrefix: 'quarantine/',
  failureRetention: Duration.days(30),
  /**
   * Timeout of the function built from `entry`: 1 minute, or 30 ms per record of the batch plus
   * the toolkit's 5 s margin when that is more (10,000 records: 305 s). Lambda's own default,
   * 3 s, is shorter than the margin: no record would ever start.
   */
  minFunctionTimeoutSeconds: 60,
  functionTimeoutPerRecordMillis: 30,
} as const;

/** Limits from the Lambda and Kinesis APIs. */
export const STREAM_CONSUMER_LIMITS = {
  minRecordAgeSeconds: 60,
  maxRecordAgeSeconds: 7 * 24 * 3600,
  maxRetryAttempts: 10_000,
  maxParallelizationFactor: 10,
  maxBatchSize: 10_000,
  maxBatchingWindowSeconds: 300,
  maxConsumerNameLength: 128,
  /** Lambda's longest timeout. */
  maxFunctionTimeoutSeconds: 900,
  /**
   * The timeout Lambda gives a function that sets none.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
   */
  lambdaDefaultTimeoutSeconds: 3,
  maxEfoConsumersPerStream: KINESIS_LIMITS.maxEfoConsumersPerStream,
} as const;
