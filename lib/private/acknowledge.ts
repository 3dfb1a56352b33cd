import { Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a policy-validation finding (e.g. a cdk-nag rule) on a construct and its children,
 * with the reason the design accepts it. Uses aws-cdk-lib's Validations, so the library does not
 * depend on cdk-nag; users who run cdk-nag see the reason in the report.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
  // A function's grants land in its role's policy. A role passed to the function (its own
  // log-writing role, see function-logs.ts) is not its child: acknowledge this finding there too.
  const role = (scope as { role?: IConstruct }).role;
  if (role?.node && !role.node.path.startsWith(`${scope.node.path}/`)) {
    Validations.of(role).acknowledge({ id, reason });
  }
}

/** The reasons shared by several constructs, written once. */
export const ACKNOWLEDGMENT_REASONS = {
  bucketObjectWildcard:
    'Object keys are chosen at run time (one object per failed batch or record), so the grant covers the objects of this one bucket only.',
  encryptedTopicPublish:
    'Publishing to a KMS-encrypted topic needs kms:GenerateDataKey* on that topic key only, as topic.grantPublish grants it.',
  bucketGrantActions:
    'These are the action groups of bucket.grantRead (GetObject and its version/ACL reads, GetBucket*, List*), scoped to one bucket.',
  encryptedStreamReadWrite:
    'stream.grantReadWrite grants the action groups of the stream key that PutRecords and GetRecords on an encrypted stream need (kms:GenerateDataKey*, kms:ReEncrypt*, with Encrypt/Decrypt), on that one key.',
  failureBucketAccessLogs:
    "The failure bucket is private, TLS-only, versioned and written only by Lambda (on-failure batches under aws/), the consumer's role (its quarantine prefix) and, with redrive, the redrive function's role (its ledger prefix); pass your own failureBucket with server access logs where your policy requires them.",
} as const;

/**
 * Acknowledges cdk-nag's IAM5 finding for a grant on `bucket`'s objects (`<Bucket.Arn>/<suffix>`)
 * on `grantee` only: other wildcards on the same principal are still reported.
 */
export function acknowledgeBucketObjectsGrant(
  grantee: IConstruct,
  bucket: s3.IBucket,
  suffix: string,
  reason: string,
): void {
  const cfnBucket = bucket.node.defaultChild;
  if (!(cfnBucket instanceof s3.CfnBucket)) return; // an imported bucket: the finding names its ARN, the user's call
  const logicalId = Stack.of(cfnBucket).resolve(cfnBucket.logicalId) as string;
  acknowledge(grantee, `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${suffix}]`, reason);
}
