import { Duration } from 'aws-cdk-lib';

/**
 * How long an overwritten or deleted object stays recoverable (as a noncurrent version) in the
 * versioned buckets the constructs create: the lake bucket (whose raw/ backup is the only copy of
 * the source records once the stream's retention has passed) and the failure buckets.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
 */
export const NONCURRENT_VERSION_RETENTION = Duration.days(30);
