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

/**
 * AWS/Lambda DroppedEventCount of one event source mapping: records discarded when retries or
 * record age ran out and they did not reach an on-failure destination (none configured, or the
 * write to it failed). Published only with the mapping's EventCount metrics. Sum over 5 minutes.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (event source mapping metrics)
 */
export function droppedEventCountMetric(
  eventSourceMappingId: string,
  props?: cloudwatch.MetricOptions,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Lambda',
    metricName: 'DroppedEventCount',
    dimensionsMap: { EventSourceMappingUUID: eventSourceMappingId },
    statistic: cloudwatch.Stats.SUM,
    ...props,
  });
}

/**
 * AWS/Lambda DestinationDeliveryFailures of the function: attempts to send to a destination (for
 * a Kinesis mapping, the on-failure destination) that failed. Always published. Sum over 5 minutes.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (invocation metrics)
 */
export function destinationDeliveryFailuresMetric(
  fn: lambda.IFunction,
  props?: cloudwatch.MetricOptions,
): cloudwatch.Metric {
  return fn.metric('DestinationDeliveryFailures', { statistic: cloudwatch.Stats.SUM, ...props });
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
