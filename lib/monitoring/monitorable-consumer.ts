import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  destinationDeliveryFailuresMetric,
  droppedEventCountMetric,
  iteratorAgeMetric,
  millisBehindLatestMetric,
  onFailureDestinationDeliveredEventCountMetric,
} from '../private/consumer-source-metrics';
import type { IMonitorableConsumer } from './monitorable';

/** Props of `MonitorableConsumer`. */
export interface MonitorableConsumerProps {
  /** The consumer function (`lambda.Function.fromFunctionName(...)` works). */
  readonly function: lambda.IFunction;
  /**
   * The UUID of the Kinesis event source mapping (`EventSourceMapping.eventSourceMappingId`),
   * the dimension of OnFailureDestinationDeliveredEventCount and DroppedEventCount. Lambda
   * publishes those metrics only when the mapping's MetricsConfig includes EventCount.
   */
  readonly eventSourceMappingId: string;
  /**
   * Label used in alarm descriptions and on the dashboard.
   * @default - the function name
   */
  readonly consumerName?: string;
  /**
   * The enhanced fan-out consumer name; makes this an ENHANCED_FAN_OUT consumer.
   * Requires `stream`.
   * @default - a standard (polling) consumer
   */
  readonly efoConsumerName?: string;
  /**
   * The stream read by the enhanced fan-out consumer (StreamName dimension of MillisBehindLatest).
   * @default - none; required with `efoConsumerName`
   */
  readonly stream?: kinesis.IStream;
  /**
   * The event source mapping's maximum record age.
   * @default - records never expire before the stream's retention period
   */
  readonly maxRecordAge?: Duration;
  /**
   * The metric counting quarantined records, if the function quarantines records.
   * @default - none: call monitorConsumer with `monitorQuarantine: false`
   */
  readonly recordsQuarantinedMetric?: cloudwatch.Metric;
}

/**
 * Describes a consumer this library did not create (an imported function and its mapping) so
 * that `PipelineMonitoring.monitorConsumer` can alarm on it with correctly scoped metrics.
 */
export class MonitorableConsumer implements IMonitorableConsumer {
  public readonly consumerName: string;
  public readonly consumerType: string;
  public readonly maxRecordAge?: Duration;
  private readonly props: MonitorableConsumerProps;

  constructor(props: MonitorableConsumerProps) {
    if (props.efoConsumerName !== undefined && props.stream === undefined) {
      throw new Error(
        `efoConsumerName requires stream. Received efoConsumerName ${props.efoConsumerName} and no stream`,
      );
    }
    this.props = props;
    this.consumerName = props.consumerName ?? props.function.functionName;
    this.consumerType = props.efoConsumerName === undefined ? 'STANDARD' : 'ENHANCED_FAN_OUT';
    this.maxRecordAge = props.maxRecordAge;
  }

  public metricIteratorAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return iteratorAgeMetric(this.props.function, props);
  }

  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.props.function.metricErrors(props);
  }

  public metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.props.function.metricThrottles(props);
  }

  public metricOnFailureDestinationDeliveredEventCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return onFailureDestinationDeliveredEventCountMetric(this.props.eventSourceMappingId, props);
  }

  public metricDroppedEventCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return droppedEventCountMetric(this.props.eventSourceMappingId, props);
  }

  public metricDestinationDeliveryFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return destinationDeliveryFailuresMetric(this.props.function, props);
  }

  public metricRecordsQuarantined(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (this.props.recordsQuarantinedMetric === undefined) {
      throw new Error(
        `consumer ${this.consumerName} has no recordsQuarantinedMetric: pass one to MonitorableConsumer or call monitorConsumer with monitorQuarantine: false`,
      );
    }
    return this.props.recordsQuarantinedMetric.with(props ?? {});
  }

  public metricMillisBehindLatest(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const { efoConsumerName, stream } = this.props;
    if (efoConsumerName === undefined || stream === undefined) {
      throw new Error(
        `consumer ${this.consumerName} is not an enhanced fan-out consumer: set efoConsumerName and stream`,
      );
    }
    return millisBehindLatestMetric(stream.streamName, efoConsumerName, props);
  }
}
