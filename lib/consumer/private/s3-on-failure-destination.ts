import { CfnResource, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { ACKNOWLEDGMENT_REASONS, acknowledgeBucketObjectsGrant } from '../../private/acknowledge';
import { grantBucketKey } from '../../private/bucket-key';

/**
 * An S3 on-failure destination that grants only what Lambda needs: s3:PutObject under
 * `aws/lambda/<event source mapping UUID>/`, the prefix Lambda writes a mapping's failed
 * batches to, s3:ListBucket on the bucket, and kms:GenerateDataKey on its KMS key if it has one.
 * aws-cdk-lib's S3OnFailureDestination grants read/write on every key (s3:GetObject*,
 * s3:DeleteObject*, ...): a consumer could then plant documents that redrive puts onto the
 * stream, or forge redrive ledger markers that block a real replay.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 *   (execution role: s3:PutObject and s3:ListBucket; objects under aws/lambda/<ESM UUID>/<shard>/YYYY/MM/DD/...)
 */
export class S3FailureDestination implements lambda.IEventSourceDlq {
  private bound?: { readonly mapping: lambda.IEventSourceMapping; readonly policy: iam.Policy };

  constructor(private readonly bucket: s3.IBucket) {}

  /** Where Lambda writes the failed batches of one event source mapping. */
  public static objectPrefix(eventSourceMappingId: string): string {
    return `aws/lambda/${eventSourceMappingId}/`;
  }

  public bind(target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    // The mapping's UUID exists only once the mapping does: the function's default policy cannot
    // name it (the mapping needs the function, which waits for its default policy), so the put
    // goes into a policy of its own, which CloudFormation creates after the mapping.
    const uuid = Lazy.string({ produce: () => target.eventSourceMappingId });
    if (targetHandler.role) {
      const policy = new iam.Policy(target, 'OnFailureDestinationPolicy', {
        roles: [targetHandler.role],
        statements: [
          new iam.PolicyStatement({
            actions: ['s3:PutObject'],
            resources: [this.bucket.arnForObjects(`${S3FailureDestination.objectPrefix(uuid)}*`)],
          }),
        ],
      });
      this.bound = { mapping: target, policy };
    }
    iam.Grant.addToPrincipal({
      grantee: targetHandler,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
    });
    // With a customer-managed key: kms:GenerateDataKey, the one action the Lambda guide names for
    // event source mapping S3 destinations ("If you've enabled encryption with your own KMS key for
    // an S3 destination, kms:GenerateDataKey is required": said on the MSK page,
    // https://docs.aws.amazon.com/lambda/latest/dg/with-msk-on-failure.html; the Kinesis page,
    // https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html, describes the
    // same S3 destination), through S3 for this bucket only.
    grantBucketKey(targetHandler, this.bucket, ['kms:GenerateDataKey']);
    return { destination: this.bucket.bucketArn };
  }

  /**
   * Acknowledges the cdk-nag wildcard finding of the put (one object per failed batch), which
   * names the mapping's logical id: call it once the event source is added.
   */
  public acknowledgeObjectsGrant(): void {
    if (!this.bound) return;
    const mapping = this.bound.mapping.node.defaultChild;
    if (!(mapping instanceof CfnResource)) return;
    const logicalId = Stack.of(mapping).resolve(mapping.logicalId) as string;
    acknowledgeBucketObjectsGrant(
      this.bound.policy,
      this.bucket,
      `aws/lambda/<${logicalId}>/*`,
      ACKNOWLEDGMENT_REASONS.bucketObjectWildcard,
    );
  }
}
