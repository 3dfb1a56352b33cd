import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ConsumerType, StreamConsumer } from '../../lib/consumer';
import { MonitorableConsumer } from '../../lib/monitoring';
import { createTestStack } from '../support/app';

describe('MonitorableConsumer (imported consumers)', () => {
  const stack = createTestStack();
  const fn = lambda.Function.fromFunctionArn(
    stack,
    'Fn',
    'arn:aws:lambda:eu-west-1:111111111111:function:orders-consumer',
  );
  const stream = kinesis.Stream.fromStreamArn(stack, 'Stream', 'arn:aws:kinesis:eu-west-1:111111111111:stream/orders');

  test('a standard consumer: Lambda metrics by FunctionName, failures by EventSourceMappingUUID', () => {
    const consumer = new MonitorableConsumer({
      function: fn,
      eventSourceMappingId: 'a1b2',
      maxRecordAge: Duration.hours(1),
    });
    expect(consumer.consumerType).toBe('STANDARD');
    expect(stack.resolve(consumer.consumerName)).toBe('orders-consumer');
    expect(consumer.maxRecordAge?.toSeconds()).toBe(3600);
    for (const [metric, name] of [
      [consumer.metricIteratorAge(), 'IteratorAge'],
      [consumer.metricErrors(), 'Errors'],
      [consumer.metricThrottles(), 'Throttles'],
    ] as const) {
      expect(metric).toMatchObject({
        namespace: 'AWS/Lambda',
        metricName: name,
        dimensions: { FunctionName: 'orders-consumer' },
      });
    }
    expect(consumer.metricIteratorAge().statistic).toBe('Maximum');
    expect(consumer.metricOnFailureDestinationDeliveredEventCount()).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'OnFailureDestinationDeliveredEventCount',
      dimensions: { EventSourceMappingUUID: 'a1b2' },
      statistic: 'Sum',
    });
    // Data loss: dropped records per mapping (EventCount metrics), failed destination writes per function.
    expect(consumer.metricDroppedEventCount()).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'DroppedEventCount',
      dimensions: { EventSourceMappingUUID: 'a1b2' },
      statistic: 'Sum',
    });
    expect(consumer.metricDestinationDeliveryFailures()).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'DestinationDeliveryFailures',
      dimensions: { FunctionName: 'orders-consumer' },
      statistic: 'Sum',
    });
    expect(() => consumer.metricMillisBehindLatest()).toThrow(/orders-consumer is not an enhanced fan-out consumer/);
  });

  test('an enhanced fan-out consumer: MillisBehindLatest by StreamName and ConsumerName', () => {
    const consumer = new MonitorableConsumer({
      function: fn,
      eventSourceMappingId: 'a1b2',
      consumerName: 'orders-efo',
      efoConsumerName: 'orders-efo-consumer',
      stream,
    });
    expect(consumer.consumerType).toBe('ENHANCED_FAN_OUT');
    expect(consumer.metricMillisBehindLatest()).toMatchObject({
      namespace: 'AWS/Kinesis',
      metricName: 'SubscribeToShardEvent.MillisBehindLatest',
      dimensions: { StreamName: 'orders', ConsumerName: 'orders-efo-consumer' },
      statistic: 'Maximum',
    });
  });

  test('the quarantine metric is the one given, with options applied', () => {
    const given = new cloudwatch.Metric({
      namespace: 'App',
      metricName: 'RecordsQuarantined',
      dimensionsMap: { FunctionName: 'x' },
    });
    const consumer = new MonitorableConsumer({
      function: fn,
      eventSourceMappingId: 'u',
      recordsQuarantinedMetric: given,
    });
    expect(consumer.metricRecordsQuarantined({ statistic: 'Sum' })).toMatchObject({
      namespace: 'App',
      metricName: 'RecordsQuarantined',
      statistic: 'Sum',
    });
  });

  test('describing a StreamConsumer yields the same metrics as the StreamConsumer itself', () => {
    const ownStack = createTestStack();
    const ownStream = new kinesis.Stream(ownStack, 'Stream');
    const handler = new lambda.Function(ownStack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      timeout: Duration.seconds(30),
    });
    const created = new StreamConsumer(ownStack, 'Consumer', {
      stream: ownStream,
      handler,
      consumerType: ConsumerType.ENHANCED_FAN_OUT,
      consumerName: 'orders-efo',
    });
    const described = new MonitorableConsumer({
      function: handler,
      eventSourceMappingId: created.eventSourceMappingId,
      efoConsumerName: created.efoConsumer!.streamConsumerName,
      stream: ownStream,
    });
    const period = { period: Duration.minutes(1) };
    for (const name of [
      'metricIteratorAge',
      'metricErrors',
      'metricThrottles',
      'metricOnFailureDestinationDeliveredEventCount',
      'metricDroppedEventCount',
      'metricDestinationDeliveryFailures',
      'metricMillisBehindLatest',
    ] as const) {
      expect(ownStack.resolve(described[name](period))).toEqual(ownStack.resolve(created[name](period)));
    }
    // Without the mapping's EventCount metrics there is no DroppedEventCount to watch.
    const quiet = new StreamConsumer(ownStack, 'Quiet', { stream: ownStream, handler, eventCountMetrics: false });
    expect(() => quiet.metricDroppedEventCount()).toThrow(/metricDroppedEventCount needs eventCountMetrics/);
    expect(quiet.metricDestinationDeliveryFailures().metricName).toBe('DestinationDeliveryFailures');
  });
});
