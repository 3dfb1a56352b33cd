import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ACKNOWLEDGMENT_REASONS, acknowledge } from '../../private/acknowledge';

/**
 * The bucket that keeps what failed: Lambda's on-failure batches (with their payload) and the
 * records the runtime toolkit quarantined. Encrypted, TLS only, private, and expiring.
 */
export function createFailureBucket(scope: Construct, id: string, retention: Duration): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration: retention, abortIncompleteMultipartUploadAfter: Duration.days(1) }],
  });
  acknowledge(bucket, 'AwsSolutions-S1', ACKNOWLEDGMENT_REASONS.failureBucketAccessLogs);
  return bucket;
}
