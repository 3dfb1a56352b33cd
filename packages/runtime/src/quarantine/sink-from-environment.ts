import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { QuarantineSink } from './quarantine-sink';
import { S3QuarantineSink } from './s3-quarantine-sink';
import { SqsQuarantineSink } from './sqs-quarantine-sink';

/** Environment variables the StreamConsumer construct sets on functions it can configure. */
export const QUARANTINE_ENV = {
  bucketName: 'QUARANTINE_BUCKET_NAME',
  prefix: 'QUARANTINE_PREFIX',
  queueUrl: 'QUARANTINE_QUEUE_URL',
} as const;

/**
 * The sink configured by the environment: SQS when QUARANTINE_QUEUE_URL is set, else S3 when
 * QUARANTINE_BUCKET_NAME is set, else none. Clients are created lazily, once per process.
 */
export function quarantineSinkFromEnvironment(env: NodeJS.ProcessEnv = process.env): QuarantineSink | undefined {
  const queueUrl = env[QUARANTINE_ENV.queueUrl];
  if (queueUrl) return new SqsQuarantineSink({ client: new SQSClient({}), queueUrl });
  const bucketName = env[QUARANTINE_ENV.bucketName];
  if (bucketName) {
    return new S3QuarantineSink({ client: new S3Client({}), bucketName, prefix: env[QUARANTINE_ENV.prefix] });
  }
  return undefined;
}
