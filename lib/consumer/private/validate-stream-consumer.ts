import { type Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LAMBDA_TIMEOUT, checkDurationRange, checkIntegerRange } from '../../private/validation';
import { STREAM_CONSUMER_LIMITS as LIMITS } from '../stream-consumer-defaults';

const known = (n: number | undefined): n is number => n !== undefined && !Token.isUnresolved(n);
const knownDuration = (d: Duration | undefined): d is Duration => d !== undefined && !d.isUnresolved();

export interface EventSourceSettings {
  readonly batchSize?: number;
  readonly maxBatchingWindow?: Duration;
  readonly parallelizationFactor?: number;
  readonly startingPosition: lambda.StartingPosition;
  readonly startingPositionTimestamp?: number;
  readonly hasFilters: boolean;
  readonly kplAggregated: boolean;
}

export function validateEventSourceSettings(s: EventSourceSettings): void {
  checkIntegerRange('batchSize', s.batchSize, 1, LIMITS.maxBatchSize);
  checkIntegerRange('parallelizationFactor', s.parallelizationFactor, 1, LIMITS.maxParallelizationFactor);
  // MaximumBatchingWindowInSeconds is an integer, 0..300.
  checkDurationRange('maxBatchingWindow', s.maxBatchingWindow, {
    unit: 'seconds',
    min: 0,
    max: LIMITS.maxBatchingWindowSeconds,
    integral: true,
  });
  const atTimestamp = s.startingPosition === lambda.StartingPosition.AT_TIMESTAMP;
  if (atTimestamp && s.startingPositionTimestamp === undefined) {
    throw new Error('startingPositionTimestamp is required when startingPosition is AT_TIMESTAMP. Received none');
  }
  if (!atTimestamp && s.startingPositionTimestamp !== undefined) {
    throw new Error(
      `startingPositionTimestamp is only allowed with startingPosition AT_TIMESTAMP. Received startingPositionTimestamp ${s.startingPositionTimestamp} with startingPosition ${s.startingPosition}`,
    );
  }
  if (known(s.startingPositionTimestamp) && s.startingPositionTimestamp < 0) {
    throw new Error(
      `startingPositionTimestamp must be Unix time in seconds (>= 0). Received ${s.startingPositionTimestamp}`,
    );
  }
  if (s.kplAggregated && known(s.parallelizationFactor) && s.parallelizationFactor > 1) {
    // Lambda routes records to parallel batches by the OUTER partition key, so sub-records of
    // one user key could be processed concurrently and out of order.
    throw new Error(
      `kplAggregated records require parallelizationFactor 1 to keep per-key order. Received parallelizationFactor ${s.parallelizationFactor}`,
    );
  }
  if (s.kplAggregated && s.hasFilters) {
    // Filters see the aggregated protobuf blob, never the user records.
    throw new Error(
      'filters cannot be used with kplAggregated records: filters see the aggregate, not its user records. Received filters with kplAggregated true',
    );
  }
}

export interface FailureHandlingSettings {
  readonly retryAttempts: number;
  readonly maxRecordAge?: Duration;
  readonly infiniteRecordAge: boolean;
  readonly streamRetention: Duration;
  readonly failureRetention?: Duration;
}

export function validateFailureHandling(s: FailureHandlingSettings): void {
  if (
    known(s.retryAttempts) &&
    !(
      s.retryAttempts === -1 ||
      (Number.isInteger(s.retryAttempts) && s.retryAttempts >= 0 && s.retryAttempts <= LIMITS.maxRetryAttempts)
    )
  ) {
    throw new Error(
      `retryAttempts must be -1 (retry until the record expires) or an integer between 0 and ${LIMITS.maxRetryAttempts}. Received ${s.retryAttempts}`,
    );
  }
  if (s.infiniteRecordAge && s.maxRecordAge !== undefined) {
    throw new Error(
      `set maxRecordAge or infiniteRecordAge, not both. Received maxRecordAge ${s.maxRecordAge.toHumanString()} and infiniteRecordAge true`,
    );
  }
  if (s.infiniteRecordAge && s.retryAttempts === -1) {
    throw new Error(
      'retryAttempts -1 and infiniteRecordAge together let one poison pill block its shard until the record expires. Received retryAttempts -1 and infiniteRecordAge true',
    );
  }
  // A Kinesis stream keeps records 24 to 8760 hours.
  checkDurationRange('streamRetention', s.streamRetention, { unit: 'hours', min: 24, max: 8760 });
  // Lifecycle expiration is a whole number of days (ExpirationInDays), at least 1.
  checkDurationRange('failureRetention', s.failureRetention, { unit: 'days', min: 1, integral: true });
  if (!knownDuration(s.maxRecordAge)) return;
  const seconds = s.maxRecordAge.toSeconds({ integral: false });
  // MaximumRecordAgeInSeconds is an integer: -1 (infiniteRecordAge) or 60..604800.
  if (!Number.isInteger(seconds) || seconds < LIMITS.minRecordAgeSeconds || seconds > LIMITS.maxRecordAgeSeconds) {
    throw new Error(
      `maxRecordAge must be a whole number of seconds between ${LIMITS.minRecordAgeSeconds} seconds and 7 days (${LIMITS.maxRecordAgeSeconds} seconds). Received ${seconds} seconds`,
    );
  }
  if (knownDuration(s.streamRetention) && seconds >= s.streamRetention.toSeconds({ integral: false })) {
    throw new Error(
      `maxRecordAge must be below the stream's retention period (streamRetention ${s.streamRetention.toSeconds()} seconds) so that failed batches reach the on-failure destination before they expire. Received ${seconds} seconds`,
    );
  }
}

export function validateConsumerName(name: string, enhancedFanOut: boolean): void {
  if (Token.isUnresolved(name)) return;
  if (name.length < 1 || name.length > LIMITS.maxConsumerNameLength) {
    throw new Error(
      `consumerName must be 1 to ${LIMITS.maxConsumerNameLength} characters long. Received ${name.length} characters: ${name}`,
    );
  }
  if (enhancedFanOut && !/^[a-zA-Z0-9_.-]+$/.test(name)) {
    throw new Error(`consumerName may only contain a-z, A-Z, 0-9, '_', '.' and '-'. Received ${name}`);
  }
}

/**
 * A function timeout must leave time for records: at least twice the toolkit's margin (no record
 * starts within the margin of the timeout), at most Lambda's 900 seconds, whole seconds. `prop`
 * names where the timeout came from (`functionProps.timeout`, `handler timeout`).
 */
export function validateFunctionTimeout(prop: string, timeout: Duration | undefined, marginSeconds: number): void {
  checkDurationRange(prop, timeout, {
    ...LAMBDA_TIMEOUT,
    min: 2 * marginSeconds,
    context: ` (the runtime toolkit starts no record within ${marginSeconds} seconds of the timeout, so a shorter function has little or no time left for records)`,
  });
}
