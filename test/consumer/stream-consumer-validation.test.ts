import * as path from 'node:path';
import { CfnParameter, Duration, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  ConsumerType,
  ReferenceErrorAlertFunction,
  ReferenceMinuteAggregatesFunction,
  StreamConsumer,
  type StreamConsumerProps,
} from '../../lib/consumer';
import { createTestStack } from '../support/app';

let stack: Stack;
let stream: kinesis.Stream;
let counter = 0;
beforeEach(() => {
  stack = createTestStack();
  stream = new kinesis.Stream(stack, 'Stream');
});

function fn(): lambda.IFunction {
  return new lambda.Function(stack, `Fn${counter++}`, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    timeout: Duration.seconds(30),
  });
}

function consumer(props: Partial<StreamConsumerProps>, id = 'Consumer'): StreamConsumer {
  return new StreamConsumer(stack, id, { stream, handler: fn(), ...props });
}

function numberParam(name: string): number {
  return new CfnParameter(stack, name, { type: 'Number' }).valueAsNumber;
}

describe('retryAttempts: -1..10000', () => {
  test.each([-2, 10001, 1.5])('fails for %p', (value) => {
    expect(() => consumer({ retryAttempts: value })).toThrow(
      new RegExp(`retryAttempts must be -1 .* between 0 and 10000\\. Received ${value}`),
    );
  });
  test.each([-1, 0, 10000])('accepts %p', (value) => {
    expect(() => consumer({ retryAttempts: value })).not.toThrow();
  });
  test('accepts a token', () => {
    consumer({ retryAttempts: numberParam('Retries') });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MaximumRetryAttempts: { Ref: 'Retries' },
    });
  });
});

describe('maxRecordAge: 60 s..7 days, below the retention', () => {
  test('fails below 60 seconds', () => {
    expect(() => consumer({ maxRecordAge: Duration.seconds(59) })).toThrow(
      /maxRecordAge must be a whole number of seconds between 60 seconds and 7 days \(604800 seconds\)\. Received 59 seconds/,
    );
  });
  test('fails when NaN or not a whole number of seconds (MaximumRecordAgeInSeconds is an integer)', () => {
    expect(() => consumer({ maxRecordAge: Duration.minutes(NaN) })).toThrow(
      /maxRecordAge must be a whole number of seconds between .* Received NaN seconds/,
    );
    expect(() => consumer({ maxRecordAge: Duration.millis(90_500) }, 'B')).toThrow(
      /maxRecordAge must be a whole number of seconds .* Received 90\.5 seconds/,
    );
  });
  test('streamRetention and failureRetention must be finite and in range', () => {
    expect(() => consumer({ streamRetention: Duration.hours(Infinity) })).toThrow(
      /^streamRetention must be between 24 and 8760 hours\. Received Infinity hours$/,
    );
    expect(() => consumer({ streamRetention: Duration.hours(12) }, 'B')).toThrow(
      /^streamRetention must be between 24 and 8760 hours\. Received 12 hours$/,
    );
    expect(() => consumer({ failureRetention: Duration.hours(36) }, 'C')).toThrow(
      /^failureRetention must be at least 1 days \(whole days\)\. Received 1\.5 days$/,
    );
  });
  test('fails above 7 days (with a long retention)', () => {
    expect(() => consumer({ maxRecordAge: Duration.days(8), streamRetention: Duration.days(30) })).toThrow(
      /maxRecordAge must be a whole number of seconds between .* Received 691200 seconds/,
    );
  });
  test('fails at or above the retention', () => {
    expect(() => consumer({ maxRecordAge: Duration.hours(24) })).toThrow(
      /maxRecordAge must be below the stream's retention period \(streamRetention 86400 seconds\).* Received 86400 seconds/,
    );
  });
  test('the retention is read from the stream', () => {
    const longStream = new kinesis.Stream(stack, 'Long', { retentionPeriod: Duration.hours(72) });
    expect(() => consumer({ stream: longStream, maxRecordAge: Duration.hours(48) })).not.toThrow();
    expect(() => consumer({ stream: longStream, maxRecordAge: Duration.hours(72) }, 'Other')).toThrow(
      /streamRetention 259200 seconds.* Received 259200 seconds/,
    );
  });
  test('streamRetention tells the retention of an imported stream', () => {
    const imported = kinesis.Stream.fromStreamArn(stack, 'Imported', 'arn:aws:kinesis:us-east-1:123456789012:stream/x');
    expect(() => consumer({ stream: imported, maxRecordAge: Duration.hours(30) })).toThrow(/Received 108000 seconds/);
    expect(() =>
      consumer({ stream: imported, maxRecordAge: Duration.hours(30), streamRetention: Duration.hours(48) }, 'B'),
    ).not.toThrow();
  });
  test('a token streamRetention: maxRecordAge defaults to the 24 h default retention minus 1 hour', () => {
    const c = consumer({ streamRetention: Duration.hours(numberParam('RetentionHours')) });
    expect(c.maxRecordAge?.toHours()).toBe(23);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MaximumRecordAgeInSeconds: 23 * 3600,
    });
  });
  test('accepts the bounds', () => {
    expect(() => consumer({ maxRecordAge: Duration.seconds(60) })).not.toThrow();
    expect(() => consumer({ maxRecordAge: Duration.days(7), streamRetention: Duration.days(8) }, 'B')).not.toThrow();
  });
  test('infiniteRecordAge with maxRecordAge fails', () => {
    expect(() => consumer({ maxRecordAge: Duration.hours(1), infiniteRecordAge: true })).toThrow(
      /set maxRecordAge or infiniteRecordAge, not both\. Received maxRecordAge 1 hour/,
    );
  });
  test('infinite retries with infinite record age fails', () => {
    expect(() => consumer({ retryAttempts: -1, infiniteRecordAge: true })).toThrow(
      /retryAttempts -1 and infiniteRecordAge together .* Received retryAttempts -1 and infiniteRecordAge true/,
    );
  });
  test('infinite retries with a bounded record age is accepted', () => {
    expect(() => consumer({ retryAttempts: -1 })).not.toThrow();
  });
});

describe('event source settings', () => {
  test.each([0, 11])('parallelizationFactor %p fails', (value) => {
    expect(() => consumer({ parallelizationFactor: value })).toThrow(
      new RegExp(`parallelizationFactor must be an integer between 1 and 10\\. Received ${value}`),
    );
  });
  test('parallelizationFactor accepts a token', () => {
    consumer({ parallelizationFactor: numberParam('Factor') });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ParallelizationFactor: { Ref: 'Factor' },
    });
  });
  test.each([0, 10001])('batchSize %p fails', (value) => {
    expect(() => consumer({ batchSize: value })).toThrow(
      new RegExp(`batchSize must be an integer between 1 and 10000\\. Received ${value}`),
    );
  });
  test('batchSize accepts a token', () => {
    consumer({ batchSize: numberParam('Batch') });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: { Ref: 'Batch' } });
  });
  test('maxBatchingWindow over 300 seconds fails', () => {
    expect(() => consumer({ maxBatchingWindow: Duration.seconds(301) })).toThrow(
      /maxBatchingWindow must be between 0 and 300 seconds \(whole seconds\)\. Received 301 seconds/,
    );
  });
  test('maxBatchingWindow that is NaN or fractional fails with the prop name', () => {
    expect(() => consumer({ maxBatchingWindow: Duration.seconds(NaN) })).toThrow(
      /maxBatchingWindow must be between 0 and 300 seconds \(whole seconds\)\. Received NaN seconds/,
    );
    expect(() => consumer({ maxBatchingWindow: Duration.millis(2500) }, 'B')).toThrow(
      /maxBatchingWindow .* Received 2\.5 seconds/,
    );
  });
  test('maxBatchingWindow accepts 300 seconds and a token', () => {
    expect(() => consumer({ maxBatchingWindow: Duration.minutes(5) })).not.toThrow();
    consumer({ maxBatchingWindow: Duration.seconds(numberParam('Window')) }, 'B');
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MaximumBatchingWindowInSeconds: { Ref: 'Window' },
    });
  });
  test('AT_TIMESTAMP without a timestamp fails', () => {
    expect(() => consumer({ startingPosition: lambda.StartingPosition.AT_TIMESTAMP })).toThrow(
      /startingPositionTimestamp is required when startingPosition is AT_TIMESTAMP\. Received none/,
    );
  });
  test('a timestamp without AT_TIMESTAMP fails', () => {
    expect(() =>
      consumer({ startingPosition: lambda.StartingPosition.LATEST, startingPositionTimestamp: 1700000000 }),
    ).toThrow(
      /startingPositionTimestamp is only allowed with startingPosition AT_TIMESTAMP\. Received startingPositionTimestamp 1700000000 with startingPosition LATEST/,
    );
  });
  test('a negative timestamp fails', () => {
    expect(() =>
      consumer({ startingPosition: lambda.StartingPosition.AT_TIMESTAMP, startingPositionTimestamp: -1 }),
    ).toThrow(/startingPositionTimestamp must be Unix time in seconds \(>= 0\)\. Received -1/);
  });
  test('AT_TIMESTAMP accepts a token timestamp', () => {
    consumer({
      startingPosition: lambda.StartingPosition.AT_TIMESTAMP,
      startingPositionTimestamp: numberParam('Start'),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPositionTimestamp: { Ref: 'Start' },
    });
  });
  test('kplAggregated with parallelizationFactor > 1 fails', () => {
    expect(() => consumer({ kplAggregated: true, parallelizationFactor: 2 })).toThrow(
      /kplAggregated records require parallelizationFactor 1 .* Received parallelizationFactor 2/,
    );
  });
  test('kplAggregated with filters fails', () => {
    const filters = [lambda.FilterCriteria.filter({ partitionKey: lambda.FilterRule.isEqual('a') })];
    expect(() => consumer({ kplAggregated: true, filters })).toThrow(
      /filters cannot be used with kplAggregated records.* Received filters with kplAggregated true/,
    );
  });
  test('kplAggregated alone is accepted', () => {
    expect(() => consumer({ kplAggregated: true })).not.toThrow();
  });
});

describe('consumer names and counts', () => {
  test('a consumer name over 128 characters fails', () => {
    expect(() => consumer({ consumerName: 'c'.repeat(129) })).toThrow(
      /consumerName must be 1 to 128 characters long\. Received 129 characters/,
    );
  });
  test('an EFO consumer name with invalid characters fails', () => {
    expect(() => consumer({ consumerName: 'bad name', consumerType: ConsumerType.ENHANCED_FAN_OUT })).toThrow(
      /consumerName may only contain .* Received bad name/,
    );
  });
  test('a consumer name token is accepted', () => {
    const name = new CfnParameter(stack, 'Name').valueAsString;
    consumer({ consumerName: name, consumerType: ConsumerType.ENHANCED_FAN_OUT });
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::StreamConsumer', { ConsumerName: { Ref: 'Name' } });
  });
  test('the 21st enhanced fan-out consumer on a stream fails; other streams are counted apart', () => {
    for (let i = 0; i < 20; i++) consumer({ consumerType: ConsumerType.ENHANCED_FAN_OUT }, `Efo${i}`);
    expect(() => consumer({ consumerType: ConsumerType.ENHANCED_FAN_OUT }, 'Efo20')).toThrow(
      /a stream can have at most 20 enhanced fan-out consumers\. Received consumer number 21 on stream TestStack\/Stream/,
    );
    const other = new kinesis.Stream(stack, 'Other');
    expect(() => consumer({ stream: other, consumerType: ConsumerType.ENHANCED_FAN_OUT }, 'OtherEfo')).not.toThrow();
    // Standard consumers do not count.
    expect(() => consumer({}, 'Standard')).not.toThrow();
  });
  test('handler and entry: exactly one', () => {
    expect(() => new StreamConsumer(stack, 'None', { stream })).toThrow(
      /give handler or entry, exactly one\. Received neither handler nor entry/,
    );
    expect(() => new StreamConsumer(stack, 'Both', { stream, handler: fn(), entry: 'x.ts' })).toThrow(
      /Received both handler and entry/,
    );
  });
  test('functionProps with handler fails (it shapes the entry function only)', () => {
    expect(() => consumer({ functionProps: { memorySize: 512 } })).toThrow(
      /functionProps only applies to the function built from entry.* Received functionProps with handler/,
    );
  });
  test('quarantinePrefix with quarantineQueue fails (records then go to the queue)', () => {
    const quarantineQueue = new sqs.Queue(stack, 'Quarantine');
    expect(() => consumer({ quarantineQueue, quarantinePrefix: 'poison/' })).toThrow(
      /quarantinePrefix only applies when records are quarantined in the failure bucket.* Received quarantinePrefix 'poison\/' with quarantineQueue/,
    );
    expect(() => consumer({ quarantineQueue }, 'QueueOnly')).not.toThrow();
  });
  test('failureRetention with failureBucket fails (it shapes the created bucket only)', () => {
    const failureBucket = s3.Bucket.fromBucketName(stack, 'Failures', 'my-failures');
    expect(() => consumer({ failureBucket, failureRetention: Duration.days(7) })).toThrow(
      /failureRetention only applies to the failure bucket the construct creates.* Received failureRetention 7 days with failureBucket/,
    );
    expect(() => consumer({ failureBucket }, 'WithBucket')).not.toThrow();
  });
});

describe('function timeout: room for records after the toolkit margin (10..900 seconds)', () => {
  const ENTRY = path.join(__dirname, 'support', 'sample-handler.ts');
  test.each([3, 9.5, 10.5, 901, NaN])('fails for functionProps.timeout %p seconds', (seconds) => {
    expect(() =>
      consumer({ handler: undefined, entry: ENTRY, functionProps: { timeout: Duration.seconds(seconds) } }),
    ).toThrow(
      new RegExp(
        `^functionProps\\.timeout must be between 10 and 900 seconds \\(whole seconds\\) \\(the runtime toolkit starts no record within 5 seconds of the timeout.*\\)\\. Received ${seconds} seconds$`,
      ),
    );
  });

  test('fails for a handler whose timeout is shorter than twice the margin', () => {
    const handler = new lambda.Function(stack, 'Short', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      timeout: Duration.seconds(3),
    });
    expect(() => consumer({ handler })).toThrow(
      /handler timeout must be between 10 and 900 seconds \(whole seconds\).*\. Received 3 seconds/,
    );
  });

  test("fails for a handler without a timeout: Lambda's default is 3 seconds", () => {
    const handler = new lambda.Function(stack, 'Unset', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
    expect(() => consumer({ handler })).toThrow(
      /^handler timeout \(unset: Lambda's default\) must be between 10 and 900 seconds .*\. Received 3 seconds$/,
    );
  });

  test('an imported function (timeout unknown at synth) is not checked', () => {
    const handler = lambda.Function.fromFunctionAttributes(stack, 'Imported', {
      functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f',
      role: iam.Role.fromRoleArn(stack, 'ImportedRole', 'arn:aws:iam::111111111111:role/f'),
    });
    expect(() => consumer({ handler })).not.toThrow();
  });

  test.each([10, 900])('accepts %p seconds', (seconds) => {
    expect(() =>
      consumer({ handler: undefined, entry: ENTRY, functionProps: { timeout: Duration.seconds(seconds) } }),
    ).not.toThrow();
  });

  test('accepts a token', () => {
    const timeout = Duration.seconds(numberParam('Timeout'));
    consumer({ handler: undefined, entry: ENTRY, functionProps: { timeout } });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Timeout: { Ref: 'Timeout' } });
  });
});

describe('reference functions', () => {
  test.each([
    [Duration.minutes(16), /^timeout must be between 1 and 900 seconds \(whole seconds\)\. Received 960 seconds$/],
    [Duration.millis(2500), /Received 2\.5 seconds/],
    [Duration.seconds(NaN), /Received NaN seconds/],
  ])('timeout %s fails with the prop, the value and the range', (timeout, error) => {
    expect(() => new ReferenceErrorAlertFunction(stack, 'Alerts', { timeout })).toThrow(error);
    expect(() => new ReferenceMinuteAggregatesFunction(stack, 'Aggregates', { timeout })).toThrow(error);
  });
});
