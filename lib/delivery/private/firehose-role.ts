import { Construct } from 'constructs';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { s3KeyConditions } from '../../private/bucket-key';

/**
 * The S3 actions Firehose needs on a destination (and backup) bucket and its objects, as the
 * Firehose developer guide lists them: "Grant Firehose access to an Amazon S3 destination",
 * https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3 .
 * No delete: Firehose never deletes what it delivered.
 */
export const FIREHOSE_S3_ACTIONS: readonly string[] = [
  's3:AbortMultipartUpload',
  's3:GetBucketLocation',
  's3:GetObject',
  's3:ListBucket',
  's3:ListBucketMultipartUploads',
  's3:PutObject',
];

/** An action that may delete an object or its versions (s3:DeleteObject, s3:DeleteObject*, s3:*, *). */
function allowsS3Delete(action: string): boolean {
  return action === '*' || /^s3:(\*|Delete)/i.test(action);
}

/**
 * A Firehose service role whose S3 grants are the documented actions only.
 *
 * aws-cdk-lib's `S3Bucket` destination always calls `bucket.grantReadWrite(role)` on the destination
 * and the backup bucket (s3:DeleteObject* included) and offers no narrower grant. This role rewrites
 * any Allow statement granting an S3 delete into one granting `FIREHOSE_S3_ACTIONS` on the same
 * resources (bucket ARN and `bucket/*`), keeping its non-S3 actions and conditions; every other grant
 * (logs, Glue, Lambda, KMS, Kinesis) is added unchanged.
 *
 * The trust policy admits Firehose only when it acts for this stack's account: the Firehose guide's
 * trust policy ("Allow Firehose to assume an IAM role",
 * https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#firehose-assume-role)
 * conditions sts:AssumeRole on `sts:ExternalId` = the account id, which Firehose passes when it
 * assumes the role (confused-deputy protection). The guide documents no `aws:SourceAccount` /
 * `aws:SourceArn` condition for this trust policy, so none is added.
 */
export class FirehoseServiceRole extends iam.Role {
  private readonly bucketKeys: Array<{ readonly keyArn: string; readonly bucket: s3.IBucket }> = [];

  constructor(scope: Construct, id: string) {
    super(scope, id, {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', { conditions: firehoseTrustConditions(scope) }),
    });
  }

  /**
   * Firehose writes to `bucket`, which may have a customer-managed KMS key. aws-cdk-lib's S3
   * destination grants that key's encrypt and decrypt action groups (bucket.grantReadWrite); this
   * role grants instead what the Firehose guide's S3 policy lists, kms:Decrypt and
   * kms:GenerateDataKey, with its conditions: through S3 (kms:ViaService) for this bucket's objects
   * (kms:EncryptionContext:aws:s3:arn) ("Grant Firehose access to an Amazon S3 destination",
   * https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3).
   * Call it before the destination is bound.
   */
  public writesToBucket(bucket: s3.IBucket): void {
    if (bucket.encryptionKey) this.bucketKeys.push({ keyArn: bucket.encryptionKey.keyArn, bucket });
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const keyOf = this.bucketKeyGrantOf(statement);
    if (keyOf.length > 0) {
      let result: iam.AddToPrincipalPolicyResult = { statementAdded: false };
      for (const { keyArn, bucket } of keyOf) {
        result = super.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: FIREHOSE_KMS_ACTIONS,
            resources: [keyArn],
            conditions: s3KeyConditions(bucket),
          }),
        );
      }
      return result;
    }
    if (statement.effect !== iam.Effect.ALLOW || !statement.actions.some(allowsS3Delete)) {
      return super.addToPrincipalPolicy(statement);
    }
    return super.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...statement.actions.filter((a) => a !== '*' && !/^s3:/i.test(a)), ...FIREHOSE_S3_ACTIONS],
        resources: statement.resources,
        conditions: statement.conditions,
      }),
    );
  }

  /** The destination buckets whose key an Allow of KMS actions only, on that key only, is for. */
  private bucketKeyGrantOf(
    statement: iam.PolicyStatement,
  ): Array<{ readonly keyArn: string; readonly bucket: s3.IBucket }> {
    const kmsOnly = statement.actions.length > 0 && statement.actions.every((a) => /^kms:/i.test(a));
    if (statement.effect !== iam.Effect.ALLOW || !kmsOnly || statement.resources.length !== 1) return [];
    return this.bucketKeys.filter((k) => k.keyArn === statement.resources[0]);
  }
}

/** The KMS actions of the Firehose guide's S3 destination policy. */
const FIREHOSE_KMS_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];

/** The trust condition of the Firehose guide's trust policy: sts:ExternalId = the account. */
function firehoseTrustConditions(scope: Construct): Record<string, unknown> {
  return { StringEquals: { 'sts:ExternalId': Stack.of(scope).account } };
}

/**
 * Adds the trust condition to the source role aws-cdk-lib's DeliveryStream creates (its one trust
 * statement allows firehose.amazonaws.com). That role is kept rather than replaced by a
 * `FirehoseServiceRole`: a new source role ARN would replace the delivery stream
 * (KinesisStreamSourceConfiguration.RoleARN, "Update requires: Replacement", CloudFormation
 * template reference).
 */
export function addFirehoseTrustConditions(principal: iam.IPrincipal): iam.Role {
  if (!(principal instanceof iam.Role)) {
    throw new Error(`Expected the delivery stream's source role to be an iam.Role it created; received ${principal}`);
  }
  (principal.node.defaultChild as iam.CfnRole).addPropertyOverride(
    'AssumeRolePolicyDocument.Statement.0.Condition',
    firehoseTrustConditions(principal),
  );
  return principal;
}
