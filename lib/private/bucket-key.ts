import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The conditions that limit a grant on a bucket's KMS key to S3 requests for that bucket: the key is
 * used through S3 (`kms:ViaService` = s3.<region>.amazonaws.com) and for this bucket's objects
 * (`kms:EncryptionContext:aws:s3:arn`: the object ARN, or the bucket ARN when S3 Bucket Keys are on).
 * This is the statement of the Firehose guide, "Grant Firehose access to an Amazon S3 destination"
 * (https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3); the
 * encryption context is described in the S3 guide, "Protecting data with SSE-KMS" (Encryption
 * context; with S3 Bucket Keys it is the bucket ARN)
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context).
 */
export function s3KeyConditions(bucket: s3.IBucket): Record<string, Record<string, unknown>> {
  return {
    StringEquals: { 'kms:ViaService': `s3.${bucket.env.region}.amazonaws.com` },
    StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, bucket.arnForObjects('*')] },
  };
}

/**
 * Grants `actions` on `bucket`'s KMS key, if it has one, for S3 requests on that bucket only.
 * The actions are the exact ones the caller documents (e.g. kms:GenerateDataKey for a put), so
 * the grant carries no wildcard.
 */
export function grantBucketKey(grantee: iam.IGrantable, bucket: s3.IBucket, actions: string[]): void {
  if (!bucket.encryptionKey) return;
  iam.Grant.addToPrincipal({
    grantee,
    actions,
    resourceArns: [bucket.encryptionKey.keyArn],
    conditions: s3KeyConditions(bucket),
  });
}

/**
 * Grants s3:PutObject under `prefix` of `bucket` and nothing else, plus kms:GenerateDataKey on the
 * bucket's customer-managed key (if any) through S3 for that bucket, which a put needs (S3 guide,
 * "Protecting data with SSE-KMS": Permissions). Not bucket.grantPut: it adds the key's encrypt
 * action group (kms:ReEncrypt*, kms:GenerateDataKey*) and object tagging, retention and legal-hold
 * puts that these writers never make.
 */
export function grantObjectPut(grantee: iam.IGrantable, bucket: s3.IBucket, prefix: string): void {
  iam.Grant.addToPrincipal({ grantee, actions: ['s3:PutObject'], resourceArns: [bucket.arnForObjects(`${prefix}*`)] });
  grantBucketKey(grantee, bucket, ['kms:GenerateDataKey']);
}

/**
 * The default encryption of a bucket the constructs create: SSE-KMS with S3 Bucket Keys (one KMS
 * request per bucket key rather than per object: Firehose and on-failure writes make many objects)
 * when a key is given, SSE-S3 otherwise.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
 */
export function bucketEncryption(
  key: kms.IKey | undefined,
): Pick<s3.BucketProps, 'encryption' | 'encryptionKey' | 'bucketKeyEnabled'> {
  return key
    ? { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true }
    : { encryption: s3.BucketEncryption.S3_MANAGED };
}
