import type { Construct } from 'constructs';
import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { bucketEncryption } from '../../private/bucket-key';
import { NONCURRENT_VERSION_RETENTION } from '../../private/bucket-versioning';

export interface LakeBucketOptions {
  readonly removalPolicy: RemovalPolicy;
  /** Prefix of the source record backup, moved to Glacier after `glacierAfter`. */
  readonly rawBackupPrefix: string;
  /** @default - no Glacier rule (the backup lives elsewhere) */
  readonly glacierAfter?: Duration;
  /** @default - SSE-S3 */
  readonly encryptionKey?: kms.IKey;
  /** Expiry rules of the data and error prefixes. */
  readonly expirations: PrefixExpiration[];
}

/** Objects under `prefix` expire `expiration` after they are written. */
export interface PrefixExpiration {
  readonly id: string;
  readonly prefix: string;
  readonly expiration: Duration;
}

/**
 * The data lake bucket with secure defaults (SSE-S3 or SSE-KMS with a given key, SSL only, public access blocked, bucket
 * owner enforced, server access logs to a second bucket) and its lifecycle rules.
 */
export function createLakeBucket(scope: Construct, id: string, options: LakeBucketOptions): s3.Bucket {
  // SSE-S3 even with a customer-managed key for the lake: the S3 guide allows default encryption
  // of a server access log destination bucket only with SSE-S3; default SSE-KMS is not supported
  // there ("Enabling Amazon S3 server access logging",
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
  const accessLogs = new s3.Bucket(scope, `${id}AccessLogs`, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: options.removalPolicy,
    lifecycleRules: [{ expiration: Duration.days(365) }],
  });
  const bucket = new s3.Bucket(scope, id, {
    ...bucketEncryption(options.encryptionKey),
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: options.removalPolicy,
    // Versioned: raw/ is the only copy of the source records once the stream's retention has
    // passed, so an overwrite or a delete must be undoable for a while (then expires).
    versioned: true,
    lifecycleRules: [
      { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      // In a versioned bucket an expiry (ExpireData, ExpireErrors) adds a delete marker and keeps
      // the object as a noncurrent version for NONCURRENT_VERSION_RETENTION; the marker left alone
      // after that is removed too (S3 "Removing expired object delete markers",
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html).
      {
        id: 'NoncurrentVersions',
        noncurrentVersionExpiration: NONCURRENT_VERSION_RETENTION,
        expiredObjectDeleteMarker: true,
      },
      ...options.expirations.map((e) => ({ id: e.id, prefix: e.prefix, expiration: e.expiration })),
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
  enableServerAccessLogs(bucket, accessLogs);
  return bucket;
}

/**
 * Server access logs delivered through a bucket policy, whatever the app's feature flags:
 * `serverAccessLogsBucket` falls back to the LogDeliveryWrite ACL in apps without
 * @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy, which ACL-less (bucket owner enforced) buckets reject.
 */
function enableServerAccessLogs(bucket: s3.Bucket, accessLogs: s3.Bucket): void {
  const prefix = 'data-lake/';
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
    destinationBucketName: accessLogs.bucketName,
    logFilePrefix: prefix,
  };
  accessLogs.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [accessLogs.arnForObjects(`${prefix}*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(bucket).account },
      },
    }),
  );
}
