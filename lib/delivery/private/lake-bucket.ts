import type { Construct } from 'constructs';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

export interface LakeBucketOptions {
  readonly removalPolicy: RemovalPolicy;
  /** Prefix of the source record backup, moved to Glacier after `glacierAfter`. */
  readonly rawBackupPrefix: string;
  /** @default - no Glacier rule (the backup lives elsewhere) */
  readonly glacierAfter?: Duration;
}

/**
 * The data lake bucket with secure defaults (SSE-S3, SSL only, public access blocked, bucket
 * owner enforced, server access logs to a second bucket) and its lifecycle rules.
 */
export function createLakeBucket(scope: Construct, id: string, options: LakeBucketOptions): s3.Bucket {
  const accessLogs = new s3.Bucket(scope, `${id}AccessLogs`, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: options.removalPolicy,
    lifecycleRules: [{ expiration: Duration.days(365) }],
  });
  return new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogs,
    removalPolicy: options.removalPolicy,
    lifecycleRules: [
      { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ...(options.glacierAfter
        ? [
            {
              id: 'RawBackupToGlacier',
              prefix: options.rawBackupPrefix,
              transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: options.glacierAfter }],
            },
          ]
        : []),
    ],
  });
}
