import type { Duration } from 'aws-cdk-lib';

/**
 * How long a condition must last before an alarm fires. Applies to every alarm of one
 * `monitorXxx` call; each alarm has its own documented default (see docs/monitoring.md).
 */
export interface AlarmEvaluationOptions {
  /**
   * The period over which each datapoint is aggregated. A multiple of 60 seconds.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
  /**
   * How many periods are evaluated. At least 1.
   * @default - per alarm: 1 for "records left the main path" alarms, 3 otherwise
   */
  readonly evaluationPeriods?: number;
  /**
   * How many of the evaluated periods must breach. Between 1 and evaluationPeriods.
   * @default - per alarm; evaluationPeriods when only evaluationPeriods is given
   */
  readonly datapointsToAlarm?: number;
}

/** Options of `PipelineMonitoring.monitorStream`. */
export interface StreamMonitoringOptions extends AlarmEvaluationOptions {
  /**
   * Label in alarm descriptions and dashboard titles; also the construct id of the alarms' scope.
   * @default - the stream's construct id (its parent's id when that is 'Resource')
   */
  readonly displayName?: string;
  /**
   * The stream's retention period; iterator-age thresholds must stay below it.
   * @default Duration.hours(24)
   */
  readonly retentionPeriod?: Duration;
  /**
   * Alarm when GetRecords.IteratorAgeMilliseconds (Maximum) reaches this age. Must be below the
   * retention period.
   * @default - half the retention period (12 hours for 24 h)
   */
  readonly iteratorAgeThreshold?: Duration;
  /**
   * Alarm when WriteProvisionedThroughputExceeded (Sum, records rejected) reaches this per period.
   * @default 1
   */
  readonly writeThrottledRecordsThreshold?: number;
  /**
   * Alarm when ReadProvisionedThroughputExceeded (Sum, GetRecords calls throttled) reaches this per period.
   * @default 1
   */
  readonly readThrottledRequestsThreshold?: number;
  /**
   * Shards of a fixed-size stream, to draw the write capacity on the dashboard
   * (1 MiB/s and 1,000 records/s per shard). Leave unset for autoscaled or on-demand streams.
   * @default - no capacity line (monitorAutoScaler draws a live one)
   */
  readonly shardCount?: number;
}

/** Options of `PipelineMonitoring.monitorConsumer`. */
export interface ConsumerMonitoringOptions extends AlarmEvaluationOptions {
  /**
   * Label in alarm descriptions and dashboard titles; also the construct id of the alarms' scope.
   * @default - the consumer's consumerName
   */
  readonly displayName?: string;
  /**
   * The retention period of the stream the consumer reads.
   * @default Duration.hours(24)
   */
  readonly retentionPeriod?: Duration;
  /**
   * Alarm when the Lambda IteratorAge (Maximum) reaches this age. Must be below the retention
   * period and below the consumer's maxRecordAge.
   * @default - half the consumer's maxRecordAge, or half the retention period when it has none
   */
  readonly iteratorAgeThreshold?: Duration;
  /**
   * Enhanced fan-out only: alarm when SubscribeToShardEvent.MillisBehindLatest (Maximum) reaches
   * this lag. Same bounds as iteratorAgeThreshold.
   * @default - the iterator-age threshold
   */
  readonly millisBehindLatestThreshold?: Duration;
  /**
   * Alarm when Errors (Sum, invocations) reaches this per period, for every evaluated period.
   * @default 1
   */
  readonly errorsThreshold?: number;
  /**
   * Alarm when Throttles (Sum, invocations) reaches this per period, for every evaluated period.
   * @default 1
   */
  readonly throttlesThreshold?: number;
  /**
   * Alarm when OnFailureDestinationDeliveredEventCount (Sum, records) reaches this in one period.
   * @default 1
   */
  readonly failureDestinationRecordsThreshold?: number;
  /**
   * Alarm when the quarantined-records metric (Sum, records) reaches this in one period.
   * @default 1
   */
  readonly quarantinedRecordsThreshold?: number;
  /**
   * Alarm (paging: data loss) when DroppedEventCount (Sum, records discarded without reaching the
   * on-failure destination) reaches this in one period.
   * @default 1
   */
  readonly droppedRecordsThreshold?: number;
  /**
   * Alarm (paging: data loss) when DestinationDeliveryFailures (Sum, failed writes to the
   * on-failure destination) reaches this in one period.
   * @default 1
   */
  readonly destinationDeliveryFailuresThreshold?: number;
  /**
   * Create the alarms on the event source mapping's EventCount metrics: records sent to the
   * on-failure destination and records dropped. Turn off when the mapping publishes no EventCount
   * metrics (its MetricsConfig), as those metrics would never arrive. The
   * DestinationDeliveryFailures alarm (a function metric) stays.
   * @default true
   */
  readonly monitorFailureDestination?: boolean;
  /**
   * Create the quarantined-records alarm. Turn off for consumers that do not quarantine.
   * @default true
   */
  readonly monitorQuarantine?: boolean;
}

/** Options of `PipelineMonitoring.monitorDelivery`. */
export interface DeliveryMonitoringOptions extends AlarmEvaluationOptions {
  /**
   * Label in alarm descriptions and dashboard titles; also the construct id of the alarms' scope.
   * @default - the delivery stream's construct id (its parent's id when that is 'Resource')
   */
  readonly displayName?: string;
  /**
   * The retention period of the source stream.
   * @default Duration.hours(24)
   */
  readonly retentionPeriod?: Duration;
  /**
   * Alarm when DeliveryToS3.DataFreshness (Maximum) reaches this age. Must exceed the buffering
   * interval, or every flush would alarm.
   * @default - 2 × bufferingInterval + 5 minutes (15 minutes for a 300 s buffer)
   */
  readonly dataFreshnessThreshold?: Duration;
  /**
   * Alarm (not paging) when DeliveryToS3.Success (Average, ratio of successful S3 puts, 0..1) stays
   * below this for the evaluation periods. Firehose retries failed puts, so this is a warning;
   * the DataFreshness alarm pages when delivery really stalls.
   * @default 1
   */
  readonly deliveryToS3SuccessRatioThreshold?: number;
  /**
   * Alarm when ExecuteProcessing.Success (Average, ratio of successful transform invocations, 0..1)
   * is below this.
   * @default 1
   */
  readonly executeProcessingSuccessRatioThreshold?: number;
  /**
   * Create the ExecuteProcessing.Success alarm.
   * @default - true when a Lambda processor transforms the records (the delivery's `lambdaProcessing`)
   */
  readonly monitorProcessing?: boolean;
  /**
   * Alarm when FailedConversion.Records (Sum, records) reaches this in one period.
   * @default 1
   */
  readonly failedConversionRecordsThreshold?: number;
  /**
   * Create the FailedConversion.Records alarm.
   * @default - true when the delivery converts records (its `conversionFormat` is set)
   */
  readonly monitorFormatConversion?: boolean;
  /**
   * Alarm when KinesisMillisBehindLatest (Maximum) reaches this lag. Must be below the retention
   * period.
   * @default - half the retention period
   */
  readonly kinesisMillisBehindLatestThreshold?: Duration;
}

/** Options of `PipelineMonitoring.monitorAutoScaler`. */
export interface AutoScalerMonitoringOptions extends AlarmEvaluationOptions {
  /**
   * Label in alarm descriptions and dashboard titles; also the construct id of the alarms' scope.
   * @default 'AutoScaler'
   */
  readonly displayName?: string;
  /**
   * Alarm when the scaler's Errors (Sum, invocations) reaches this per period.
   * @default 1
   */
  readonly errorsThreshold?: number;
}
