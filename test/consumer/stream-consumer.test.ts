import * as path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  ConsumerType,
  ReferenceErrorAlertFunction,
  ReferenceMinuteAggregatesFunction,
  StreamConsumer,
} from '../../lib/consumer';
import type { IConstruct } from 'constructs';
import {
  KINESIS_BATCH_DEFAULTS,
  KINESIS_BATCH_ENV,
  KINESIS_BATCH_METRICS,
} from '../../packages/runtime/src/kinesis-batch';
import { CONSUMER_ENV, CONSUMER_METRICS, TOOLKIT_TIMEOUT_MARGIN_SECONDS } from '../../lib/consumer/consumer-metrics';
import { QUARANTINE_ENV } from '../../packages/runtime/src/quarantine';
import { createTestApp, createTestStack } from '../support/app';
import { addNagChecks, synthWithNag } from '../support/nag';

const ENTRY = path.join(__dirname, 'support', 'sample-handler.ts');

/** The rule ids acknowledged on a construct (Validations.of(c).acknowledge). */
function acknowledgedRules(construct: IConstruct): string[] {
  return construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>));
}

function userFunction(stack: Stack, id = 'Fn'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] })'),
    timeout: Duration.seconds(30),
  });
}

describe('StreamConsumer defaults (standard)', () => {
  let stack: Stack;
  let stream: kinesis.Stream;
  let consumer: StreamConsumer;
  let template: Template;
  beforeEach(() => {
    stack = createTestStack();
    stream = new kinesis.Stream(stack, 'Stream');
    consumer = new StreamConsumer(stack, 'Consumer', { stream, handler: userFunction(stack) });
    template = Template.fromStack(stack);
  });

  test('poison-pill-safe mapping: bisect, partial batch responses, bounded retries and age, S3 on-failure', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(stream.streamArn),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      // 24 h retention - 1 h: failed batches reach S3 before the records expire.
      MaximumRecordAgeInSeconds: 23 * 3600,
      DestinationConfig: { OnFailure: { Destination: stack.resolve(consumer.failureBucket.bucketArn) } },
      MetricsConfig: { Metrics: ['EventCount'] },
    });
    expect(consumer.retryAttempts).toBe(10);
    expect(consumer.maxRecordAge?.toSeconds()).toBe(82800);
    expect(consumer.consumerType).toBe(ConsumerType.STANDARD);
    expect(consumer.efoConsumer).toBeUndefined();
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 0);
  });

  test('failure bucket: SSE-S3, public access blocked, TLS only, objects expire', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            ExpirationInDays: 30,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Status: 'Enabled',
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('the function gets the toolkit environment, may read the stream and only write the bucket', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: consumer.consumerName,
          POWERTOOLS_METRICS_NAMESPACE: 'CdkKinesisPipeline',
          QUARANTINE_BUCKET_NAME: stack.resolve(consumer.failureBucket.bucketName),
          QUARANTINE_PREFIX: 'quarantine/',
          REPORT_BATCH_ITEM_FAILURES: 'true',
        },
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['kinesis:GetRecords', 'kinesis:GetShardIterator']),
            Resource: stack.resolve(stream.streamArn),
          }),
        ]),
      },
    });
    // Least privilege on the failure bucket: write quarantined records and Lambda's on-failure
    // objects (under aws/lambda/<mapping UUID>/) and list, never read, delete or write elsewhere
    // (test/redrive/failure-bucket-iam.test.ts checks every statement).
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:PutObject',
            Resource: stack.resolve(consumer.failureBucket.arnForObjects('quarantine/*')),
          }),
          Match.objectLike({ Action: 's3:ListBucket', Resource: stack.resolve(consumer.failureBucket.bucketArn) }),
        ]),
      },
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toMatch(/s3:(GetObject|DeleteObject|Abort)/);
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('StreamConsumer enhanced fan-out', () => {
  test('registers a stream consumer and maps the function to it', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const consumer = new StreamConsumer(stack, 'Efo', {
      stream,
      handler: userFunction(stack),
      consumerType: ConsumerType.ENHANCED_FAN_OUT,
      consumerName: 'minute-aggregates',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Kinesis::StreamConsumer', {
      ConsumerName: 'minute-aggregates',
      StreamARN: stack.resolve(stream.streamArn),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(consumer.efoConsumer!.streamConsumerArn),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: stack.resolve(consumer.failureBucket.bucketArn) } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
            Resource: stack.resolve(consumer.efoConsumer!.streamConsumerArn),
          }),
        ]),
      },
    });
    expect(stack.resolve(consumer.metricMillisBehindLatest())).toMatchObject({
      namespace: 'AWS/Kinesis',
      metricName: 'SubscribeToShardEvent.MillisBehindLatest',
      statistic: 'Maximum',
      dimensions: {
        StreamName: stack.resolve(stream.streamName),
        ConsumerName: stack.resolve(consumer.efoConsumer!.streamConsumerName),
      },
    });
  });

  test('the default consumer name is unique, valid and at most 128 characters', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const a = new StreamConsumer(stack, 'A'.repeat(150), {
      stream,
      handler: userFunction(stack, 'F1'),
      consumerType: ConsumerType.ENHANCED_FAN_OUT,
    });
    const b = new StreamConsumer(stack, 'B', {
      stream,
      handler: userFunction(stack, 'F2'),
      consumerType: ConsumerType.ENHANCED_FAN_OUT,
    });
    expect(a.consumerName.length).toBeLessThanOrEqual(128);
    expect(a.consumerName).toMatch(/^[a-zA-Z0-9_.-]+$/);
    expect(a.consumerName).not.toBe(b.consumerName);
  });
});

describe('StreamConsumer with imported and generated resources', () => {
  test('an imported stream and an imported function; the toolkit environment is exposed', () => {
    const stack = createTestStack();
    const stream = kinesis.Stream.fromStreamArn(stack, 'Stream', 'arn:aws:kinesis:us-east-1:123456789012:stream/logs');
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/mine');
    const fn = lambda.Function.fromFunctionAttributes(stack, 'Fn', {
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:mine',
      role,
      sameEnvironment: true,
    });
    const consumer = new StreamConsumer(stack, 'Consumer', { stream, handler: fn, consumerName: 'mine' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/logs',
      FunctionName: 'mine',
    });
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(Object.keys(consumer.toolkitEnvironment).sort()).toEqual([
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'QUARANTINE_BUCKET_NAME',
      'QUARANTINE_PREFIX',
      'REPORT_BATCH_ITEM_FAILURES',
    ]);
  });

  test('entry builds a Node.js 24 function as the Resource child', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const consumer = new StreamConsumer(stack, 'Consumer', {
      stream,
      entry: ENTRY,
      functionProps: { memorySize: 512 },
    });
    expect(consumer.function.node.id).toBe('Resource');
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      MemorySize: 512,
      Environment: { Variables: Match.objectLike({ QUARANTINE_PREFIX: 'quarantine/' }) },
    });
  });

  test('an existing failure bucket is used and no bucket is created', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'my-failures');
    const consumer = new StreamConsumer(stack, 'Consumer', {
      stream,
      handler: userFunction(stack),
      failureBucket: bucket,
      quarantinePrefix: 'q/',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(consumer.failureBucket).toBe(bucket);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ QUARANTINE_BUCKET_NAME: 'my-failures', QUARANTINE_PREFIX: 'q/' }) },
    });
  });

  test('a KMS-encrypted failure bucket: the function may generate data keys of its key, through S3 for that bucket', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const bucket = new s3.Bucket(stack, 'Kms', { encryption: s3.BucketEncryption.KMS });
    new StreamConsumer(stack, 'Consumer', { stream, handler: userFunction(stack), failureBucket: bucket });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'kms:GenerateDataKey',
            Resource: stack.resolve(bucket.encryptionKey!.keyArn),
            Condition: Match.objectLike({ StringEquals: Match.objectLike({ 'kms:ViaService': Match.anyValue() }) }),
          }),
        ]),
      },
    });
  });

  test('a KMS-encrypted failure bucket: cdk-nag reports nothing on the function (the key grant is acknowledged)', () => {
    const app = createTestApp();
    addNagChecks(app);
    const stack = new Stack(app, 'Nag');
    const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED });
    const failureBucket = new s3.Bucket(stack, 'Kms', { encryption: s3.BucketEncryption.KMS });
    new StreamConsumer(stack, 'Consumer', {
      stream,
      handler: new ReferenceMinuteAggregatesFunction(stack, 'Fn'),
      failureBucket,
    });
    const { findings } = synthWithNag(app);
    expect(findings.filter((f) => f.paths.some((p) => p.startsWith('Nag/Fn/')))).toEqual([]);
  });

  test('several consumers on one stream and several pipelines in one stack', () => {
    const stack = createTestStack();
    for (const pipeline of ['One', 'Two']) {
      const stream = new kinesis.Stream(stack, `${pipeline}Stream`);
      new StreamConsumer(stack, `${pipeline}Alerts`, { stream, handler: userFunction(stack, `${pipeline}F1`) });
      new StreamConsumer(stack, `${pipeline}Archive`, { stream, handler: userFunction(stack, `${pipeline}F2`) });
      new StreamConsumer(stack, `${pipeline}Aggregates`, {
        stream,
        handler: userFunction(stack, `${pipeline}F3`),
        consumerType: ConsumerType.ENHANCED_FAN_OUT,
      });
    }
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 6);
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 2);
    template.resourceCountIs('AWS::S3::Bucket', 6);
  });
});

describe('StreamConsumer options', () => {
  test('tuning props reach the mapping', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    new StreamConsumer(stack, 'Consumer', {
      stream,
      handler: userFunction(stack),
      batchSize: 500,
      maxBatchingWindow: Duration.seconds(5),
      parallelizationFactor: 4,
      startingPosition: lambda.StartingPosition.AT_TIMESTAMP,
      startingPositionTimestamp: 1700000000,
      filters: [lambda.FilterCriteria.filter({ data: { status: lambda.FilterRule.isEqual(500) } })],
      retryAttempts: 2,
      maxRecordAge: Duration.hours(1),
      bisectBatchOnError: false,
      reportBatchItemFailures: false,
      eventCountMetrics: false,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 5,
      ParallelizationFactor: 4,
      StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: 1700000000,
      FilterCriteria: { Filters: [{ Pattern: '{"data":{"status":[{"numeric":["=",500]}]}}' }] },
      MaximumRetryAttempts: 2,
      MaximumRecordAgeInSeconds: 3600,
      BisectBatchOnFunctionError: false,
      FunctionResponseTypes: Match.absent(),
      MetricsConfig: Match.absent(),
    });
  });

  test('maxRecordAge defaults below the retention of a stream defined in the app', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream', { retentionPeriod: Duration.hours(48) });
    const consumer = new StreamConsumer(stack, 'Consumer', { stream, handler: userFunction(stack) });
    expect(consumer.maxRecordAge?.toHours()).toBe(47);
    const longStream = new kinesis.Stream(stack, 'Long', { retentionPeriod: Duration.days(30) });
    const capped = new StreamConsumer(stack, 'Capped', { stream: longStream, handler: userFunction(stack, 'F2') });
    expect(capped.maxRecordAge?.toDays()).toBe(7);
  });

  test('infiniteRecordAge writes -1 explicitly', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const consumer = new StreamConsumer(stack, 'Consumer', {
      stream,
      handler: userFunction(stack),
      infiniteRecordAge: true,
    });
    expect(consumer.maxRecordAge).toBeUndefined();
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MaximumRecordAgeInSeconds: -1,
      MaximumRetryAttempts: 10,
    });
  });

  test('quarantineQueue: records go to SQS; the function may send to it', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const queue = new sqs.Queue(stack, 'Quarantine');
    new StreamConsumer(stack, 'Consumer', { stream, handler: userFunction(stack), quarantineQueue: queue });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          QUARANTINE_QUEUE_URL: stack.resolve(queue.queueUrl),
          QUARANTINE_BUCKET_NAME: Match.absent(),
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']), Resource: stack.resolve(queue.queueArn) }),
        ]),
      },
    });
  });

  test('failure notifications: S3 event notifications to SNS and SQS', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const topic = new sns.Topic(stack, 'Topic');
    const queue = new sqs.Queue(stack, 'Queue');
    new StreamConsumer(stack, 'Consumer', {
      stream,
      handler: userFunction(stack),
      failureNotificationTopic: topic,
      failureNotificationQueue: queue,
    });
    Template.fromStack(stack).hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        TopicConfigurations: [{ Events: ['s3:ObjectCreated:*'], TopicArn: stack.resolve(topic.topicArn) }],
        QueueConfigurations: [{ Events: ['s3:ObjectCreated:*'], QueueArn: stack.resolve(queue.queueArn) }],
      },
    });
  });
});

describe('StreamConsumer metrics', () => {
  test('Lambda, mapping and toolkit metrics carry their dimensions', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const fn = userFunction(stack);
    const consumer = new StreamConsumer(stack, 'Consumer', { stream, handler: fn, consumerName: 'alerts' });
    const fnDims = { FunctionName: stack.resolve(fn.functionName) };
    expect(stack.resolve(consumer.metricIteratorAge())).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      statistic: 'Maximum',
      dimensions: fnDims,
    });
    expect(stack.resolve(consumer.metricErrors())).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      statistic: 'Sum',
      dimensions: fnDims,
    });
    expect(stack.resolve(consumer.metricThrottles())).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      dimensions: fnDims,
    });
    expect(stack.resolve(consumer.metricOnFailureDestinationDeliveredEventCount())).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'OnFailureDestinationDeliveredEventCount',
      statistic: 'Sum',
      dimensions: { EventSourceMappingUUID: stack.resolve(consumer.eventSourceMappingId) },
    });
    expect(stack.resolve(consumer.metricRecordsQuarantined())).toMatchObject({
      namespace: 'CdkKinesisPipeline',
      metricName: 'RecordsQuarantined',
      statistic: 'Sum',
      dimensions: { service: 'alerts' },
    });
    expect(consumer.metricIteratorAge({ period: Duration.minutes(1) }).period.toMinutes()).toBe(1);
  });

  test('metricMillisBehindLatest is refused on a standard consumer', () => {
    const stack = createTestStack();
    const consumer = new StreamConsumer(stack, 'Consumer', {
      stream: new kinesis.Stream(stack, 'S'),
      handler: userFunction(stack),
    });
    expect(() => consumer.metricMillisBehindLatest()).toThrow(/ENHANCED_FAN_OUT.*Received consumerType STANDARD/);
  });

  test('metricOnFailureDestinationDeliveredEventCount is refused without EventCount metrics', () => {
    const stack = createTestStack();
    const consumer = new StreamConsumer(stack, 'Consumer', {
      stream: new kinesis.Stream(stack, 'S'),
      handler: userFunction(stack),
      eventCountMetrics: false,
    });
    expect(() => consumer.metricOnFailureDestinationDeliveredEventCount()).toThrow(
      /eventCountMetrics.*Received eventCountMetrics false/,
    );
  });

  test('the construct and the runtime toolkit agree on metric names and environment', () => {
    expect(CONSUMER_METRICS.namespace).toBe(KINESIS_BATCH_METRICS.defaultNamespace);
    expect(CONSUMER_METRICS.recordsQuarantined).toBe(KINESIS_BATCH_METRICS.recordsQuarantined);
    expect(CONSUMER_METRICS.recordsProcessed).toBe(KINESIS_BATCH_METRICS.recordsProcessed);
    expect(CONSUMER_METRICS.recordsRetried).toBe(KINESIS_BATCH_METRICS.recordsRetried);
    expect(QUARANTINE_ENV).toEqual({
      bucketName: CONSUMER_ENV.quarantineBucketName,
      prefix: CONSUMER_ENV.quarantinePrefix,
      queueUrl: CONSUMER_ENV.quarantineQueueUrl,
    });
    expect(KINESIS_BATCH_ENV).toEqual({ reportBatchItemFailures: CONSUMER_ENV.reportBatchItemFailures });
    expect(KINESIS_BATCH_DEFAULTS.timeoutMarginMs).toBe(TOOLKIT_TIMEOUT_MARGIN_SECONDS * 1000);
  });
});

describe('StreamConsumer and the toolkit: timeout and partial batch responses', () => {
  test("a function built from entry gets a timeout suited to the batch, not Lambda's 3 seconds", () => {
    // Issue 13: with Lambda's 3 s default and the toolkit's 5 s margin, no record ever started.
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const consumers = [
      new StreamConsumer(stack, 'Standard', { stream, entry: ENTRY }),
      new StreamConsumer(stack, 'Large', { stream, entry: ENTRY, batchSize: 10_000 }),
      new StreamConsumer(stack, 'Own', { stream, entry: ENTRY, functionProps: { timeout: Duration.seconds(20) } }),
    ];
    const template = Template.fromStack(stack).toJSON();
    const timeoutOf = (c: StreamConsumer): number =>
      template.Resources[stack.getLogicalId(c.function.node.defaultChild as lambda.CfnFunction)].Properties.Timeout;
    expect(consumers.map(timeoutOf)).toEqual([60, 305, 20]);
  });

  test.each([
    [true, 'true'],
    [false, 'false'],
  ])('reportBatchItemFailures %p: the toolkit is told through REPORT_BATCH_ITEM_FAILURES=%s', (report, value) => {
    const stack = createTestStack();
    const consumer = new StreamConsumer(stack, 'Consumer', {
      stream: new kinesis.Stream(stack, 'Stream'),
      handler: userFunction(stack),
      reportBatchItemFailures: report,
    });
    expect(consumer.toolkitEnvironment.REPORT_BATCH_ITEM_FAILURES).toBe(value);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REPORT_BATCH_ITEM_FAILURES: value }) },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: report ? ['ReportBatchItemFailures'] : Match.absent(),
    });
  });
});

describe('ReferenceErrorAlertFunction', () => {
  test('Node.js 24 function of the bundled asset, allowed to publish to the topic', () => {
    const stack = createTestStack();
    const topic = new sns.Topic(stack, 'Alerts');
    const fn = new ReferenceErrorAlertFunction(stack, 'Alert', { alertTopic: topic });
    new StreamConsumer(stack, 'Consumer', {
      stream: new kinesis.Stream(stack, 'Stream'),
      handler: fn,
      consumerName: 'error-alerts',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          ALERT_TOPIC_ARN: stack.resolve(topic.topicArn),
          POWERTOOLS_SERVICE_NAME: 'error-alerts',
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sns:Publish', Resource: stack.resolve(topic.topicArn) }),
        ]),
      },
    });
  });

  test('without a topic it creates its own; windows in a table, sent by a schedule every minute', () => {
    // Issue 13: the alerts went to the paging alarm topic by default, one message per batch.
    const stack = createTestStack();
    const fn = new ReferenceErrorAlertFunction(stack, 'Alert', { alertWindow: Duration.minutes(10) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: stack.resolve((fn.alertTopic as sns.Topic).masterKey!.keyArn),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'windowStart', KeyType: 'HASH' },
        { AttributeName: 'stream', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: stack.resolve(fn.functionArn) })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          ALERT_TOPIC_ARN: stack.resolve(fn.alertTopic.topicArn),
          ALERT_WINDOWS_TABLE: stack.resolve(fn.alertWindowsTable.tableName),
          ALERT_WINDOW_SECONDS: '600',
        },
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:Query', 'dynamodb:UpdateItem'],
            Resource: stack.resolve(fn.alertWindowsTable.tableArn),
          }),
        ]),
      },
    });
  });

  test.each([0.5, 1.5, 61, NaN])('alertWindow %p minutes fails', (minutes) => {
    const stack = createTestStack();
    expect(
      () => new ReferenceErrorAlertFunction(stack, 'Alert', { alertWindow: Duration.seconds(minutes * 60) }),
    ).toThrow(`alertWindow must be between 1 and 60 minutes (whole minutes). Received ${minutes} minutes`);
  });

  test('no cdk-nag findings on the function, its topic, table and schedule', () => {
    const app = createTestApp();
    addNagChecks(app);
    const stack = new Stack(app, 'Nag');
    new StreamConsumer(stack, 'Consumer', {
      stream: new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED }),
      handler: new ReferenceErrorAlertFunction(stack, 'Fn'),
    });
    const { findings } = synthWithNag(app);
    expect(findings.filter((f) => f.paths.some((p) => p.startsWith('Nag/Fn/')))).toEqual([]);
  });

  test('acknowledges the KMS action wildcard only when the topic is encrypted', () => {
    const stack = createTestStack();
    const kmsFinding = 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]';
    const key = new kms.Key(stack, 'Key');
    const encrypted = new ReferenceErrorAlertFunction(stack, 'Encrypted', {
      alertTopic: new sns.Topic(stack, 'EncryptedTopic', { masterKey: key }),
    });
    const plain = new ReferenceErrorAlertFunction(stack, 'Plain', { alertTopic: new sns.Topic(stack, 'PlainTopic') });
    const none = new ReferenceErrorAlertFunction(stack, 'None');
    expect(acknowledgedRules(encrypted).some((rule) => rule.endsWith(kmsFinding))).toBe(true);
    expect(acknowledgedRules(plain).some((rule) => rule.endsWith(kmsFinding))).toBe(false);
    // Its own topic is encrypted with a key of its own: the grant on that key is acknowledged.
    expect(acknowledgedRules(none).some((rule) => rule.endsWith(kmsFinding))).toBe(true);
  });
});

describe('ReferenceMinuteAggregatesFunction', () => {
  test('environment and metric helpers agree; it runs as an EFO consumer', () => {
    const stack = createTestStack();
    const fn = new ReferenceMinuteAggregatesFunction(stack, 'Aggregates', { serviceName: 'traffic' });
    new StreamConsumer(stack, 'Consumer', {
      stream: new kinesis.Stream(stack, 'Stream'),
      handler: fn,
      consumerType: ConsumerType.ENHANCED_FAN_OUT,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: { AGGREGATES_NAMESPACE: 'CdkKinesisPipeline/Traffic', AGGREGATES_SERVICE_NAME: 'traffic' },
      },
    });
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 1);
    expect(stack.resolve(fn.metricServerErrors())).toMatchObject({
      namespace: 'CdkKinesisPipeline/Traffic',
      metricName: 'ServerErrors',
      dimensions: { service: 'traffic' },
      statistic: 'Sum',
    });
    expect(fn.metricServerErrors().period.toSeconds()).toBe(60);
    expect(stack.resolve(fn.metricMaxLatency()).statistic).toBe('Maximum');
    expect(stack.resolve(fn.metricRequests()).metricName).toBe('Requests');
  });
});
