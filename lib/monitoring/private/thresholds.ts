import { Duration } from 'aws-cdk-lib';
import { checkDurationRange, durationIn } from '../../private/validation';

/** Kinesis' default (and minimum) retention period. */
export const DEFAULT_RETENTION_PERIOD = Duration.hours(24);

/**
 * The retention period given in the options, checked against Kinesis' range (24 h to 365 days),
 * or the default.
 */
export function retentionPeriodOf(retentionPeriod: Duration | undefined): Duration {
  if (retentionPeriod === undefined) return DEFAULT_RETENTION_PERIOD;
  // Kinesis RetentionPeriodHours: 24 to 8760; fractions of an hour are kept (they only bound thresholds).
  checkDurationRange('retentionPeriod', retentionPeriod, { unit: 'hours', min: 24, max: 8760 });
  return retentionPeriod;
}

/**
 * A Duration threshold as the number CloudWatch compares with the metric, in the metric's unit
 * (IteratorAge and MillisBehindLatest are milliseconds, DataFreshness seconds). A token converts
 * only from that unit (aws-cdk-lib cannot convert tokens between units).
 */
export function thresholdIn(prop: string, threshold: Duration, unit: 'milliseconds' | 'seconds'): number {
  if (threshold.isUnresolved()) {
    try {
      return unit === 'milliseconds' ? threshold.toMilliseconds() : threshold.toSeconds();
    } catch {
      const factory = unit === 'milliseconds' ? 'millis' : 'seconds';
      throw new Error(
        `${prop} must be given in ${unit} when it is a token (Duration.${factory}(token)), as the alarm compares ${unit}. Received ${threshold}`,
      );
    }
  }
  const amount = durationIn(threshold, unit);
  if (!Number.isFinite(amount)) {
    throw new Error(`${prop} must be a finite duration greater than 0 ${unit}. Received ${amount} ${unit}`);
  }
  return amount;
}

/** Firehose needs up to this long beyond its buffer to transform, convert and write a batch. */
export const DELIVERY_SLACK_SECONDS = 300;

function millis(prop: string, duration: Duration, fallbackProp: string): number {
  if (duration.isUnresolved()) {
    throw new Error(
      `${prop} must be a literal duration to derive the default threshold from it, or set ${fallbackProp}. Received a token ${prop}`,
    );
  }
  return Math.round(durationIn(duration, 'milliseconds'));
}

/**
 * Half the retention period: the alarm leaves as much time to repair a stalled reader as the
 * data has already waited, before records expire (12 h for the default 24 h).
 */
export function defaultStreamIteratorAgeMillis(retentionPeriod: Duration, thresholdProp: string): number {
  return Math.floor(millis('retentionPeriod', retentionPeriod, thresholdProp) / 2);
}

/**
 * Half the consumer's maxRecordAge, when it has one: records older than maxRecordAge are
 * discarded to the on-failure destination, so the alarm must fire well before. Otherwise half
 * the retention period.
 */
export function defaultConsumerIteratorAgeMillis(
  retentionPeriod: Duration,
  maxRecordAge: Duration | undefined,
  thresholdProp: string,
): number {
  if (maxRecordAge === undefined) return defaultStreamIteratorAgeMillis(retentionPeriod, thresholdProp);
  return Math.floor(millis('maxRecordAge', maxRecordAge, thresholdProp) / 2);
}

/**
 * Two buffer intervals plus five minutes: a healthy delivery flushes at least once per interval,
 * so two missed flushes plus time to transform, convert and retry mean delivery is stuck
 * (900 s for a 300 s buffer, 300 s for a zero buffer).
 */
export function defaultDataFreshnessSeconds(bufferingInterval: Duration): number {
  if (bufferingInterval.isUnresolved()) {
    throw new Error(
      'bufferingInterval is a token, so no default threshold can be derived from it: set dataFreshnessThreshold',
    );
  }
  return 2 * bufferingInterval.toSeconds() + DELIVERY_SLACK_SECONDS;
}
