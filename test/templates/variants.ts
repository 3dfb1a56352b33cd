/**
 * Template variants built only through the public API, one stack each in one app, so that a
 * single synth and a single cfn-lint run cover them all. Each variant exercises a configuration
 * the reference app does not: stream modes and keys, import modes, consumer options, data-lake
 * layouts and formats, alarm topics.
 */
import * as path from 'node:path';
import { App, CfnParameter, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ReferencePipelineStack } from '../../bin/reference-pipeline-stack';
import {
  ColumnType,
  ConsumerType,
  DataLakeDelivery,
  OutputFormat,
  PartitionKey,
  Partitioning,
  PipelineMonitoring,
  StreamConsumer,
  StreamingPipeline,
  TableSchema,
  type DataLakeDeliveryOptions,
  type StreamConsumerOptions,
} from '../../lib';
import { createTestApp } from '../support/app';

export interface TemplateVariant {
  /** Also the stack id and the template's file name. */
  readonly name: string;
  readonly build: (app: App) => Stack;
}

const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:111111111111:stream/logs';
const SAMPLE_HANDLER = path.join(__dirname, '..', 'consumer', 'support', 'sample-handler.ts');

function handler(scope: Stack, id: string): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    // Longer than the runtime toolkit's 5 s margin, as a real consumer's would be.
    timeout: Duration.seconds(30),
  });
}

/** A topic a user would pass as alarmTopic: its own key and policy let this account's CloudWatch alarms in. */
function userAlarmTopic(stack: Stack): sns.Topic {
  const key = new kms.Key(stack, 'PagerKey', { enableKeyRotation: true });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
  const topic = new sns.Topic(stack, 'Pager', { masterKey: key, enforceSSL: true });
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
  return topic;
}

/** A stream of the stack, a DataLakeDelivery with the given options, and its monitoring. */
function dataLake(name: string, options: DataLakeDeliveryOptions): TemplateVariant {
  return {
    name,
    build: (app) => {
      const stack = new Stack(app, name);
      const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED });
      const delivery = new DataLakeDelivery(stack, 'DataLake', { stream, ...options });
      const monitoring = new PipelineMonitoring(stack, 'Monitoring');
      monitoring.monitorDelivery(delivery);
      return stack;
    },
  };
}

/** A consumer, a delivery and their monitoring on a stream this app did not create. */
function importedStream(name: string, streamArn: (stack: Stack) => string, props?: StackProps): TemplateVariant {
  return {
    name,
    build: (app) => {
      const stack = new Stack(app, name, props);
      const key = kms.Key.fromKeyArn(
        stack,
        'StreamKey',
        'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      );
      const stream = kinesis.Stream.fromStreamAttributes(stack, 'Stream', {
        streamArn: streamArn(stack),
        encryptionKey: key,
      });
      const consumer = new StreamConsumer(stack, 'Consumer', { stream, handler: handler(stack, 'Handler') });
      const delivery = new DataLakeDelivery(stack, 'DataLake', { stream });
      const monitoring = new PipelineMonitoring(stack, 'Monitoring');
      monitoring.monitorStream(stream, { displayName: 'Imported' });
      monitoring.monitorConsumer(consumer, { displayName: 'Consumer' });
      monitoring.monitorDelivery(delivery);
      return stack;
    },
  };
}

function sixConsumers(stack: Stack): { [id: string]: StreamConsumerOptions } {
  const topic = new sns.Topic(stack, 'FailureTopic', {
    masterKey: new kms.Key(stack, 'FailureTopicKey', { enableKeyRotation: true }),
  });
  const queue = new sqs.Queue(stack, 'FailureQueue', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
  const quarantine = new sqs.Queue(stack, 'Quarantine', {
    enforceSSL: true,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
  });
  const sharedBucket = new s3.Bucket(stack, 'SharedFailures', {
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
  });
  return {
    Filtered: {
      handler: handler(stack, 'FilteredHandler'),
      consumerType: ConsumerType.STANDARD,
      consumerName: 'filtered',
      batchSize: 500,
      maxBatchingWindow: Duration.seconds(5),
      parallelizationFactor: 4,
      startingPosition: lambda.StartingPosition.LATEST,
      filters: [lambda.FilterCriteria.filter({ data: { level: lambda.FilterRule.isEqual('error') } })],
      retryAttempts: 3,
      maxRecordAge: Duration.hours(1),
      failureRetention: Duration.days(7),
      quarantinePrefix: 'poison/',
      failureNotificationTopic: topic,
    },
    Bundled: {
      entry: SAMPLE_HANDLER,
      functionProps: { memorySize: 512, timeout: Duration.seconds(30) },
      kplAggregated: true,
      startingPosition: lambda.StartingPosition.AT_TIMESTAMP,
      startingPositionTimestamp: 1_700_000_000,
      retryAttempts: 5,
      infiniteRecordAge: true,
      quarantineQueue: quarantine,
      failureNotificationQueue: queue,
    },
    FanOutShared: {
      handler: handler(stack, 'FanOutSharedHandler'),
      consumerType: ConsumerType.ENHANCED_FAN_OUT,
      consumerName: 'fan-out-shared',
      failureBucket: sharedBucket,
      eventCountMetrics: false,
    },
    FanOutWide: {
      handler: handler(stack, 'FanOutWideHandler'),
      consumerType: ConsumerType.ENHANCED_FAN_OUT,
      batchSize: 10_000,
      maxBatchingWindow: Duration.seconds(300),
      parallelizationFactor: 10,
      streamRetention: Duration.hours(48),
    },
    WholeBatch: {
      handler: handler(stack, 'WholeBatchHandler'),
      reportBatchItemFailures: false,
      bisectBatchOnError: false,
      retryAttempts: -1,
      maxRecordAge: Duration.minutes(30),
    },
    FanOutFiltered: {
      handler: handler(stack, 'FanOutFilteredHandler'),
      consumerType: ConsumerType.ENHANCED_FAN_OUT,
      filters: [lambda.FilterCriteria.filter({ partitionKey: lambda.FilterRule.beginsWith('tenant-') })],
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    },
  };
}

export const TEMPLATE_VARIANTS: TemplateVariant[] = [
  { name: 'Reference', build: (app) => new ReferencePipelineStack(app, 'Reference') },
  {
    // What `new StreamingPipeline(this, 'Pipeline')` deploys: GZIP JSON lake, no consumers, outputs.
    name: 'NoProps',
    build: (app) => {
      const stack = new Stack(app, 'NoProps');
      new StreamingPipeline(stack, 'Pipeline');
      return stack;
    },
  },
  {
    name: 'OnDemandStream',
    build: (app) => {
      const stack = new Stack(app, 'OnDemandStream');
      new StreamingPipeline(stack, 'Pipeline', {
        streamProps: { streamMode: kinesis.StreamMode.ON_DEMAND },
        referenceConsumers: false,
        redrive: false,
        consumers: { Reader: { handler: handler(stack, 'ReaderHandler') } },
      });
      return stack;
    },
  },
  {
    name: 'EfoOnlyConsumers',
    build: (app) => {
      const stack = new Stack(app, 'EfoOnlyConsumers');
      new StreamingPipeline(stack, 'Pipeline', {
        referenceConsumers: false,
        dataLake: false,
        consumers: Object.fromEntries(
          ['A', 'B'].map((id) => [
            id,
            { handler: handler(stack, `${id}Handler`), consumerType: ConsumerType.ENHANCED_FAN_OUT },
          ]),
        ),
      });
      return stack;
    },
  },
  importedStream('ImportedSameAccount', () => STREAM_ARN, { env: { account: '111111111111', region: 'eu-west-1' } }),
  importedStream('ImportedTokenArn', (stack) => new CfnParameter(stack, 'StreamArn', { type: 'String' }).valueAsString),
  importedStream('ImportedLiteralArnAgnostic', () => STREAM_ARN),
  importedStream('ImportedCrossAccount', () => STREAM_ARN, { env: { account: '222222222222', region: 'eu-west-1' } }),
  {
    name: 'CustomerManagedKey',
    build: (app) => {
      const stack = new Stack(app, 'CustomerManagedKey');
      const encryptionKey = new kms.Key(stack, 'StreamKey', { enableKeyRotation: true });
      // The key reaches the consumer, the fan-out consumer, the delivery and the scaler grants; it
      // also encrypts the lake and failure buckets (bucketEncryptionKey), whose data expires.
      new StreamingPipeline(stack, 'Pipeline', {
        streamProps: { encryptionKey, retention: Duration.hours(72) },
        bucketEncryptionKey: encryptionKey,
        dataLakeProps: { dataExpiration: Duration.days(400), errorExpiration: Duration.days(30) },
        referenceConsumers: false,
        consumers: {
          Polling: { handler: handler(stack, 'PollingHandler') },
          FanOut: { handler: handler(stack, 'FanOutHandler'), consumerType: ConsumerType.ENHANCED_FAN_OUT },
        },
      });
      return stack;
    },
  },
  dataLake('DynamicPartitioning', {
    referenceTransform: true,
    partitioning: Partitioning.hourly({
      recordFields: [
        PartitionKey.fromRecordField('kind', { field: 'log_type', values: ['access', 'error', 'unparsed'] }),
      ],
    }),
    bufferingInterval: Duration.seconds(60),
  }),
  dataLake('EventTimePartitioning', {
    referenceTransform: true,
    partitioning: Partitioning.hourly({ eventTimeField: 'event_time' }),
    bufferingInterval: Duration.seconds(60),
  }),
  dataLake('OrcOutput', { referenceTransform: true, outputFormat: OutputFormat.ORC }),
  // A schema and no transform: the producers' JSON rows converted to Parquet as they arrive.
  dataLake('SchemaWithoutTransform', {
    schema: TableSchema.fromColumns([
      { name: 'order_id', type: ColumnType.STRING },
      { name: 'amount', type: ColumnType.decimalOf(10, 2) },
    ]),
  }),
  dataLake('JsonOutput', { outputFormat: OutputFormat.JSON, compression: firehose.Compression.GZIP }),
  {
    name: 'SixConsumers',
    build: (app) => {
      const stack = new Stack(app, 'SixConsumers');
      new StreamingPipeline(stack, 'Pipeline', {
        referenceConsumers: false,
        dataLake: false,
        redrive: false, // the reference template covers redrive
        streamProps: { retention: Duration.hours(48) },
        consumers: sixConsumers(stack),
      });
      return stack;
    },
  },
  {
    name: 'ExternalAlarmTopic',
    build: (app) => {
      const stack = new Stack(app, 'ExternalAlarmTopic');
      new StreamingPipeline(stack, 'Pipeline', {
        referenceConsumers: false,
        dataLake: false,
        redrive: false,
        consumers: { Reader: { handler: handler(stack, 'ReaderHandler') } },
        monitoringProps: {
          alarmTopic: userAlarmTopic(stack),
          unhealthyTopic: sns.Topic.fromTopicArn(stack, 'OnCall', 'arn:aws:sns:eu-west-1:111111111111:on-call'),
          createDashboard: false,
        },
      });
      return stack;
    },
  },
];

/** Synthesizes every variant in one app and returns the templates by variant name. */
export function synthesizeVariants(variants: TemplateVariant[] = TEMPLATE_VARIANTS): Record<string, unknown> {
  const app = createTestApp();
  const stacks = variants.map((v) => [v.name, v.build(app)] as const);
  const assembly = app.synth();
  return Object.fromEntries(
    stacks.map(([name, stack]) => [name, assembly.getStackArtifact(stack.artifactId).template]),
  );
}
