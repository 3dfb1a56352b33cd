import { Construct } from 'constructs';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

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
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', { conditions: firehoseTrustConditions(scope) }),
    });
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
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
}

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
