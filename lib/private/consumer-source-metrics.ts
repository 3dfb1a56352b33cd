import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The metrics of a Lambda Kinesis consumer, written once for StreamConsumer and for
 * MonitorableConsumer (consumers this library did not create), so their alarms watch the same thing.
 */

/** AWS/Lambda IteratorAge of the function (ms). Maximum over 5 minutes. */
export function iteratorAgeMetric(fn: lambda.IFunction, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return fn.metric('IteratorAge', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
}

/** AWS/Lambda OnFailureDestinationDeliveredEventCount of one event source mapping. Sum over 5 minutes. */
export function onFailureDestinationDeliveredEventCountMetric(
  eventSourceMappingId: string,
  props?: cloudwatch.MetricOptions,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Lambda',
    metricName: 'OnFailureDestinationDeliveredEventCount',
    dimensionsMap: { EventSourceMappingUUID: eventSourceMappingId },
    statistic: cloudwatch.Stats.SUM,
    ...props,
  });
}

/** AWS/Kinesis SubscribeToShardEvent.MillisBehindLatest of one enhanced fan-out consumer. Maximum over 5 minutes. */
export function millisBehindLatestMetric(
  streamName: string,
  efoConsumerName: string,
  props?: cloudwatch.MetricOptions,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Kinesis',
    metricName: 'SubscribeToShardEvent.MillisBehindLatest',
    dimensionsMap: { StreamName: streamName, ConsumerName: efoConsumerName },
    statistic: cloudwatch.Stats.MAXIMUM,
    ...props,
  });
}
