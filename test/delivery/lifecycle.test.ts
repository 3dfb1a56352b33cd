/**
 * Lifecycle of the lake bucket DataLakeDelivery creates: errors/ expires (90 days by default),
 * data/ only when asked (`dataExpiration`), raw/ moves to Glacier; no rule's prefix may cover
 * another content's keys. S3 lifecycle: ExpirationInDays is a whole, non-zero number of days
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html).
 */
import { CfnParameter, Duration, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLakeDelivery, type DataLakeDeliveryOptions } from '../../lib/delivery';
import { createTestStack } from '../support/app';

interface Rule {
  Id?: string;
  Prefix?: string;
  ExpirationInDays?: number;
  Status: string;
}

function lake(options: DataLakeDeliveryOptions = {}): { stack: Stack; delivery: DataLakeDelivery } {
  const stack = createTestStack();
  const stream = new kinesis.Stream(stack, 'Stream', { shardCount: 1 });
  return { stack, delivery: new DataLakeDelivery(stack, 'Lake', { stream, ...options }) };
}

function rulesOf(options: DataLakeDeliveryOptions = {}): Rule[] {
  const { stack, delivery } = lake(options);
  const logicalId = stack.resolve((delivery.bucket.node.defaultChild as s3.CfnBucket).logicalId);
  const bucket = Template.fromStack(stack).findResources('AWS::S3::Bucket')[logicalId];
  return bucket.Properties.LifecycleConfiguration.Rules;
}

const expiring = (rules: Rule[]) =>
  rules.filter((r) => r.ExpirationInDays !== undefined).map((r) => [r.Id, r.Prefix, r.ExpirationInDays]);

describe('defaults', () => {
  const rules = rulesOf();

  test('errors/ expires after 90 days, data/ and raw/ never', () => {
    expect(expiring(rules)).toEqual([['ExpireErrors', 'errors/', 90]]);
  });

  test('expired versions and their lone delete markers are cleaned up', () => {
    expect(rules).toContainEqual(
      expect.objectContaining({
        Id: 'NoncurrentVersions',
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        ExpiredObjectDeleteMarker: true,
      }),
    );
  });
});

test('dataExpiration and errorExpiration set the rules of the data root and the error root', () => {
  const rules = rulesOf({
    dataExpiration: Duration.days(400),
    errorExpiration: Duration.days(7),
    dataOutputPrefix:
      'lake/events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
    errorOutputPrefix: 'failed/!{firehose:error-output-type}/!{timestamp:yyyy}/',
  });
  expect(expiring(rules)).toEqual([
    ['ExpireData', 'lake/events/', 400],
    ['ExpireErrors', 'failed/', 7],
  ]);
});

test('a token duration is accepted (days)', () => {
  const { stack } = lake();
  const days = new CfnParameter(stack, 'Days', { type: 'Number' }).valueAsNumber;
  const stream = new kinesis.Stream(stack, 'Other', { shardCount: 1 });
  expect(() => new DataLakeDelivery(stack, 'Tokens', { stream, dataExpiration: Duration.days(days) })).not.toThrow();
});

describe('no rule without a folder of its own', () => {
  test('an error prefix starting with an expression gets no default rule', () => {
    const rules = rulesOf({ errorOutputPrefix: '!{firehose:error-output-type}/' });
    expect(expiring(rules)).toEqual([]);
  });

  test('an error prefix that is a prefix of raw/ gets no default rule (it would expire the backup)', () => {
    expect(expiring(rulesOf({ errorOutputPrefix: 'r' }))).toEqual([]);
  });

  test('the rule is on the folder before the first expression, never on a bare text start', () => {
    // A rule on 'failed' would also expire 'failed-orders/...' or anything else starting so.
    expect(expiring(rulesOf({ errorOutputPrefix: 'failed!{firehose:error-output-type}/' }))).toEqual([]);
    expect(expiring(rulesOf({ errorOutputPrefix: 'lake/failed-!{firehose:error-output-type}/' }))).toEqual([
      ['ExpireErrors', 'lake/', 90],
    ]);
  });

  test('an error folder inside the data folder is refused: its rule would expire the data', () => {
    expect(() =>
      lake({ errorOutputPrefix: 'data/err-!{firehose:error-output-type}/', errorExpiration: Duration.days(10) }),
    ).toThrow(/errorExpiration cannot be applied: a rule on 'data\/' would also expire the data prefix 'data\/'/);
  });
});

describe('validation names the prop, the value and the range', () => {
  test.each([
    ['dataExpiration', Duration.days(0), /dataExpiration must be at least 1 days \(whole days\)\. Received 0 days/],
    [
      'errorExpiration',
      Duration.hours(36),
      /errorExpiration must be at least 1 days \(whole days\)\. Received 1\.5 days/,
    ],
    ['dataExpiration', Duration.days(NaN), /dataExpiration must be at least 1 days .*Received NaN days/],
    ['errorExpiration', Duration.days(Infinity), /errorExpiration must be at least 1 days .*Received Infinity days/],
  ])('%s %s', (prop, value, message) => {
    expect(() => lake({ [prop]: value })).toThrow(message);
  });

  test.each(['dataExpiration', 'errorExpiration'])(
    '%s with your own bucket is refused (it would be ignored)',
    (prop) => {
      const stack = createTestStack();
      const bucket = new s3.Bucket(stack, 'Mine');
      const stream = new kinesis.Stream(stack, 'Stream', { shardCount: 1 });
      expect(() => new DataLakeDelivery(stack, 'Lake', { stream, bucket, [prop]: Duration.days(10) })).toThrow(
        new RegExp(`${prop} only applies when the construct creates the bucket.*Received ${prop} 10 days with bucket`),
      );
    },
  );

  test('errorExpiration with an error prefix that would also expire raw/ is refused', () => {
    expect(() => lake({ errorOutputPrefix: 'r', errorExpiration: Duration.days(10) })).toThrow(
      /errorExpiration cannot be applied: errorOutputPrefix has no literal folder before its first expression: a rule on 'r' would expire every key starting so\..*Received errorOutputPrefix 'r'/,
    );
  });

  test('errorExpiration with an error prefix starting with an expression is refused (it would expire the bucket)', () => {
    expect(() =>
      lake({ errorOutputPrefix: '!{firehose:error-output-type}/', errorExpiration: Duration.days(10) }),
    ).toThrow(
      /errorExpiration cannot be applied: errorOutputPrefix has no literal folder before its first expression: a rule on '' would expire every key starting so\..*Received errorOutputPrefix '!\{firehose:error-output-type\}\/'/,
    );
  });

  test('dataExpiration on a data root that is a prefix of raw/ is refused', () => {
    expect(() =>
      lake({
        dataExpiration: Duration.days(10),
        dataOutputPrefix: 'r/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
      }),
    ).not.toThrow(); // 'r/' is no prefix of 'raw/'
    expect(() =>
      lake({
        dataExpiration: Duration.days(10),
        dataOutputPrefix: 'raw/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
      }),
    ).toThrow(/dataExpiration would also expire the raw backup prefix 'raw\/'/);
  });
});
