import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';

/**
 * What PipelineMonitoring needs from a stream consumer. `StreamConsumer` satisfies it; for a
 * consumer this library did not create, build one with `MonitorableConsumer`.
 *
 * Every metric must carry the dimensions that identify the consumer (FunctionName,
 * EventSourceMappingUUID, StreamName + ConsumerName): alarms are built from them as given.
 */
export interface IMonitorableConsumer {
  /** Label used in alarm descriptions and on the dashboard. */
  readonly consumerName: string;
  /** 'STANDARD' (polling) or 'ENHANCED_FAN_OUT'. */
  readonly consumerType: string;
  /**
   * The event source mapping's MaximumRecordAgeInSeconds; the iterator-age default derives from it.
   * @default - records never expire before the stream's retention period
   */
  readonly maxRecordAge?: Duration;

  /** AWS/Lambda IteratorAge (milliseconds). */
  metricIteratorAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** AWS/Lambda Errors (invocations). */
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** AWS/Lambda Throttles (invocations). */
  metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** AWS/Lambda OnFailureDestinationDeliveredEventCount (records sent to the on-failure destination). */
  metricOnFailureDestinationDeliveredEventCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /**
   * AWS/Lambda DroppedEventCount of the event source mapping (records): records discarded without
   * reaching the on-failure destination. Needs the mapping's EventCount metrics.
   */
  metricDroppedEventCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** AWS/Lambda DestinationDeliveryFailures of the function (failed writes to the on-failure destination). */
  metricDestinationDeliveryFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Records the runtime toolkit quarantined (count). */
  metricRecordsQuarantined(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** AWS/Kinesis SubscribeToShardEvent.MillisBehindLatest; called for enhanced fan-out consumers only. */
  metricMillisBehindLatest(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** What PipelineMonitoring needs from a Firehose delivery (`DataLakeDelivery` satisfies it). */
export interface IMonitorableDelivery {
  readonly deliveryStream: firehose.IDeliveryStream;
  /** The destination's buffering interval; the freshness default derives from it. */
  readonly bufferingInterval: Duration;
  /**
   * The format Firehose converts records to, e.g. 'Parquet' or 'ORC' (named in alarm texts).
   * FailedConversion.Records exists only with a conversion, so its alarm is created only then.
   * @default - no format conversion
   */
  readonly conversionFormat?: string;
  /**
   * Whether a Lambda processor transforms the records. ExecuteProcessing.* exists only then, so
   * its alarm is created only then (unless `monitorProcessing` says otherwise).
   * @default true
   */
  readonly lambdaProcessing?: boolean;

  /** AWS/Firehose DeliveryToS3.DataFreshness (seconds). */
  metricDataFreshness(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** AWS/Firehose DeliveryToS3.Success (ratio 0..1 with Average). */
  metricDeliveryToS3Success(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** AWS/Firehose ExecuteProcessing.Success (ratio 0..1 with Average). */
  metricExecuteProcessingSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** AWS/Firehose FailedConversion.Records (count). */
  metricFailedConversionRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** AWS/Firehose ThrottledGetRecords (count). */
  metricThrottledGetRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** AWS/Firehose KinesisMillisBehindLatest (milliseconds). */
  metricKinesisMillisBehindLatest(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** What PipelineMonitoring needs from a shard autoscaler (`ShardAutoScaler` satisfies it). */
export interface IMonitorableAutoScaler {
  /** The stream the scaler resizes. */
  readonly stream: kinesis.IStream;
  /** The most shards the scaler will go to. */
  readonly maxShards: number;

  /** Errors of the scaler function (invocations). */
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** The stream's open shard count as the scaler reports it. */
  metricShardCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** 1 (or more) when the stream is at maxShards and writes are still throttled. */
  metricThrottledAtMaxShards(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}
