import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { KinesisProducer } from '../producer/kinesis-producer';
import { S3RedriveLedger } from './ledger';
import { parseFailureDocument } from './parse-failure-document';
import { readBackRange } from './read-back';
import { kinesisRedriveTarget, redrive, type RedriveReport } from './redrive';
import { listFailureDocuments } from './s3-source';

/** Direct invocation of the redrive function (console, CLI, Step Functions). */
export interface RedriveInvocation {
  /** Key prefix in the failure bucket to replay. @default - the function's REDRIVE_SOURCE_PREFIX ('' = whole bucket) */
  readonly prefix?: string;
  /** Exact keys to replay instead of a prefix. */
  readonly keys?: string[];
  /** @default false */
  readonly dryRun?: boolean;
  /** @default 1000 */
  readonly maxObjects?: number;
  /** Go on after this key: the `nextStartAfter` of the previous run. @default - from the first key */
  readonly startAfter?: string;
}

/** The report of one run; `nextStartAfter` is set when maxObjects stopped it with objects left. */
export interface RedriveRunReport extends RedriveReport {
  readonly nextStartAfter?: string;
}

export interface RedriveEnvironment {
  /** Target stream. */
  readonly streamArn: string;
  readonly failureBucketName: string;
  readonly ledgerPrefix: string;
  readonly sourcePrefix: string;
}

export const REDRIVE_ENV = {
  streamArn: 'REDRIVE_STREAM_ARN',
  failureBucketName: 'REDRIVE_FAILURE_BUCKET',
  ledgerPrefix: 'REDRIVE_LEDGER_PREFIX',
  sourcePrefix: 'REDRIVE_SOURCE_PREFIX',
} as const;

export function redriveEnvironment(env: NodeJS.ProcessEnv = process.env): RedriveEnvironment {
  const streamArn = env[REDRIVE_ENV.streamArn];
  const failureBucketName = env[REDRIVE_ENV.failureBucketName];
  if (!streamArn || !failureBucketName) {
    throw new Error(
      `${REDRIVE_ENV.streamArn} and ${REDRIVE_ENV.failureBucketName} must be set. Received ${streamArn ?? 'nothing'} and ${failureBucketName ?? 'nothing'}`,
    );
  }
  return {
    streamArn,
    failureBucketName,
    ledgerPrefix: env[REDRIVE_ENV.ledgerPrefix] ?? S3RedriveLedger.DEFAULT_PREFIX,
    sourcePrefix: env[REDRIVE_ENV.sourcePrefix] ?? '',
  };
}

/** Is this an SQS or SNS Lambda event (on-failure queue/topic, quarantine queue)? */
export function isMessagingEvent(event: unknown): boolean {
  const records = (event as { Records?: unknown })?.Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every((r) => typeof r === 'object' && r !== null && ('body' in r || 'Sns' in r))
  );
}

/**
 * The redrive handler's logic. An SQS/SNS event is replayed message by message (and fails
 * the invocation if records could not be put or ranges could not be read back, so that the
 * messages come back; the ledger keeps the retry from duplicating what did go through). A direct invocation replays the
 * failure bucket's documents under a prefix and returns the report.
 */
export async function runRedrive(
  event: unknown,
  env: RedriveEnvironment,
  clients: { readonly kinesis: KinesisClient; readonly s3: S3Client },
): Promise<RedriveRunReport> {
  const messaging = isMessagingEvent(event);
  const invocation = (messaging ? {} : (event ?? {})) as RedriveInvocation;
  const documents = messaging
    ? undefined
    : await listFailureDocuments({
        client: clients.s3,
        bucketName: env.failureBucketName,
        prefix: invocation.prefix ?? env.sourcePrefix,
        keys: invocation.keys,
        maxObjects: invocation.maxObjects,
        startAfter: invocation.startAfter,
        ledgerPrefix: env.ledgerPrefix,
      });
  const plan = documents ?? parseFailureDocument(event, 'event');
  const report = await redrive(plan, {
    target: kinesisRedriveTarget(new KinesisProducer({ client: clients.kinesis, streamArn: env.streamArn })),
    ledger: new S3RedriveLedger({ client: clients.s3, bucketName: env.failureBucketName, prefix: env.ledgerPrefix }),
    dryRun: invocation.dryRun === true,
    readBack: (range) => readBackRange(clients.kinesis, range),
  });
  // A message deleted now is gone: fail while anything is left, throttled read-backs included.
  if (messaging && (report.failed.length > 0 || report.missing.length > 0)) {
    const problems = [
      ...(report.failed.length > 0
        ? [`${report.failed.length} records could not be put back (first: ${report.failed[0].errorCode})`]
        : []),
      ...(report.missing.length > 0
        ? [`${report.missing.length} ranges could not be read back (first: ${report.missing[0].reason})`]
        : []),
    ];
    throw new Error(`${problems.join('; ')}; the messages will be retried`);
  }
  return documents?.nextStartAfter !== undefined ? { ...report, nextStartAfter: documents.nextStartAfter } : report;
}
