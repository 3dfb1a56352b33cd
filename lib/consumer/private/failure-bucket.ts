import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ACKNOWLEDGMENT_REASONS, acknowledge, acknowledgeBucketObjectsGrant } from '../../private/acknowledge';
import { bucketEncryption, grantObjectPut } from '../../private/bucket-key';
import { NONCURRENT_VERSION_RETENTION } from '../../private/bucket-versioning';
import { NAME_RULES, checkName, requireLiteralString } from '../../private/validation';

/**
 * The bucket that keeps what failed: Lambda's on-failure batches (with their payload) and the
 * records the runtime toolkit quarantined. Encrypted (SSE-S3, or SSE-KMS with `encryptionKey`), TLS
 * only, private, and expiring.
 */
export function createFailureBucket(
  scope: Construct,
  id: string,
  retention: Duration,
  encryptionKey?: kms.IKey,
): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    ...bucketEncryption(encryptionKey),
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // Versioned: the failed batches are often the only copy of those records once the stream's
    // retention has passed, so an overwrite or a delete must be undoable for a while.
    versioned: true,
    lifecycleRules: [
      {
        expiration: retention,
        noncurrentVersionExpiration: NONCURRENT_VERSION_RETENTION,
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
  acknowledge(bucket, 'AwsSolutions-S1', ACKNOWLEDGMENT_REASONS.failureBucketAccessLogs);
  return bucket;
}

/** Prefixes a consumer must never write: Lambda's own on-failure objects and the redrive ledger. */
const RESERVED_PREFIXES = ['aws/', 'redrive-ledger/'];

/**
 * Lets a consumer write its quarantined records, and nothing else, into the failure bucket:
 * s3:PutObject under `quarantinePrefix` only (its on-failure objects are granted by
 * S3FailureDestination). The prefix must be a folder ('…/') outside Lambda's `aws/` and the
 * redrive ledger, or the consumer could forge what redrive replays or the markers that stop it.
 */
export function grantQuarantineWrite(bucket: s3.IBucket, consumer: lambda.IFunction, quarantinePrefix: string): void {
  // The overlap with the reserved prefixes can only be ruled out on a literal.
  requireLiteralString(
    'quarantinePrefix',
    quarantinePrefix,
    `it must be checked against ${RESERVED_PREFIXES.join(' and ')}`,
  );
  checkName('quarantinePrefix', quarantinePrefix, NAME_RULES.s3Prefix);
  const overlaps = RESERVED_PREFIXES.find((p) => p.startsWith(quarantinePrefix) || quarantinePrefix.startsWith(p));
  if (!quarantinePrefix.endsWith('/') || quarantinePrefix.length < 2 || overlaps) {
    throw new Error(
      `quarantinePrefix must be a folder ending with '/' outside ${RESERVED_PREFIXES.join(' and ')}. Received '${quarantinePrefix}'`,
    );
  }
  grantObjectPut(consumer, bucket, quarantinePrefix);
  acknowledgeBucketObjectsGrant(consumer, bucket, `${quarantinePrefix}*`, ACKNOWLEDGMENT_REASONS.bucketObjectWildcard);
}
