import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type { StreamMonitoringOptions } from '../monitoring-options';
import { GTE, PERSISTENT, SUSTAINED, num, spec, type AlarmSpec } from './alarm-spec';
import { retentionPeriodOf, defaultStreamIteratorAgeMillis, thresholdIn } from './thresholds';
import { checkBelow, checkPositive } from './validation';

export interface StreamThresholds {
  readonly iteratorAgeThresholdInMillis: number;
  readonly writeThrottledRecordsThreshold: number;
  readonly readThrottledRequestsThreshold: number;
}

/** Defaults derived from the options, then validated. */
export function streamThresholds(options: StreamMonitoringOptions): StreamThresholds {
  const retentionPeriod = retentionPeriodOf(options.retentionPeriod);
  const iteratorAge =
    options.iteratorAgeThreshold !== undefined
      ? thresholdIn('iteratorAgeThreshold', options.iteratorAgeThreshold, 'milliseconds')
      : defaultStreamIteratorAgeMillis(retentionPeriod, 'iteratorAgeThreshold');
  checkPositive('iteratorAgeThreshold', iteratorAge, 'milliseconds');
  if (!retentionPeriod.isUnresolved()) {
    checkBelow('iteratorAgeThreshold', iteratorAge, 'the retention period', retentionPeriod.toMilliseconds(), 'ms');
  }
  const thresholds = {
    iteratorAgeThresholdInMillis: iteratorAge,
    writeThrottledRecordsThreshold: options.writeThrottledRecordsThreshold ?? 1,
    readThrottledRequestsThreshold: options.readThrottledRequestsThreshold ?? 1,
  };
  checkPositive('writeThrottledRecordsThreshold', thresholds.writeThrottledRecordsThreshold, 'records');
  checkPositive('readThrottledRequestsThreshold', thresholds.readThrottledRequestsThreshold, 'requests');
  return thresholds;
}

export function streamAlarms(stream: kinesis.IStream, label: string, options: StreamMonitoringOptions): AlarmSpec[] {
  const t = streamThresholds(options);
  return [
    spec(options, SUSTAINED, {
      id: 'IteratorAgeAlarm',
      metric: stream.metricGetRecordsIteratorAgeMilliseconds(),
      statistic: cloudwatch.Stats.MAXIMUM,
      threshold: t.iteratorAgeThresholdInMillis,
      comparisonOperator: GTE,
      // No GetRecords calls means no datapoints; keep the last state rather than guess.
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      description: `${label}: the oldest unread record is ${num(t.iteratorAgeThresholdInMillis)} ms old; records expire at the end of the retention period. Find the lagging reader (consumer iterator-age alarms), fix its errors or add capacity before data is lost.`,
      pages: true,
    }),
    spec(options, PERSISTENT, {
      id: 'WriteThrottledAlarm',
      metric: stream.metricWriteProvisionedThroughputExceeded(),
      statistic: cloudwatch.Stats.SUM,
      threshold: t.writeThrottledRecordsThreshold,
      comparisonOperator: GTE,
      // Throttling is reported only when it happens; silence means none.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `${label}: writes throttled (>= ${num(t.writeThrottledRecordsThreshold)} records per period) for 15 minutes. Check the shard count and the autoscaler, look for a hot partition key (IncomingBytes per shard), raise maxShards or switch to on-demand.`,
      pages: false,
    }),
    spec(options, PERSISTENT, {
      id: 'ReadThrottledAlarm',
      metric: stream.metricReadProvisionedThroughputExceeded(),
      statistic: cloudwatch.Stats.SUM,
      threshold: t.readThrottledRequestsThreshold,
      comparisonOperator: GTE,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `${label}: GetRecords throttled (>= ${num(t.readThrottledRequestsThreshold)} calls per period) for 15 minutes. Too many polling consumers share 2 MB/s and 5 calls/s per shard: move one to enhanced fan-out or add shards.`,
      pages: false,
    }),
  ];
}
