import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IMonitorableAutoScaler } from '../monitorable';
import type { AutoScalerMonitoringOptions } from '../monitoring-options';
import { GTE, SUSTAINED, num, spec, type AlarmSpec } from './alarm-spec';
import { checkPositive } from './validation';

export function autoScalerAlarms(
  scaler: IMonitorableAutoScaler,
  label: string,
  options: AutoScalerMonitoringOptions,
): AlarmSpec[] {
  const errorsThreshold = options.errorsThreshold ?? 1;
  checkPositive('errorsThreshold', errorsThreshold, 'invocations');
  return [
    spec(options, SUSTAINED, {
      id: 'ErrorsAlarm',
      metric: scaler.metricErrors(),
      statistic: cloudwatch.Stats.SUM,
      threshold: errorsThreshold,
      comparisonOperator: GTE,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `${label}: the shard scaler failed (>= ${num(errorsThreshold)} errors per period). Read its logs: IAM (kinesis:UpdateShardCount), the account shard quota, or the 10 UpdateShardCount calls per 24 h.`,
      pages: false,
    }),
    spec(options, SUSTAINED, {
      id: 'ThrottledAtMaxShardsAlarm',
      metric: scaler.metricThrottledAtMaxShards(),
      // The metric is 1 (or a count) when at maxShards and throttled: any datapoint >= 1 breaches.
      statistic: cloudwatch.Stats.MAXIMUM,
      threshold: 1,
      comparisonOperator: GTE,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `${label}: the stream is at maxShards (${num(scaler.maxShards)}) and writes are still throttled; producers are losing or delaying data. Raise maxShards (and the account shard quota) or switch the stream to on-demand.`,
      pages: true,
    }),
  ];
}
