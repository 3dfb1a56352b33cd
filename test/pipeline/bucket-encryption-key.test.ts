/**
 * `bucketEncryptionKey`: a customer-managed KMS key for every bucket the constructs create (the
 * lake bucket, the consumers' failure buckets; the lake's access-log bucket stays SSE-S3), and
 * exactly the key actions each writer and reader needs, through S3 for that bucket only:
 * - Firehose: kms:Decrypt and kms:GenerateDataKey with kms:ViaService and
 *   kms:EncryptionContext:aws:s3:arn ("Grant Firehose access to an Amazon S3 destination",
 *   https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3);
 * - a consumer (Lambda's on-failure S3 destination, its quarantine writes): kms:GenerateDataKey
 *   (https://docs.aws.amazon.com/lambda/latest/dg/with-msk-on-failure.html);
 * - the redrive function: kms:Decrypt (reads) and kms:GenerateDataKey (ledger puts).
 * One synthesis of a StreamingPipeline with a key, checked resource by resource, and with cdk-nag.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { StreamConsumer } from '../../lib/consumer';
import { DataLakeDelivery } from '../../lib/delivery';
import { StreamingPipeline } from '../../lib/pipeline';
import { createTestApp, createTestStack } from '../support/app';
import { addNagChecks, readTemplate, synthWithNag } from '../support/nag';

const ENTRY = `${__dirname}/../consumer/support/sample-handler.ts`;

const app = createTestApp();
addNagChecks(app);
const stack = new Stack(app, 'Keyed');
const key = new kms.Key(stack, 'BucketKey', { enableKeyRotation: true });
const pipeline = new StreamingPipeline(stack, 'Pipeline', {
  bucketEncryptionKey: key,
  consumers: { Orders: { entry: ENTRY } },
  monitoring: false,
});
const { findings, outdir } = synthWithNag(app);
const template = Template.fromJSON(readTemplate(outdir, stack.artifactId));
const keyArn = stack.resolve(key.keyArn);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: any };
const logicalId = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

/** Every statement of the policies attached to a role, by the role's logical id. */
function statementsOf(roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** The key actions a role holds on the bucket key, with the conditions of each statement. */
function keyGrantsOf(roleId: string): Array<{ actions: string[]; condition: any }> {
  return statementsOf(roleId)
    .filter((s) => JSON.stringify(s.Resource) === JSON.stringify(keyArn))
    .map((s) => ({ actions: [s.Action].flat().sort(), condition: s.Condition }));
}

function s3Conditions(bucket: s3.IBucket) {
  const arn = stack.resolve(bucket.bucketArn);
  return {
    StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
    StringLike: {
      'kms:EncryptionContext:aws:s3:arn': [arn, stack.resolve(bucket.arnForObjects('*'))],
    },
  };
}

const bucketProps = (bucket: s3.IBucket) => template.toJSON().Resources[logicalId(bucket)].Properties;

test('the lake and failure buckets use the key with S3 Bucket Keys; the access-log bucket stays SSE-S3', () => {
  const lake = pipeline.dataLake!;
  const failure = pipeline.consumers[0].failureBucket;
  for (const bucket of [lake.bucket, failure]) {
    expect(bucketProps(bucket).BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } },
    ]);
  }
  const logBucket = bucketProps(lake.bucket).LoggingConfiguration.DestinationBucketName.Ref;
  expect(template.toJSON().Resources[logBucket].Properties.BucketEncryption).toEqual({
    ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
  });
});

test("Firehose's role: kms:Decrypt and kms:GenerateDataKey, through S3 for the lake bucket only", () => {
  const lake = pipeline.dataLake!;
  expect(keyGrantsOf(logicalId(lake.destinationRole))).toEqual([
    { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], condition: s3Conditions(lake.bucket) },
  ]);
});

test("the consumer's role: kms:GenerateDataKey, through S3 for its failure bucket only", () => {
  const consumer = pipeline.consumers[0];
  const grants = keyGrantsOf(logicalId(consumer.function.role!));
  expect(grants.length).toBeGreaterThan(0);
  for (const grant of grants) {
    expect(grant).toEqual({ actions: ['kms:GenerateDataKey'], condition: s3Conditions(consumer.failureBucket) });
  }
});

test("the redrive function's role: kms:Decrypt to read, kms:GenerateDataKey (through S3, this bucket) to write its ledger", () => {
  const redrive = pipeline.redriveFunctions.Orders.function;
  const grants = keyGrantsOf(logicalId(redrive.role!));
  // bucket.grantRead's key.grantDecrypt (aws-cdk-lib adds kms:DescribeKey to it).
  expect(grants).toContainEqual({ actions: ['kms:Decrypt', 'kms:DescribeKey'], condition: undefined });
  expect(grants).toContainEqual({
    actions: ['kms:GenerateDataKey'],
    condition: s3Conditions(pipeline.consumers[0].failureBucket),
  });
  // No key action wildcard is left (kms:GenerateDataKey*, kms:ReEncrypt*).
  expect(grants.flatMap((g) => g.actions).filter((a) => a.includes('*'))).toEqual([]);
});

test('cdk-nag AwsSolutions: no unacknowledged finding, and no key wildcard to acknowledge', () => {
  expect(findings).toEqual([]);
  const acknowledged = Object.values(template.toJSON().Resources).flatMap(
    (r: any) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Array<{ id: string }>,
  );
  expect(acknowledged.filter((a) => /Action::kms:/.test(a.id))).toEqual([]);
});

test('a KMS bucket of yours: the Firehose role holds the documented statement, not the key action groups', () => {
  const s = createTestStack();
  const bucket = new s3.Bucket(s, 'Mine', { encryption: s3.BucketEncryption.KMS });
  const lake = new DataLakeDelivery(s, 'Lake', { stream: new kinesis.Stream(s, 'Stream'), bucket });
  const roleId = s.getLogicalId(lake.destinationRole.node.defaultChild as never);
  const statements = Object.values(Template.fromStack(s).findResources('AWS::IAM::Policy'))
    .filter((p: any) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement as Statement[]);
  const onKey = statements.filter(
    (st) => JSON.stringify(st.Resource) === JSON.stringify(s.resolve(bucket.encryptionKey!.keyArn)),
  );
  expect(onKey.map((st) => [st.Action].flat().sort())).toEqual([['kms:Decrypt', 'kms:GenerateDataKey']]);
  expect(Object.keys(onKey[0].Condition).sort()).toEqual(['StringEquals', 'StringLike']);
});

describe('a bucket you pass in keeps its own encryption', () => {
  test.each([
    [
      'DataLakeDelivery',
      (s: Stack, key: kms.IKey) =>
        new DataLakeDelivery(s, 'Lake', {
          stream: new kinesis.Stream(s, 'Stream'),
          bucket: new s3.Bucket(s, 'Mine'),
          bucketEncryptionKey: key,
        }),
      /bucketEncryptionKey encrypts the bucket the construct creates.*Received bucketEncryptionKey .*Key with bucket/,
    ],
    [
      'StreamConsumer',
      (s: Stack, key: kms.IKey) =>
        new StreamConsumer(s, 'Consumer', {
          stream: new kinesis.Stream(s, 'Stream'),
          entry: ENTRY,
          failureBucket: new s3.Bucket(s, 'Mine'),
          bucketEncryptionKey: key,
        }),
      /bucketEncryptionKey encrypts the failure bucket the construct creates.*Received bucketEncryptionKey .*Key with failureBucket/,
    ],
  ])('%s refuses bucketEncryptionKey with a bucket of yours', (_name, build, message) => {
    const s = createTestStack();
    expect(() => build(s, new kms.Key(s, 'Key'))).toThrow(message);
  });

  test("StreamingPipeline's key skips the buckets you pass in", () => {
    const s = createTestStack();
    const mine = new s3.Bucket(s, 'Mine');
    const p = new StreamingPipeline(s, 'Pipeline', {
      bucketEncryptionKey: new kms.Key(s, 'Key'),
      dataLakeProps: { bucket: mine },
      consumers: { Orders: { entry: ENTRY, failureBucket: mine } },
      monitoring: false,
    });
    expect(p.dataLake!.bucket).toBe(mine);
    expect(mine.encryptionKey).toBeUndefined();
  });
});
