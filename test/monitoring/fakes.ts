/**
 * Real resources in a test stack, and fakes of the monitorable interfaces built from real CDK
 * metrics on them, so alarm dimensions resolve to references to those resources.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  MonitorableConsumer,
  type IMonitorableAutoScaler,
  type IMonitorableConsumer,
  type IMonitorableDelivery,
} from '../../lib/monitoring';

export const SCALER_NAMESPACE = 'Test/ShardScaler';
export const QUARANTINE_NAMESPACE = 'Test/Consumer';

export function testFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout: Duration.seconds(30),
  });
}

export interface StandardConsumerFake {
  readonly consumer: MonitorableConsumer;
  readonly fn: lambda.Function;
  readonly mapping: lambda.EventSourceMapping;
}

/** A polling consumer described with MonitorableConsumer (the helper for imported consumers). */
export function standardConsumer(
  stack: Stack,
  id: string,
  stream: kinesis.IStream,
  maxRecordAge?: Duration,
): StandardConsumerFake {
  const fn = testFunction(stack, `${id}Function`);
  const mapping = new lambda.EventSourceMapping(stack, `${id}Mapping`, {
    target: fn,
    eventSourceArn: stream.streamArn,
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    maxRecordAge,
  });
  const consumer = new MonitorableConsumer({
    function: fn,
    eventSourceMappingId: mapping.eventSourceMappingId,
    consumerName: id,
    maxRecordAge,
    recordsQuarantinedMetric: new cloudwatch.Metric({
      namespace: QUARANTINE_NAMESPACE,
      metricName: 'RecordsQuarantined',
      dimensionsMap: { FunctionName: fn.functionName },
    }),
  });
  return { consumer, fn, mapping };
}

export interface EfoConsumerFake {
  readonly consumer: IMonitorableConsumer;
  readonly fn: lambda.Function;
  readonly efo: kinesis.StreamConsumer;
}

/** An enhanced fan-out consumer written as a plain object, the way StreamConsumer will satisfy it. */
export function efoConsumer(stack: Stack, id: string, stream: kinesis.Stream): EfoConsumerFake {
  const fn = testFunction(stack, `${id}Function`);
  const efo = new kinesis.StreamConsumer(stack, `${id}Efo`, { stream, streamConsumerName: `${id}-efo` });
  const mapping = new lambda.EventSourceMapping(stack, `${id}Mapping`, {
    target: fn,
    eventSourceArn: efo.streamConsumerArn,
    startingPosition: lambda.StartingPosition.LATEST,
  });
  const lambdaMetric = (metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric =>
    fn.metric(metricName, props);
  const consumer: IMonitorableConsumer = {
    consumerName: id,
    consumerType: 'ENHANCED_FAN_OUT',
    maxRecordAge: undefined,
    metricIteratorAge: (props) => lambdaMetric('IteratorAge', props),
    metricErrors: (props) => fn.metricErrors(props),
    metricThrottles: (props) => fn.metricThrottles(props),
    metricOnFailureDestinationDeliveredEventCount: (props) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'OnFailureDestinationDeliveredEventCount',
        dimensionsMap: { EventSourceMappingUUID: mapping.eventSourceMappingId },
        ...props,
      }),
    metricDroppedEventCount: (props) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'DroppedEventCount',
        dimensionsMap: { EventSourceMappingUUID: mapping.eventSourceMappingId },
        ...props,
      }),
    metricDestinationDeliveryFailures: (props) => lambdaMetric('DestinationDeliveryFailures', props),
    metricRecordsQuarantined: (props) =>
      new cloudwatch.Metric({
        namespace: QUARANTINE_NAMESPACE,
        metricName: 'RecordsQuarantined',
        dimensionsMap: { FunctionName: fn.functionName },
        ...props,
      }),
    metricMillisBehindLatest: (props) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Kinesis',
        metricName: 'SubscribeToShardEvent.MillisBehindLatest',
        dimensionsMap: { StreamName: stream.streamName, ConsumerName: efo.streamConsumerName },
        ...props,
      }),
  };
  return { consumer, fn, efo };
}

export interface DeliveryFake {
  readonly delivery: IMonitorableDelivery;
  readonly deliveryStream: firehose.DeliveryStream;
}

export function delivery(
  stack: Stack,
  id: string,
  stream: kinesis.IStream,
  bufferingInterval = Duration.seconds(300),
  /** null: a delivery without format conversion. */
  conversionFormat: string | null = 'Parquet',
): DeliveryFake {
  const bucket = new s3.Bucket(stack, `${id}Bucket`);
  const deliveryStream = new firehose.DeliveryStream(stack, id, {
    source: new firehose.KinesisStreamSource(stream),
    destination: new firehose.S3Bucket(bucket, { bufferingInterval }),
  });
  const metric = (metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric =>
    new cloudwatch.Metric({
      namespace: 'AWS/Firehose',
      metricName,
      dimensionsMap: { DeliveryStreamName: deliveryStream.deliveryStreamName },
      ...props,
    });
  return {
    deliveryStream,
    delivery: {
      deliveryStream,
      bufferingInterval,
      conversionFormat: conversionFormat ?? undefined,
      metricDataFreshness: (p) => metric('DeliveryToS3.DataFreshness', p),
      metricDeliveryToS3Success: (p) => metric('DeliveryToS3.Success', p),
      metricExecuteProcessingSuccess: (p) => metric('ExecuteProcessing.Success', p),
      metricFailedConversionRecords: (p) => metric('FailedConversion.Records', p),
      metricThrottledGetRecords: (p) => metric('ThrottledGetRecords', p),
      metricKinesisMillisBehindLatest: (p) => metric('KinesisMillisBehindLatest', p),
    },
  };
}

export interface AutoScalerFake {
  readonly scaler: IMonitorableAutoScaler;
  readonly fn: lambda.Function;
}

export function autoScaler(stack: Stack, id: string, stream: kinesis.IStream, maxShards = 64): AutoScalerFake {
  const fn = testFunction(stack, `${id}Function`);
  const custom = (metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric =>
    new cloudwatch.Metric({
      namespace: SCALER_NAMESPACE,
      metricName,
      dimensionsMap: { StreamName: stream.streamName },
      ...props,
    });
  return {
    fn,
    scaler: {
      stream,
      maxShards,
      metricErrors: (p) => fn.metricErrors(p),
      metricShardCount: (p) => custom('OpenShardCount', p),
      metricThrottledAtMaxShards: (p) => custom('ThrottledAtMaxShards', p),
    },
  };
}
