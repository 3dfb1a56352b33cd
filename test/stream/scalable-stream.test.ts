import { CfnParameter, Duration, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RemovalPolicy } from 'aws-cdk-lib';
import { StreamConsumer } from '../../lib/consumer';
import { ScalableStream } from '../../lib/stream';
import { createTestStack } from '../support/app';

// Needs assets/shard-scaler/index.js (`npm run build:handlers`, run by `npm ci` through `prepare`).
let stack: Stack;

beforeEach(() => {
  stack = createTestStack();
});

describe('ScalableStream defaults', () => {
  test('provisioned, 1 shard, 24 h, encrypted with the AWS-managed key, with a ShardAutoScaler', () => {
    const s = new ScalableStream(stack, 'Stream');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 1,
      RetentionPeriodHours: 24,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(s.autoScaler).toBeDefined();
    expect(s.autoScaler?.stream).toBe(s.stream);
    expect(s.stream.node.id).toBe('Resource');
    expect(s.streamMode).toBe(kinesis.StreamMode.PROVISIONED);
    expect(s.retention.toHours()).toBe(24);
  });

  test('the capacity planner picks the initial shard count, within [minShards, maxShards]', () => {
    const traffic = { recordsPerSecond: 100, averageRecordSizeBytes: 100_000, standardConsumers: 10 };
    const s = new ScalableStream(stack, 'Stream', { expectedTraffic: traffic });
    expect(s.capacityPlan?.totalShards).toBe(60);
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 60 });

    const capped = new ScalableStream(stack, 'Capped', {
      expectedTraffic: traffic,
      autoScalingOptions: { maxShards: 40 },
    });
    expect(capped.initialShardCount).toBe(40);
  });

  test('maxShards defaults to room for twice the planned peak; a bound below the plan warns at synth', () => {
    // ~400 shards of writes (400,000 records/s of 1 KB): planned 500 shards at 0.8 utilization (records-bound).
    const big = { recordsPerSecond: 400_000, averageRecordSizeBytes: 1000, standardConsumers: 0 };
    const s = new ScalableStream(stack, 'Big', { expectedTraffic: big });
    expect(s.capacityPlan?.totalShards).toBe(500);
    expect(s.autoScaler?.maxShards).toBe(1000);
    // Without a plan, or with a small one, the default stays 100.
    expect(new ScalableStream(stack, 'Small').autoScaler?.maxShards).toBe(100);

    new ScalableStream(stack, 'Bounded', { expectedTraffic: big, autoScalingOptions: { maxShards: 100 } });
    Annotations.fromStack(stack).hasWarning(
      '/TestStack/Bounded',
      Match.stringLikeRegexp('expectedTraffic needs 500 shards but autoScalingOptions.maxShards is 100'),
    );
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Big', Match.anyValue());
  });

  test('a given key, retention, name and scaler options', () => {
    const key = new kms.Key(stack, 'Key');
    new ScalableStream(stack, 'Stream', {
      streamName: 'orders',
      encryptionKey: key,
      retention: Duration.days(7),
      initialShardCount: 4,
      autoScalingOptions: { minShards: 2, maxShards: 16 },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'orders',
      ShardCount: 4,
      RetentionPeriodHours: 168,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: stack.resolve(key.keyArn) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MIN_SHARDS: '2', MAX_SHARDS: '16' }) },
    });
  });

  test('on-demand: no shard count, no scaler', () => {
    const s = new ScalableStream(stack, 'Stream', { streamMode: kinesis.StreamMode.ON_DEMAND });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ShardCount: Match.absent(),
    });
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(s.autoScaler).toBeUndefined();
    expect(() => s.metricWriteUtilization()).toThrow(
      /metricWriteUtilization needs a PROVISIONED stream.*Received streamMode ON_DEMAND/,
    );
  });

  test('provisioned without autoscaling', () => {
    const s = new ScalableStream(stack, 'Stream', { autoScaling: false, initialShardCount: 3 });
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 0);
    expect(s.autoScaler).toBeUndefined();
    expect(stack.resolve(s.metricWriteUtilization().expression)).toBe(
      '100 * MAX([bytes / (60 * 1048576 * 3), records / (60 * 1000 * 3)])',
    );
  });
});

describe('ScalableStream metrics', () => {
  test('stream metrics with StreamName and the documented statistics', () => {
    const s = new ScalableStream(stack, 'Stream');
    const name = stack.resolve(s.stream.streamName);
    const check = (
      metric: ReturnType<ScalableStream['metricIncomingBytes']>,
      metricName: string,
      statistic: string,
    ) => {
      expect(metric.namespace).toBe('AWS/Kinesis');
      expect(metric.metricName).toBe(metricName);
      expect(stack.resolve(metric.dimensions)).toEqual({ StreamName: name });
      expect(metric.statistic).toBe(statistic);
      expect(metric.period.toMinutes()).toBe(1);
    };
    check(s.metricIncomingBytes(), 'IncomingBytes', 'Sum');
    check(s.metricIncomingRecords(), 'IncomingRecords', 'Sum');
    check(s.metricWriteProvisionedThroughputExceeded(), 'WriteProvisionedThroughputExceeded', 'Sum');
    check(s.metricReadProvisionedThroughputExceeded(), 'ReadProvisionedThroughputExceeded', 'Sum');
    check(s.metricGetRecordsIteratorAgeMilliseconds(), 'GetRecords.IteratorAgeMilliseconds', 'Maximum');
  });

  test('write utilization divides by the shard count the scaler reports', () => {
    const s = new ScalableStream(stack, 'Stream');
    const utilization = s.metricWriteUtilization({ period: Duration.minutes(5) });
    expect(utilization.expression).toBe(
      '100 * MAX([bytes / (300 * 1048576 * shards), records / (300 * 1000 * shards)])',
    );
    const shards = utilization.usingMetrics.shards as ReturnType<
      NonNullable<ScalableStream['autoScaler']>['metricShardCount']
    >;
    expect(shards.metricName).toBe('ShardCount');
    expect(shards.period.toMinutes()).toBe(5);
  });
});

describe('ScalableStream is a kinesis.IStream', () => {
  function role(id: string): iam.Role {
    return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  }

  test('grants delegate to the stream: the same statements as on the kinesis.Stream, key actions included', () => {
    const key = new kms.Key(stack, 'Key');
    const s = new ScalableStream(stack, 'Stream', { encryptionKey: key });
    const viaScalable: kinesis.IStream = s;
    viaScalable.grantWrite(role('Producer'));
    s.stream.grantWrite(role('Reference'));
    s.grantRead(role('Reader'));
    s.grant(role('Describer'), 'kinesis:DescribeStreamSummary');

    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statementsOf = (roleId: string) =>
      Object.values(policies).find((p) => JSON.stringify(p.Properties.Roles).includes(roleId))?.Properties
        .PolicyDocument.Statement;
    expect(statementsOf('Producer')).toEqual(statementsOf('Reference'));
    expect(JSON.stringify(statementsOf('Producer'))).toContain('kinesis:PutRecords');
    expect(JSON.stringify(statementsOf('Producer'))).toContain('kms:GenerateDataKey*');
    expect(JSON.stringify(statementsOf('Reader'))).toContain('kinesis:GetRecords');
    expect(statementsOf('Describer')).toEqual([
      { Action: 'kinesis:DescribeStreamSummary', Effect: 'Allow', Resource: stack.resolve(s.stream.streamArn) },
    ]);
    expect(s.encryptionKey).toBe(key);
  });

  test("ARN, name, reference and metrics are the stream's", () => {
    const s = new ScalableStream(stack, 'Stream');
    expect(s.streamArn).toBe(s.stream.streamArn);
    expect(s.streamName).toBe(s.stream.streamName);
    expect(stack.resolve(s.streamRef)).toEqual(stack.resolve(s.stream.streamRef));
    // Metrics without a documented default of their own are kinesis.Stream's, unchanged.
    for (const [ours, theirs] of [
      [s.metricPutRecordsFailedRecords(), s.stream.metricPutRecordsFailedRecords()],
      [s.metricGetRecordsLatency({ statistic: 'p99' }), s.stream.metricGetRecordsLatency({ statistic: 'p99' })],
      [s.metric('GetRecords.Records'), s.stream.metric('GetRecords.Records')],
    ]) {
      expect(stack.resolve(ours.toMetricConfig())).toEqual(stack.resolve(theirs.toMetricConfig()));
    }
  });

  test('node.defaultChild is the CfnStream: removal policy, and a consumer reads the retention from it', () => {
    const s = new ScalableStream(stack, 'Stream', { retention: Duration.hours(48) });
    expect(s.node.defaultChild).toBeInstanceOf(kinesis.CfnStream);
    s.applyRemovalPolicy(RemovalPolicy.DESTROY);
    const consumer = new StreamConsumer(stack, 'Consumer', {
      stream: s,
      handler: new lambda.Function(stack, 'Fn', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => ({})'),
        timeout: Duration.seconds(30),
      }),
    });
    // 48 h retention minus the 1 h margin: read from the ScalableStream's CfnStream.
    expect(consumer.maxRecordAge?.toHours()).toBe(47);
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(s.stream.streamArn),
    });
  });
});

describe('ScalableStream validation', () => {
  test.each([
    [
      { retention: Duration.hours(8761) },
      /retention must be between 24 and 8760 hours \(whole hours\). Received 8761 hours/,
    ],
    [
      { retention: Duration.hours(23) },
      /retention must be between 24 and 8760 hours \(whole hours\). Received 23 hours/,
    ],
    // RetentionPeriodHours is an integer: aws-cdk-lib would fail later without naming the prop.
    [{ retention: Duration.minutes(1470) }, /retention must be .* \(whole hours\). Received 24.5 hours/],
    [
      { retention: Duration.hours(NaN) },
      /retention must be between 24 and 8760 hours \(whole hours\). Received NaN hours/,
    ],
    [{ retention: Duration.days(Infinity) }, /retention must be .*Received Infinity hours/],
    [{ initialShardCount: 0 }, /initialShardCount must be an integer between 1 and 10000. Received 0/],
    [
      { initialShardCount: 20, autoScalingOptions: { minShards: 2, maxShards: 10 } },
      /initialShardCount must be between minShards \(2\) and maxShards \(10\). Received 20/,
    ],
    [
      { initialShardCount: 1, autoScalingOptions: { minShards: 2 } },
      /initialShardCount must be between minShards \(2\) and maxShards \(100\). Received 1/,
    ],
    [
      { streamMode: kinesis.StreamMode.ON_DEMAND, autoScaling: true },
      /autoScaling must be false when streamMode is ON_DEMAND.*Received autoScaling true/,
    ],
    [
      { streamMode: kinesis.StreamMode.ON_DEMAND, initialShardCount: 2 },
      /initialShardCount must not be set when streamMode is ON_DEMAND. Received 2/,
    ],
    [
      { autoScalingOptions: { minShards: 5, maxShards: 2 } },
      /minShards must be at most maxShards. Received minShards 5 and maxShards 2/,
    ],
    [{ autoScalingOptions: { maxShards: 20_000 } }, /maxShards must be an integer between 1 and 10000. Received 20000/],
    [
      { autoScalingOptions: { targetUtilization: 1.2 } },
      /targetUtilization must be greater than 0 and at most 1. Received 1.2/,
    ],
  ])('rejects %o', (props, error) => {
    expect(() => new ScalableStream(stack, 'Stream', props)).toThrow(error);
  });

  test('accepts tokens for retention and the initial shard count', () => {
    const hours = new CfnParameter(stack, 'Hours', { type: 'Number' }).valueAsNumber;
    const shards = new CfnParameter(stack, 'Shards', { type: 'Number' }).valueAsNumber;
    new ScalableStream(stack, 'Stream', { retention: Duration.hours(hours), initialShardCount: shards });
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: { Ref: 'Shards' },
      RetentionPeriodHours: { Ref: 'Hours' },
    });
  });
});

test('snapshot', () => {
  new ScalableStream(stack, 'Stream', { initialShardCount: 2 });
  expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
});
