import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { KinesisProducer } from '../producer/kinesis-producer';
import { checkInvocation } from './invocation';
import { S3RedriveLedger, type LedgerRunOptions } from './ledger';
import { RedriveInputError, streamArnOf } from './options';
import { parseFailureDocument } from './parse-failure-document';
import { readBackRange } from './read-back';
import { kinesisRedriveTarget, redrive, type RedriveReport } from './redrive';
import { listFailureDocuments } from './s3-source';

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
  /** Streams ranges may be read back from besides the target stream. */
  readonly readBackStreamArns: readonly string[];
  /**
   * The SQS event source mapping reports batch item failures (ReportBatchItemFailures), so a
   * message that cannot be handled is returned in `batchItemFailures`; without it the whole
   * invocation fails instead (a successful return would delete every message of the batch).
   */
  readonly sqsBatchItemFailures: boolean;
}

export const REDRIVE_ENV = {
  streamArn: 'REDRIVE_STREAM_ARN',
  failureBucketName: 'REDRIVE_FAILURE_BUCKET',
  ledgerPrefix: 'REDRIVE_LEDGER_PREFIX',
  sourcePrefix: 'REDRIVE_SOURCE_PREFIX',
  readBackStreamArns: 'REDRIVE_READ_BACK_STREAM_ARNS',
  sqsBatchItemFailures: 'REDRIVE_SQS_BATCH_ITEM_FAILURES',
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
    readBackStreamArns: (env[REDRIVE_ENV.readBackStreamArns] ?? '').split(',').filter((a) => a !== ''),
    sqsBatchItemFailures: env[REDRIVE_ENV.sqsBatchItemFailures] === 'true',
  };
}

type MessagingEvent =
  | { readonly kind: 'sqs'; readonly messages: { id: string; body: string }[] }
  | { readonly kind: 'sns'; readonly messages: { id: string; body: string }[] };

/**
 * An SQS or SNS Lambda event (on-failure queue or topic, quarantine queue), or undefined for
 * anything else. An event with `Records` of any other source (an S3 notification, ...) is an
 * error: it is not a redrive request.
 */
export function messagingEventOf(event: unknown): MessagingEvent | undefined {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (typeof event !== 'object' || event === null || records === undefined) return undefined;
  const list = Array.isArray(records) ? (records as Record<string, unknown>[]) : [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (
    list.length > 0 &&
    list.every((r) => isObject(r) && r.eventSource === 'aws:sqs' && typeof r.messageId === 'string')
  ) {
    return { kind: 'sqs', messages: list.map((r) => ({ id: r.messageId as string, body: String(r.body) })) };
  }
  if (
    list.length > 0 &&
    list.every(
      (r) => isObject(r) && r.EventSource === 'aws:sns' && isObject(r.Sns) && typeof r.Sns.Message === 'string',
    )
  ) {
    return {
      kind: 'sns',
      messages: list.map((r) => {
        const sns = r.Sns as Record<string, unknown>;
        return { id: String(sns.MessageId), body: sns.Message as string };
      }),
    };
  }
  const sources = [...new Set(list.map((r) => String(isObject(r) ? (r.eventSource ?? r.EventSource) : typeof r)))];
  throw new RedriveInputError(
    `the redrive function takes SQS or SNS events of failure messages, and direct invocations. Received Records from ${sources.join(', ') || 'nothing'}`,
  );
}

export interface RedriveRunResult {
  readonly kind: 'invocation' | 'sqs' | 'sns';
  /** For SQS and SNS events: the reports of every message, added up. */
  readonly report: RedriveRunReport;
  /** Messages not handled entirely (unrecognised, skipped, failed or missing records): they must stay on the queue. */
  readonly failedMessageIds: string[];
}

export type RunRedriveOptions = Pick<LedgerRunOptions, 'leaseMillis' | 'now'>;

/**
 * The redrive handler's logic. An SQS/SNS event is replayed message by message; a message is
 * handled only when every record in it was replayed (or was before). A direct invocation is
 * checked (`checkInvocation`), then replays the failure bucket's documents in its scope.
 * Ranges are read back only from the target stream and the streams allowed in the environment.
 */
export async function runRedrive(
  event: unknown,
  env: RedriveEnvironment,
  clients: { readonly kinesis: KinesisClient; readonly s3: S3Client },
  options: RunRedriveOptions = {},
): Promise<RedriveRunResult> {
  const messaging = messagingEventOf(event);
  const invocation = messaging ? undefined : checkInvocation(event, { ledgerPrefix: env.ledgerPrefix });
  const ledger = new S3RedriveLedger({
    client: clients.s3,
    bucketName: env.failureBucketName,
    prefix: env.ledgerPrefix,
    ...options,
  });
  const allowed = new Set([env.streamArn, ...env.readBackStreamArns].map(streamArnOf));
  const redriveOptions = {
    target: kinesisRedriveTarget(new KinesisProducer({ client: clients.kinesis, streamArn: env.streamArn })),
    ledger,
    readBack: (range: Parameters<typeof readBackRange>[1]) => readBackRange(clients.kinesis, range),
    readBackAllowed: (arn: string) => allowed.has(streamArnOf(arn)),
    now: options.now,
  };

  if (messaging) {
    const reports: RedriveReport[] = [];
    const failedMessageIds: string[] = [];
    for (const message of messaging.messages) {
      const report = await redrive(
        parseFailureDocument(message.body, `${messaging.kind}:${message.id}`),
        redriveOptions,
      );
      reports.push(report);
      if (!report.complete) failedMessageIds.push(message.id);
    }
    return { kind: messaging.kind, report: addReports(reports), failedMessageIds };
  }

  const checked = invocation!;
  const documents = await listFailureDocuments({
    client: clients.s3,
    bucketName: env.failureBucketName,
    prefix: checked.prefix ?? env.sourcePrefix,
    keys: checked.keys,
    modifiedAfter: checked.modifiedAfter,
    modifiedBefore: checked.modifiedBefore,
    maxObjects: checked.maxObjects,
    startAfter: checked.startAfter,
    ledgerPrefix: env.ledgerPrefix,
  });
  const report = await redrive(documents, { ...redriveOptions, dryRun: checked.dryRun, batchSize: checked.batchSize });
  return {
    kind: 'invocation',
    report: documents.nextStartAfter !== undefined ? { ...report, nextStartAfter: documents.nextStartAfter } : report,
    failedMessageIds: [],
  };
}

/** Several reports as one (the messages of one SQS or SNS event). */
export function addReports(reports: readonly RedriveReport[]): RedriveReport {
  const sum = (f: (r: RedriveReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  const report = {
    dryRun: reports.some((r) => r.dryRun),
    found: sum((r) => r.found),
    alreadyReplayed: sum((r) => r.alreadyReplayed),
    replayed: sum((r) => r.replayed),
    replayedKeys: reports.flatMap((r) => r.replayedKeys),
    skipped: reports.flatMap((r) => r.skipped),
    failed: reports.flatMap((r) => r.failed),
    missing: reports.flatMap((r) => r.missing),
    unrecognized: reports.flatMap((r) => r.unrecognized),
  };
  const counts = {
    found: report.found,
    replayed: report.replayed,
    alreadyReplayed: report.alreadyReplayed,
    skipped: report.skipped.length,
    failed: report.failed.length,
    missing: report.missing.length,
    unrecognized: report.unrecognized.length,
  };
  return { ...report, counts, complete: reports.every((r) => r.complete) };
}

/** One line of counts per outcome, for logs and error messages. */
export function summarizeCounts(report: RedriveReport): string {
  const c = report.counts;
  const verb = report.dryRun ? 'would replay' : 'replayed';
  return `found ${c.found}, ${verb} ${c.replayed}, already replayed ${c.alreadyReplayed}, skipped ${c.skipped}, failed ${c.failed}, missing ranges ${c.missing}, unrecognized ${c.unrecognized}`;
}

/** The run did not handle everything it found; the message lists the counts per outcome. */
export class RedriveIncompleteError extends Error {
  constructor(public readonly report: RedriveRunReport) {
    super(`redrive incomplete: ${summarizeCounts(report)}${firstProblem(report)}`);
    this.name = 'RedriveIncompleteError';
  }
}

function firstProblem(report: RedriveReport): string {
  const first =
    report.unrecognized[0]?.source !== undefined
      ? `unrecognized ${report.unrecognized[0].source}: ${report.unrecognized[0].reason}`
      : report.skipped[0]
        ? `skipped ${report.skipped[0].idempotencyKey}: ${report.skipped[0].reason}`
        : report.failed[0]
          ? `failed ${report.failed[0].idempotencyKey}: ${report.failed[0].errorCode}`
          : report.missing[0]
            ? `missing ${report.missing[0].range.shardId} ${report.missing[0].range.startSequenceNumber}..${report.missing[0].range.endSequenceNumber}: ${report.missing[0].reason}`
            : '';
  return first ? ` (first: ${first})` : '';
}

/**
 * What the handler returns for a result: SQS with ReportBatchItemFailures gets
 * `batchItemFailures` naming the messages to keep (Lambda deletes only the others); any other
 * incomplete run throws, so that SQS keeps the whole batch, SNS retries it, and a direct
 * invocation fails with the counts.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 */
export function redriveResponse(
  result: RedriveRunResult,
  env: Pick<RedriveEnvironment, 'sqsBatchItemFailures'>,
): { batchItemFailures: { itemIdentifier: string }[] } | RedriveRunReport {
  if (result.kind === 'sqs' && env.sqsBatchItemFailures) {
    return { batchItemFailures: result.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
  }
  if (!result.report.complete) throw new RedriveIncompleteError(result.report);
  return result.report;
}
