/**
 * One log retention for every function the constructs create (30 days unless `logRetention` says
 * otherwise), and execution roles that may write only to their own log group instead of the
 * AWSLambdaBasicExecutionRole managed policy (logs:* on every log group of the account).
 */
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReferenceErrorAlertFunction, ReferenceMinuteAggregatesFunction, StreamConsumer } from '../../lib/consumer';
import { StreamingPipeline } from '../../lib/pipeline';
import { RedriveFunction } from '../../lib/redrive';
import { ShardAutoScaler } from '../../lib/stream';
import { createTestStack } from '../support/app';

const ENTRY = path.join(__dirname, 'support', 'sample-handler.ts');

/** Every kind of function the constructs create, in one stack (one synthesis for all tests). */
function build(stack: Stack, logRetention?: logs.RetentionDays) {
  const stream = new kinesis.Stream(stack, 'Stream', { shardCount: 1 });
  new ReferenceErrorAlertFunction(stack, 'Alerts', { logRetention });
  new ReferenceMinuteAggregatesFunction(stack, 'Aggregates', { logRetention });
  new StreamConsumer(stack, 'Consumer', { stream, entry: ENTRY, logRetention });
  new RedriveFunction(stack, 'Redrive', { stream, failureBucket: new s3.Bucket(stack, 'Failures'), logRetention });
  new ShardAutoScaler(stack, 'Scaler', { stream, logRetention });
}

describe('defaults', () => {
  const stack = createTestStack();
  build(stack);
  const template = Template.fromStack(stack);

  test('every function writes to a log group of its own that keeps logs 30 days', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(5);
    const groups = template.findResources('AWS::Logs::LogGroup');
    for (const [id, fn] of Object.entries(functions)) {
      const ref = fn.Properties.LoggingConfig?.LogGroup?.Ref as string | undefined;
      expect({ id, retention: ref && groups[ref]?.Properties.RetentionInDays }).toEqual({ id, retention: 30 });
    }
  });

  test('no role carries AWSLambdaBasicExecutionRole (logs:* on every log group)', () => {
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test("no role may write logs outside its function's log group", () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const logStatements = Object.values(policies).flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>).filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('logs:')),
      ),
    );
    expect(logStatements.length).toBeGreaterThanOrEqual(5);
    for (const s of logStatements) expect(JSON.stringify(s.Resource)).not.toContain('"*"');
  });
});

test('logRetention sets the retention of every function the construct creates', () => {
  const stack = createTestStack();
  build(stack, logs.RetentionDays.ONE_WEEK);
  const groups = Template.fromStack(stack).findResources('AWS::Logs::LogGroup');
  expect(new Set(Object.values(groups).map((g) => g.Properties.RetentionInDays))).toEqual(new Set([7]));
});

test("StreamingPipeline's logRetention reaches the reference consumers, redrive and the autoscaler", () => {
  const stack = createTestStack();
  new StreamingPipeline(stack, 'Pipeline', {
    logRetention: logs.RetentionDays.ONE_WEEK,
    referenceConsumers: true,
    dataLake: false,
    monitoring: false,
  });
  const groups = Template.fromStack(stack).findResources('AWS::Logs::LogGroup');
  // 2 reference consumers, their 2 redrive functions, the autoscaler.
  expect(Object.values(groups).map((g) => g.Properties.RetentionInDays)).toEqual([7, 7, 7, 7, 7]);
});

describe('validation', () => {
  test.each([Number.NaN, Infinity, 64, 128.5])('memorySize %p of the reference functions fails', (memorySize) => {
    const stack = createTestStack();
    const error = new RegExp(`memorySize must be between 128 and 10240 MB \\(whole MB\\)\\. Received ${memorySize}`);
    expect(() => new ReferenceErrorAlertFunction(stack, 'A', { memorySize })).toThrow(error);
    expect(() => new ReferenceMinuteAggregatesFunction(stack, 'B', { memorySize })).toThrow(error);
  });

  test('a retention CloudWatch Logs does not offer fails', () => {
    const stack = createTestStack();
    expect(() => new ReferenceErrorAlertFunction(stack, 'A', { logRetention: 2 as logs.RetentionDays })).toThrow(
      /logRetention must be one of 1, 3, 5, .* days \(a logs.RetentionDays value\)\. Received 2/,
    );
  });

  test('metricsNamespace and serviceName follow CloudWatch rules', () => {
    const stack = createTestStack();
    expect(() => new ReferenceMinuteAggregatesFunction(stack, 'A', { metricsNamespace: 'AWS/Kinesis' })).toThrow(
      /metricsNamespace must be 1 to 255 characters .*not starting with 'AWS\/'\. Received 'AWS\/Kinesis'/,
    );
    expect(() => new ReferenceMinuteAggregatesFunction(stack, 'B', { serviceName: ' ' })).toThrow(
      /serviceName must be 1 to 1024 characters of any characters, not only spaces\. Received ' '/,
    );
  });
});
