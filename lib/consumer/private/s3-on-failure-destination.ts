import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { ACKNOWLEDGMENT_REASONS, acknowledge } from '../../private/acknowledge';

/**
 * An S3 on-failure destination that grants only what Lambda needs (s3:PutObject on the
 * objects, s3:ListBucket on the bucket, and encrypt on a KMS key if the bucket has one).
 * aws-cdk-lib's S3OnFailureDestination grants read/write (s3:GetObject*, s3:DeleteObject*,
 * s3:List*, ...), more than a consumer should hold over the records that failed.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */
export class S3FailureDestination implements lambda.IEventSourceDlq {
  constructor(private readonly bucket: s3.IBucket) {}

  public bind(_target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    iam.Grant.addToPrincipal({
      grantee: targetHandler,
      actions: ['s3:PutObject'],
      resourceArns: [this.bucket.arnForObjects('*')],
    });
    iam.Grant.addToPrincipal({
      grantee: targetHandler,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
    });
    if (this.bucket.encryptionKey) {
      this.bucket.encryptionKey.grantEncrypt(targetHandler);
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
        acknowledge(targetHandler, `AwsSolutions-IAM5[Action::${action}]`, ACKNOWLEDGMENT_REASONS.encryptedBucketWrite);
      }
    }
    return { destination: this.bucket.bucketArn };
  }
}
