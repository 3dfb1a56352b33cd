import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IMonitorableDelivery } from '../monitorable';
import type { DeliveryMonitoringOptions } from '../monitoring-options';
import { GTE, IMMEDIATE, LT, PERSISTENT, SUSTAINED, num, spec, type AlarmSpec } from './alarm-spec';
import {
  retentionPeriodOf,
  defaultDataFreshnessSeconds,
  defaultStreamIteratorAgeMillis,
  thresholdIn,
} from './thresholds';
import { checkAbove, checkBelow, checkPositive, checkRatio } from './validation';

export interface DeliveryThresholds {
  readonly dataFreshnessThresholdInSeconds: number;
  readonly deliveryToS3SuccessRatioThreshold: number;
  readonly executeProcessingSuccessRatioThreshold: number;
  readonly failedConversionRecordsThreshold: number;
  readonly kinesisMillisBehindLatestThresholdInMillis: number;
}

export function deliveryThresholds(
  delivery: IMonitorableDelivery,
  options: DeliveryMonitoringOptions,
): DeliveryThresholds {
  const retentionPeriod = retentionPeriodOf(options.retentionPeriod);
  const freshness =
    options.dataFreshnessThreshold !== undefined
      ? thresholdIn('dataFreshnessThreshold', options.dataFreshnessThreshold, 'seconds')
      : defaultDataFreshnessSeconds(delivery.bufferingInterval);
  checkPositive('dataFreshnessThreshold', freshness, 'seconds');
  if (!delivery.bufferingInterval.isUnresolved()) {
    // Data legitimately waits up to one buffering interval; a lower threshold alarms on every flush.
    checkAbove(
      'dataFreshnessThreshold',
      freshness,
      'the bufferingInterval',
      delivery.bufferingInterval.toSeconds(),
      's',
    );
  }
  const behind =
    options.kinesisMillisBehindLatestThreshold !== undefined
      ? thresholdIn('kinesisMillisBehindLatestThreshold', options.kinesisMillisBehindLatestThreshold, 'milliseconds')
      : defaultStreamIteratorAgeMillis(retentionPeriod, 'kinesisMillisBehindLatestThreshold');
  checkPositive('kinesisMillisBehindLatestThreshold', behind, 'milliseconds');
  if (!retentionPeriod.isUnresolved()) {
    checkBelow(
      'kinesisMillisBehindLatestThreshold',
      behind,
      'the retention period',
      retentionPeriod.toMilliseconds(),
      'ms',
    );
  }
  const thresholds = {
    dataFreshnessThresholdInSeconds: freshness,
    deliveryToS3SuccessRatioThreshold: options.deliveryToS3SuccessRatioThreshold ?? 1,
    executeProcessingSuccessRatioThreshold: options.executeProcessingSuccessRatioThreshold ?? 1,
    failedConversionRecordsThreshold: options.failedConversionRecordsThreshold ?? 1,
    kinesisMillisBehindLatestThresholdInMillis: behind,
  };
  checkRatio('deliveryToS3SuccessRatioThreshold', thresholds.deliveryToS3SuccessRatioThreshold);
  checkRatio('executeProcessingSuccessRatioThreshold', thresholds.executeProcessingSuccessRatioThreshold);
  checkPositive('failedConversionRecordsThreshold', thresholds.failedConversionRecordsThreshold, 'records');
  return thresholds;
}

export function deliveryAlarms(
  delivery: IMonitorableDelivery,
  label: string,
  options: DeliveryMonitoringOptions,
): AlarmSpec[] {
  const t = deliveryThresholds(delivery, options);
  const alarms = [
    spec(options, SUSTAINED, {
      id: 'DataFreshnessAlarm',
      metric: delivery.metricDataFreshness(),
      statistic: cloudwatch.Stats.MAXIMUM,
      threshold: t.dataFreshnessThresholdInSeconds,
      comparisonOperator: GTE,
      // Firehose reports freshness while it holds data; silence is an empty pipe, keep the state.
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      description: `${label}: the oldest record in Firehose is ${num(t.dataFreshnessThresholdInSeconds)} s old, delivery to S3 is stuck. Check DeliveryToS3.Success, the transform (ExecuteProcessing.Success) and the errors/ prefix; Firehose retries for 24 h.`,
      pages: true,
    }),
    spec(options, PERSISTENT, {
      id: 'DeliveryToS3SuccessAlarm',
      metric: delivery.metricDeliveryToS3Success(),
      statistic: cloudwatch.Stats.AVERAGE,
      threshold: t.deliveryToS3SuccessRatioThreshold,
      comparisonOperator: LT,
      // No delivery attempts (no data) is not a failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `${label}: some S3 puts failed (success ratio below ${num(t.deliveryToS3SuccessRatioThreshold)}) for 15 minutes. Firehose retries failed S3 deliveries without losing data (for up to 24 h); DataFreshness pages if delivery really stalls. Check the bucket policy, KMS key policy and the delivery role; read the Firehose error log group.`,
      // Not paging: transient S3 errors are retried by Firehose, so a ratio below 1 is not loss.
      // https://docs.aws.amazon.com/firehose/latest/dev/troubleshooting.html
      pages: false,
    }),
    spec(options, SUSTAINED, {
      id: 'KinesisMillisBehindLatestAlarm',
      metric: delivery.metricKinesisMillisBehindLatest(),
      statistic: cloudwatch.Stats.MAXIMUM,
      threshold: t.kinesisMillisBehindLatestThresholdInMillis,
      comparisonOperator: GTE,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      description: `${label}: Firehose reads the source stream ${num(t.kinesisMillisBehindLatestThresholdInMillis)} ms behind; records expire at the end of retention. Check ThrottledGetRecords (too many readers) and delivery failures that hold back reading.`,
      pages: true,
    }),
  ];
  // ExecuteProcessing.* only exists with a Lambda processor; without one the alarm could never fire.
  if (options.monitorProcessing ?? delivery.lambdaProcessing ?? true) {
    alarms.push(
      spec(options, PERSISTENT, {
        id: 'ExecuteProcessingSuccessAlarm',
        metric: delivery.metricExecuteProcessingSuccess(),
        statistic: cloudwatch.Stats.AVERAGE,
        threshold: t.executeProcessingSuccessRatioThreshold,
        comparisonOperator: LT,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${label}: transform invocations failing (success ratio below ${num(t.executeProcessingSuccessRatioThreshold)}) for 15 minutes; failed batches go to errors/processing-failed. Read the transform function's logs (timeouts, 6 MB response limit).`,
        pages: true,
      }),
    );
  }
  // FailedConversion.Records only exists when Firehose converts (Parquet/ORC); a JSON delivery
  // would carry an alarm that can never fire.
  if (options.monitorFormatConversion ?? delivery.conversionFormat !== undefined) {
    const format = delivery.conversionFormat ?? 'format';
    alarms.push(
      spec(options, IMMEDIATE, {
        id: 'FailedConversionAlarm',
        metric: delivery.metricFailedConversionRecords(),
        statistic: cloudwatch.Stats.SUM,
        threshold: t.failedConversionRecordsThreshold,
        comparisonOperator: GTE,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${label}: records failed ${format} conversion and went to errors/format-conversion-failed. Compare them with the Glue table schema (lowercase column names, types); fix the transform or the schema, then replay.`,
        pages: false,
      }),
    );
  }
  return alarms;
}
