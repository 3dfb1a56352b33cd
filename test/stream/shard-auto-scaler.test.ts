import { CfnParameter, Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sns from 'aws-cdk-lib/aws-sns';
import { HANDLER_RUNTIME } from '../../lib/private/handler-runtime';
import { ScalableStream, ShardAutoScaler, type ShardAutoScalerProps } from '../../lib/stream';
import { createTestStack } from '../support/app';

let stack: Stack;
let stream: kinesis.Stream;

// Needs assets/shard-scaler/index.js (`npm run build:handlers`, run by `npm ci` through `prepare`).
beforeEach(() => {
  stack = createTestStack();
  stream = new kinesis.Stream(stack, 'Stream', { shardCount: 2 });
});

function scaler(props: Partial<ShardAutoScalerProps> = {}): ShardAutoScaler {
  return new ShardAutoScaler(stack, 'Scaler', { stream, ...props });
}

describe('ShardAutoScaler resources', () => {
  test('a Lambda without reserved concurrency (deploys in accounts at the initial quota), run every minute, no retries', () => {
    scaler({ minShards: 2, maxShards: 64, targetUtilization: 0.7 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: HANDLER_RUNTIME.name,
      Handler: 'index.handler',
      ReservedConcurrentExecutions: Match.absent(),
      Environment: {
        Variables: Match.objectLike({
          STREAM_NAME: stack.resolve(stream.streamName),
          STREAM_ARN: stack.resolve(stream.streamArn),
          METRIC_NAMESPACE: 'CdkKinesisPipeline/ShardAutoScaler',
          MIN_SHARDS: '2',
          MAX_SHARDS: '64',
          TARGET_UTILIZATION: '0.7',
          MAX_CALLS_PER_24_HOURS: '10',
        }),
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  test('least-privilege IAM: stream actions on the stream ARN, PutMetricData only in its namespace', () => {
    const s = scaler();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: [
              'kinesis:AddTagsToStream',
              'kinesis:DescribeStreamSummary',
              'kinesis:ListTagsForStream',
              'kinesis:UpdateShardCount',
            ],
            Effect: 'Allow',
            Resource: stack.resolve(stream.streamArn),
          },
          { Action: 'cloudwatch:GetMetricData', Effect: 'Allow', Resource: '*' },
          {
            Action: 'cloudwatch:PutMetricData',
            Effect: 'Allow',
            Resource: '*',
            Condition: { StringEquals: { 'cloudwatch:namespace': 'CdkKinesisPipeline/ShardAutoScaler' } },
          },
        ]),
      },
    });
    // Logs go to its own log group only: no AWSLambdaBasicExecutionRole (logs:* on every group).
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: stack.resolve(s.logGroup.logGroupArn),
          }),
        ]),
      },
    });
  });

  test('reserves concurrency only when asked to', () => {
    scaler({ reservedConcurrentExecutions: 1 });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 1 });
  });

  test('publishes scaling events to the given topic', () => {
    const topic = new sns.Topic(stack, 'Topic');
    scaler({ notificationTopic: topic });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NOTIFICATION_TOPIC_ARN: stack.resolve(topic.topicArn) }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sns:Publish', Resource: stack.resolve(topic.topicArn) }),
        ]),
      },
    });
  });

  test('attaches to an imported stream', () => {
    const imported = kinesis.Stream.fromStreamArn(
      stack,
      'Imported',
      'arn:aws:kinesis:eu-west-1:111122223333:stream/orders',
    );
    new ShardAutoScaler(stack, 'ImportedScaler', { stream: imported, evaluationInterval: Duration.minutes(5) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STREAM_NAME: 'orders',
          STREAM_ARN: 'arn:aws:kinesis:eu-west-1:111122223333:stream/orders',
        }),
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  test('metric helpers carry namespace, metric name and the StreamName dimension', () => {
    const s = scaler();
    const dims = { StreamName: stream.streamName };
    const expectMetric = (metric: ReturnType<ShardAutoScaler['metricShardCount']>, name: string, statistic: string) => {
      expect(metric.namespace).toBe('CdkKinesisPipeline/ShardAutoScaler');
      expect(metric.metricName).toBe(name);
      expect(metric.dimensions).toEqual(dims);
      expect(metric.statistic).toBe(statistic);
    };
    expectMetric(s.metricShardCount(), 'ShardCount', 'Maximum');
    expectMetric(s.metricScalingEvents(), 'ScalingEvents', 'Sum');
    expectMetric(s.metricThrottledAtMaxShards(), 'ThrottledAtMaxShards', 'Sum');
    expectMetric(s.metricUpdateCallsRemaining(), 'UpdateCallsRemaining', 'Minimum');
    expectMetric(s.metricShardsNeeded(), 'ShardsNeeded', 'Maximum');
    expect(s.metricErrors().metricName).toBe('Errors');
    expect(s.metricErrors().statistic).toBe('Sum');
    expect(s.metricShardCount().period.toMinutes()).toBe(1);
  });

  test('exposes its bounds, stream and function', () => {
    const s = scaler({ minShards: 3, maxShards: 30 });
    expect([s.minShards, s.maxShards, s.stream]).toEqual([3, 30, stream]);
    expect(s.function.node.id).toBe('Resource');
  });
});

describe('ShardAutoScaler validation', () => {
  test.each([
    [{ minShards: 0 }, /minShards must be an integer between 1 and 10000. Received 0/],
    [{ maxShards: 10_001 }, /maxShards must be an integer between 1 and 10000. Received 10001/],
    [{ minShards: 8, maxShards: 4 }, /minShards must be at most maxShards. Received minShards 8 and maxShards 4/],
    [{ targetUtilization: 0 }, /targetUtilization must be greater than 0 and at most 1. Received 0/],
    [{ targetUtilization: 1.5 }, /targetUtilization must be greater than 0 and at most 1. Received 1.5/],
    [{ scaleUpUtilization: 1.01 }, /scaleUpUtilization must be greater than 0 and at most 1. Received 1.01/],
    [
      { targetUtilization: 0.9, scaleUpUtilization: 0.8 },
      /targetUtilization must be at most scaleUpUtilization. Received targetUtilization 0.9 and scaleUpUtilization 0.8/,
    ],
    [{ maxCallsPer24Hours: 11 }, /maxCallsPer24Hours must be an integer between 1 and 10. Received 11/],
    [
      { reservedConcurrentExecutions: 0 },
      /reservedConcurrentExecutions must be an integer between 1 and 10. Received 0/,
    ],
    [
      { reservedConcurrentExecutions: 1.5 },
      /reservedConcurrentExecutions must be an integer between 1 and 10. Received 1.5/,
    ],
    [
      { maxCallsPer24Hours: 3, reservedScaleUpCalls: 3 },
      /reservedScaleUpCalls must be less than maxCallsPer24Hours. Received reservedScaleUpCalls 3 and maxCallsPer24Hours 3/,
    ],
    [
      { scaleDownWindow: Duration.hours(3) },
      /scaleDownWindow must be a whole number of minutes between 1 and 120. Received 3 hours/,
    ],
    [
      { evaluationInterval: Duration.seconds(30) },
      /evaluationInterval must be a whole number of minutes between 1 and 60. Received 30 seconds/,
    ],
  ])('rejects %o', (props, error) => {
    expect(() => scaler(props as Partial<ShardAutoScalerProps>)).toThrow(error);
  });

  test('accepts tokens for the bounds', () => {
    const min = new CfnParameter(stack, 'Min', { type: 'Number' }).valueAsNumber;
    const max = new CfnParameter(stack, 'Max', { type: 'Number' }).valueAsNumber;
    const utilization = new CfnParameter(stack, 'Utilization', { type: 'Number' }).valueAsNumber;
    scaler({ minShards: min, maxShards: max, targetUtilization: utilization });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MIN_SHARDS: { Ref: 'Min' }, MAX_SHARDS: { Ref: 'Max' } }) },
    });
  });

  test('rejects an on-demand stream', () => {
    const onDemand = new kinesis.Stream(stack, 'OnDemand', { streamMode: kinesis.StreamMode.ON_DEMAND });
    expect(() => new ShardAutoScaler(stack, 'S', { stream: onDemand })).toThrow(
      /stream must be a PROVISIONED stream.*Received streamMode ON_DEMAND/,
    );
  });

  test('rejects a second scaler on the same stream', () => {
    scaler();
    expect(() => new ShardAutoScaler(stack, 'Second', { stream })).toThrow(
      /already has a ShardAutoScaler \(TestStack\/Scaler\)/,
    );
  });

  test("rejects a second scaler on a ScalableStream, which is a kinesis.IStream sharing its stream's CfnStream", () => {
    const scalable = new ScalableStream(stack, 'Scalable');
    expect(() => new ShardAutoScaler(stack, 'Second', { stream: scalable })).toThrow(
      /already has a ShardAutoScaler \(TestStack\/Scalable\/AutoScaler\)/,
    );
  });

  test('METRIC_NAMESPACE is the namespace of its metrics and of its PutMetricData condition', () => {
    const s = scaler();
    expect(ShardAutoScaler.METRIC_NAMESPACE).toBe('CdkKinesisPipeline/ShardAutoScaler');
    expect(s.metricShardCount().namespace).toBe(ShardAutoScaler.METRIC_NAMESPACE);
  });
});

test('snapshot', () => {
  scaler({ notificationTopic: new sns.Topic(stack, 'Topic') });
  expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
});
