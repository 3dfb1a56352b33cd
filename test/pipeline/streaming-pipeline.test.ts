import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ConsumerType, ReferenceErrorAlertFunction, StreamingPipeline, type StreamConsumerOptions } from '../../lib';
import { createTestStack } from '../support/app';

function inlineFunction(scope: ConstructLike, id: string): lambda.Function {
  return new lambda.Function(scope as never, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout: Duration.seconds(30),
  });
}
type ConstructLike = object;

describe('StreamingPipeline with no props: nothing specific to a kind of data', () => {
  const stack = createTestStack();
  const pipeline = new StreamingPipeline(stack, 'Pipeline');
  const template = Template.fromStack(stack);

  test("the README's idle-cost table counts this pipeline's alarms, composite alarm, dashboard and shards", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const row = (item: string) => new RegExp(`^\\| ${item} \\| (\\d+)`, 'm').exec(readme)?.[1];
    const count = (type: string) => Object.keys(template.findResources(type)).length;
    expect({
      alarms: Number(row('CloudWatch alarms')),
      composite: Number(row('composite alarm "pipeline unhealthy"')),
      dashboards: Number(row('dashboard')),
      shards: Number(row('Kinesis provisioned shard')),
    }).toEqual({
      alarms: count('AWS::CloudWatch::Alarm'),
      composite: count('AWS::CloudWatch::CompositeAlarm'),
      dashboards: count('AWS::CloudWatch::Dashboard'),
      shards: Object.values(template.findResources('AWS::Kinesis::Stream'))[0].Properties.ShardCount,
    });
  });
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

  test('an autoscaled stream, a data lake and monitoring; no consumers until you add yours', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(pipeline.stream.autoScaler).toBeDefined();
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 0);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    expect(pipeline.consumers).toEqual([]);
    expect(pipeline.errorAlertConsumer).toBeUndefined();
    expect(pipeline.aggregatesConsumer).toBeUndefined();
  });

  test('no web-log parts: the only function is the shard scaler (no reference consumers, no transform)', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.values(functions).map((f: any) => f.Properties.Description)).toEqual([
      expect.stringMatching(/^Scales the shards of Kinesis stream/),
    ]);
    template.resourceCountIs('AWS::Glue::Table', 0);
  });

  test('the data lake: GZIP JSON lines under Hive prefixes, with the error prefix and source backup', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
        ErrorOutputPrefix: Match.stringLikeRegexp('^errors/!\\{firehose:error-output-type\\}/year='),
        CompressionFormat: 'GZIP',
        DataFormatConversionConfiguration: Match.absent(),
        S3BackupMode: 'Enabled',
        S3BackupConfiguration: Match.objectLike({ Prefix: 'raw/' }),
      }),
    });
  });

  test('no alarm on a metric the delivery never publishes (no transform, no conversion)', () => {
    for (const metric of ['ExecuteProcessing.Success', 'FailedConversion.Records']) {
      template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: metric }, 0);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DeliveryToS3.DataFreshness' });
  });

  test('the stack outputs the CLI reads: stream, data lake and alarm topic; no Glue or failure-bucket keys', () => {
    const keys = Object.keys(outputs).map((k) => k.replace(/^Pipeline(\w+)[0-9A-F]{8}$/, '$1'));
    expect(keys.sort()).toEqual(
      ['AlarmTopicArn', 'DataBucketName', 'DataPrefix', 'DeliveryStreamName', 'PartitionKeys', 'StreamName'].sort(),
    );
    const value = (key: string) => Object.entries(outputs).find(([k]) => k.startsWith(`Pipeline${key}`))![1].Value;
    expect(value('StreamName')).toEqual(stack.resolve(pipeline.stream.streamName));
    expect(value('PartitionKeys')).toBe('year,month,day,hour');
    expect(value('DataPrefix')).toBe('data/');
  });
});

describe('StreamingPipeline with referenceConsumers', () => {
  const stack = createTestStack();
  const pipeline = new StreamingPipeline(stack, 'Pipeline', { referenceConsumers: true });
  const template = Template.fromStack(stack);

  test('adds the standard error-alert consumer and the enhanced fan-out aggregates consumer', () => {
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 1);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    expect(pipeline.consumers.map((c) => c.consumerType)).toEqual([
      ConsumerType.STANDARD,
      ConsumerType.ENHANCED_FAN_OUT,
    ]);
  });

  test('the reference error-alert consumer publishes its alerts to a topic of its own, not the alarm topic', () => {
    const alertFunction = pipeline.errorAlertConsumer!.function as ReferenceErrorAlertFunction;
    expect(alertFunction.alertTopic).not.toBe(pipeline.monitoring!.alarmTopic);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ ALERT_TOPIC_ARN: stack.resolve(alertFunction.alertTopic.topicArn) }),
      },
    });
  });

  test('each consumer gets a redrive function that reads its failure bucket and puts back onto the stream', () => {
    expect(Object.keys(pipeline.redriveFunctions)).toEqual(['ErrorAlerts', 'MinuteAggregates']);
    for (const consumer of pipeline.consumers) {
      const redrive = pipeline.redriveFunctions[consumer.node.id];
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: Match.absent(),
        Environment: {
          Variables: Match.objectLike({
            REDRIVE_FAILURE_BUCKET: stack.resolve(consumer.failureBucket.bucketName),
            REDRIVE_STREAM_ARN: stack.resolve(pipeline.stream.stream.streamArn),
          }),
        },
      });
      expect(redrive.function).toBeDefined();
    }
  });

  test('consumers validate their record age against the stream retention', () => {
    for (const consumer of pipeline.consumers) {
      expect(consumer.maxRecordAge!.toSeconds()).toBeLessThan(pipeline.stream.retention.toSeconds());
    }
  });
});

describe('StreamingPipeline overrides', () => {
  test('each part can be turned off', () => {
    const stack = createTestStack();
    const pipeline = new StreamingPipeline(stack, 'Pipeline', {
      referenceConsumers: false,
      dataLake: false,
      monitoring: false,
      redrive: false,
      consumers: { Only: { handler: inlineFunction(stack, 'OnlyFn') } },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
    expect(pipeline.redriveFunctions).toEqual({});
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(pipeline.dataLake).toBeUndefined();
    expect(pipeline.monitoring).toBeUndefined();
  });

  test('a list of consumers (the 0.1 shape, from JavaScript) is rejected, not turned into ids "0", "1"', () => {
    const stack = createTestStack();
    const consumers = [{ id: 'Orders', handler: inlineFunction(stack, 'OrdersFn') }] as unknown as {
      [id: string]: StreamConsumerOptions;
    };
    expect(() => new StreamingPipeline(stack, 'Pipeline', { referenceConsumers: false, consumers })).toThrow(
      /^consumers must be an object keyed by construct id, e\.g\. \{ Orders: \{ handler \} \}\. Received a list of 1$/,
    );
  });

  test('stream, consumers, data lake and monitoring take their own props', () => {
    const stack = createTestStack();
    const topic = new sns.Topic(stack, 'Pager');
    const pipeline = new StreamingPipeline(stack, 'Pipeline', {
      streamProps: { streamMode: kinesis.StreamMode.ON_DEMAND, retention: Duration.days(7) },
      referenceConsumers: false,
      consumers: { Orders: { handler: inlineFunction(stack, 'OrdersFn'), batchSize: 50 } },
      dataLakeProps: { bufferingInterval: Duration.seconds(120) },
      monitoringProps: { alarmTopic: topic, createDashboard: false },
    });
    pipeline.addConsumer('Audit', {
      handler: inlineFunction(stack, 'AuditFn'),
      consumerType: ConsumerType.ENHANCED_FAN_OUT,
    });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      RetentionPeriodHours: 168,
    });
    expect(pipeline.stream.autoScaler).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 50 });
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 1);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BufferingHints: Match.objectLike({ IntervalInSeconds: 120 }),
      }),
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    const topicArn = stack.resolve(topic.topicArn);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.absent(),
      AlarmActions: [topicArn],
      Dimensions: Match.arrayWith([Match.objectLike({ Name: 'FunctionName' })]),
    });
    expect(pipeline.consumers).toHaveLength(2);
  });

  test('producers are granted on pipeline.stream, and consumers are named by their id', () => {
    const stack = createTestStack();
    const pipeline = new StreamingPipeline(stack, 'Pipeline', {
      referenceConsumers: false,
      dataLake: false,
      monitoring: false,
      consumers: { Orders: { handler: inlineFunction(stack, 'OrdersFn') } },
    });
    pipeline.addConsumer('Audit', { handler: inlineFunction(stack, 'AuditFn') });
    const producer = inlineFunction(stack, 'ProducerFn');
    pipeline.stream.grantWrite(producer);

    expect(pipeline.consumers.map((c) => c.node.id)).toEqual(['Orders', 'Audit']);
    expect(Object.keys(pipeline.redriveFunctions)).toEqual(['Orders', 'Audit']);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [stack.resolve((producer.role as iam.IRole).roleName)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['kinesis:PutRecord', 'kinesis:PutRecords']),
            Resource: stack.resolve(pipeline.stream.stream.streamArn),
          }),
        ]),
      },
    });
  });

  test('synthesizes in an app without the recommended feature flags (a user app may have none)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'NoFlags');
    new StreamingPipeline(stack, 'Pipeline');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'data-lake/' },
    });
  });

  test('a consumer without event-count metrics is monitored without the diverted-records alarm', () => {
    const stack = createTestStack();
    const pipeline = new StreamingPipeline(stack, 'Pipeline', { referenceConsumers: false, dataLake: false });
    pipeline.addConsumer('Quiet', { handler: inlineFunction(stack, 'QuietFn'), eventCountMetrics: false });
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { MetricName: 'OnFailureDestinationDeliveredEventCount' },
      0,
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge' });
  });

  test('two pipelines fit in one stack', () => {
    const stack = createTestStack();
    new StreamingPipeline(stack, 'Clicks', { referenceConsumers: true });
    new StreamingPipeline(stack, 'Orders', { referenceConsumers: true });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Kinesis::Stream', 2);
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 2);
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 2);
  });

  test('stackOutputs: false emits no outputs', () => {
    const stack = createTestStack();
    const pipeline = new StreamingPipeline(stack, 'Pipeline', { stackOutputs: false, dataLake: false });
    pipeline.addConsumer('Orders', { handler: inlineFunction(stack, 'OrdersFn') });
    expect(Template.fromStack(stack).toJSON().Outputs).toBeUndefined();
  });

  test('FailureBucketNames lists every consumer, also those added after construction', () => {
    const stack = createTestStack();
    const pipeline = new StreamingPipeline(stack, 'Pipeline', {
      dataLake: false,
      monitoring: false,
      consumers: { Orders: { handler: inlineFunction(stack, 'OrdersFn') } },
    });
    pipeline.addConsumer('Audit', { handler: inlineFunction(stack, 'AuditFn') });
    const outputs = Template.fromStack(stack).toJSON().Outputs as Record<string, { Value: unknown }>;
    const failureBuckets = Object.entries(outputs).filter(([k]) => k.startsWith('PipelineFailureBucketNames'));
    expect(failureBuckets).toHaveLength(1);
    expect(failureBuckets[0][1].Value).toEqual({
      'Fn::Join': [
        '',
        [
          stack.resolve(pipeline.consumers[0].failureBucket.bucketName),
          ',',
          stack.resolve(pipeline.consumers[1].failureBucket.bucketName),
        ],
      ],
    });
  });

  test('an invalid stream prop fails at synth time, naming the prop and the value', () => {
    const stack = createTestStack();
    expect(
      () => new StreamingPipeline(stack, 'Pipeline', { streamProps: { retention: Duration.hours(8761) } }),
    ).toThrow(/retention.*8761/);
  });
});

test('the constructs read no context: only bin/ does, and passes props', () => {
  const libDir = path.join(__dirname, '..', '..', 'lib');
  const files = (fs.readdirSync(libDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(20);
  const readers = files.filter((f) =>
    /\b(tryGetContext|getContext)\s*\(/.test(fs.readFileSync(path.join(libDir, f), 'utf8')),
  );
  expect(readers).toEqual([]);
});
