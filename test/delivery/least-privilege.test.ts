/**
 * Firehose's roles hold only what Firehose documents: on the lake and backup buckets the six S3
 * actions of "Grant Firehose access to an Amazon S3 destination" (no delete: the lake bucket holds
 * the only raw copy), and a trust policy conditioned on sts:ExternalId = the account ("Allow
 * Firehose to assume an IAM role"), https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLakeDelivery } from '../../lib/delivery';
import { createTestStack } from '../support/app';

const DOCUMENTED = [
  's3:AbortMultipartUpload',
  's3:GetBucketLocation',
  's3:GetObject',
  's3:ListBucket',
  's3:ListBucketMultipartUploads',
  's3:PutObject',
];

const stack = createTestStack();
const lake = new DataLakeDelivery(stack, 'Lake', { stream: new kinesis.Stream(stack, 'Stream', { shardCount: 1 }) });
const backupBucket = new s3.Bucket(stack, 'Backup', { enforceSSL: true });
const split = new DataLakeDelivery(stack, 'Split', {
  stream: new kinesis.Stream(stack, 'Stream2', { shardCount: 1 }),
  backupBucket,
});
const template = Template.fromStack(stack);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

const firehoseRoleIds = Object.entries(template.findResources('AWS::IAM::Role'))
  .filter(([, role]) =>
    (role.Properties.AssumeRolePolicyDocument.Statement as Array<{ Principal: { Service?: string } }>).some(
      (s) => s.Principal.Service === 'firehose.amazonaws.com',
    ),
  )
  .map(([id]) => id);

/** Every statement of every policy attached to a Firehose role, with the role it is attached to. */
const firehoseStatements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => {
  const roles = (policy.Properties.Roles as Array<{ Ref: string }>).map((r) => r.Ref);
  return roles.some((r) => firehoseRoleIds.includes(r))
    ? (policy.Properties.PolicyDocument.Statement as Statement[])
    : [];
});

test('the two constructs have two Firehose roles each (source and destination), all found', () => {
  expect(firehoseRoleIds).toHaveLength(4);
  expect(firehoseStatements.length).toBeGreaterThan(0);
});

test('no statement of a Firehose role allows an S3 delete (s3:DeleteObject*, s3:*, *)', () => {
  const allowed = firehoseStatements.filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action));
  expect(allowed.filter((a) => a === '*' || /^s3:(\*|Delete)/i.test(a))).toEqual([]);
  // Nor any S3 action beyond the documented ones.
  expect([...new Set(allowed.filter((a) => a.startsWith('s3:')))].sort()).toEqual(DOCUMENTED);
});

test.each([
  ['the lake bucket (data/, errors/, raw/)', () => lake.bucket, () => lake.destinationRole],
  ['a separate backup bucket (raw/)', () => backupBucket, () => split.destinationRole],
  ['the lake bucket beside a separate backup bucket', () => split.bucket, () => split.destinationRole],
])('the destination role holds exactly the documented S3 actions on %s and its objects', (_name, bucket, role) => {
  const arn = stack.resolve(bucket().bucketArn);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [stack.resolve(role().roleName)] },
  });
  const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  const objects = { 'Fn::Join': ['', [arn, '/*']] };
  const naming = (resource: unknown) =>
    statements.filter((s) => asList(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(resource)));
  // (Statements on several buckets may be merged into one by the policy minimizer.)
  expect(naming(arn).map((s) => [s.Effect, s.Action])).toEqual([['Allow', DOCUMENTED]]);
  expect(naming(objects).map((s) => [s.Effect, s.Action])).toEqual([['Allow', DOCUMENTED]]);
});

test('every Firehose role trusts firehose.amazonaws.com only with sts:ExternalId = the stack account', () => {
  for (const id of firehoseRoleIds) {
    const statements = template.findResources('AWS::IAM::Role')[id].Properties.AssumeRolePolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'firehose.amazonaws.com' },
        Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  }
});
