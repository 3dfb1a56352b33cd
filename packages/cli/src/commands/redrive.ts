import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import {
  KinesisProducer,
  REDRIVE_LIMITS,
  RedriveAbortedError,
  RedriveInputError,
  RedriveLedgerError,
  S3RedriveLedger,
  addReports,
  checkTimestamp,
  kinesisRedriveTarget,
  listFailureDocuments,
  mergePlans,
  ndjsonRedriveTarget,
  parseFailureDocument,
  readBackRange,
  redrive,
  streamArnOf,
  summarizeCounts,
  type RedriveLedger,
  type RedrivePlan,
  type RedriveReport,
  type RedriveTarget,
} from 'cdk-kinesis-pipeline-runtime';
import { resolveAwsSettings, type AwsClientSettings } from '../aws-settings';
import { CliError, UsageError, type CliIo } from '../cli-io';
import { FileRedriveLedger } from '../file-ledger';
import { readSourceDocuments } from '../redrive-source';
import { AWS_OPTIONS, AWS_OPTIONS_HELP, awsFlags } from './common-options';

export const REDRIVE_HELP = `Usage: cdk-kinesis-pipeline redrive --source <file | s3://bucket/prefix> [target] [options]

Replays failed Kinesis records: Lambda on-failure records (S3 objects with the payload, or
SQS/SNS messages with metadata only, read back from the stream by sequence number while it
still retains them) and quarantined records. Records go back byte for byte, with their
partition keys, through PutRecords with only failed entries retried. Each record is claimed in
a ledger before it is put and marked done after, so two runs never put the same record and a
rerun replays only what is left. Exits 0 only when every record found was replayed (or was
before); 1 when anything was skipped, failed, missing or unrecognised; 2 for wrong usage.

Source (a real replay needs an explicit scope):
  --source <path>              a JSON document (on-failure record, quarantine record, SQS/SNS
                               event), or a file of them, one per line (streamed)
  --source s3://bucket/prefix  the failure documents under a non-empty prefix (e.g. quarantine/)
  --key <key>                  S3: this object (repeatable), instead of a prefix
  --modified-after <time>      S3: only objects written at or after this ISO-8601 time
  --modified-before <time>     S3: only objects written before this ISO-8601 time
  --max-objects <n>            S3: objects to read at most, 1-${REDRIVE_LIMITS.maxObjects.max} (default: ${REDRIVE_LIMITS.maxObjects.default})
  --start-after <key>          S3: read keys after this one (a previous run's "more objects" hint)
Target (one of; not needed with --dry-run):
  --stream-name <name>         put the records onto this stream
  --stream-arn <arn>
  --to-file <path>             write them as JSON lines {idempotencyKey, partitionKey, data(base64)}
Options:
  --dry-run                    list what would be replayed; write nothing, claim nothing
  --read-back-from <arn>       a stream metadata-only messages may be read back from, besides the
                               target stream (repeatable); others are reported missing
  --batch-size <n>             records claimed, put and marked at a time, 1-${REDRIVE_LIMITS.batchSize.max} (default: ${REDRIVE_LIMITS.batchSize.default});
                               a crash can duplicate at most this many
  --ledger <path | s3://bucket/prefix/>
                               ledger (default: <source>.redrive-ledger for a file source,
                               s3://bucket/redrive-ledger/ for an S3 source)
  --no-ledger                  replay everything, remember nothing
${AWS_OPTIONS_HELP}`;

/** Documents parsed and replayed together from a file source: bounds memory, not correctness. */
const FILE_CHUNK_DOCUMENTS = 500;
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const STREAM_ARN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]{1,128}$/;

export async function redriveCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      source: { type: 'string' },
      key: { type: 'string', multiple: true },
      'modified-after': { type: 'string' },
      'modified-before': { type: 'string' },
      'stream-name': { type: 'string' },
      'stream-arn': { type: 'string' },
      'to-file': { type: 'string' },
      'dry-run': { type: 'boolean' },
      'read-back-from': { type: 'string', multiple: true },
      'batch-size': { type: 'string' },
      ledger: { type: 'string' },
      'no-ledger': { type: 'boolean' },
      'max-objects': { type: 'string' },
      'start-after': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...AWS_OPTIONS,
    },
  });
  if (values.help) {
    io.stdout.write(`${REDRIVE_HELP}\n`);
    return 0;
  }
  const options = checkFlags(values);
  const resolve = (p: string) => path.resolve(io.cwd, p);

  // AWS is needed for an S3 source or ledger, a stream target, or ranges to read back; settings
  // are checked (without calling AWS) only then, so file-to-file redrives work offline.
  let aws: AwsClientSettings | undefined;
  const awsSettings = () => (aws ??= resolveAwsSettings(awsFlags(values), io));
  const clients: { kinesis?: KinesisClient; s3?: S3Client } = {};
  const kinesis = () => (clients.kinesis ??= new KinesisClient(awsSettings()));
  const s3 = () => (clients.s3 ??= new S3Client(awsSettings()));
  let fileLedger: FileRedriveLedger | undefined;
  let out: number | undefined;
  const reports: RedriveReport[] = [];
  let nextStartAfter: string | undefined;
  try {
    if (options.streamName || options.streamArn) awsSettings();

    let ledger: RedriveLedger | undefined;
    if (options.ledger === 'none') ledger = undefined;
    else if (options.ledger?.kind === 's3') {
      ledger = new S3RedriveLedger({ client: s3(), bucketName: options.ledger.bucket, prefix: options.ledger.prefix });
    } else if (options.ledger?.kind === 'file')
      ledger = fileLedger = new FileRedriveLedger(resolve(options.ledger.path));
    else if (options.s3Source) ledger = new S3RedriveLedger({ client: s3(), bucketName: options.s3Source.bucket });
    else ledger = fileLedger = new FileRedriveLedger(`${resolve(options.source)}.redrive-ledger`);
    if (!options.dryRun) fileLedger?.open();

    let target: RedriveTarget;
    if (options.toFile) {
      out = fs.openSync(resolve(options.toFile), 'a');
      const fd = out;
      target = ndjsonRedriveTarget((line) => void fs.writeSync(fd, `${line}\n`));
    } else if (options.streamName || options.streamArn) {
      target = kinesisRedriveTarget(
        new KinesisProducer({ client: kinesis(), streamName: options.streamName, streamArn: options.streamArn }),
      );
    } else {
      target = { write: async () => undefined, finish: async () => [] }; // dry run without a target
    }

    // Ranges are read back only from the target stream and the streams named with --read-back-from.
    const allowed = new Set(options.readBackFrom);
    let targetArn = options.streamArn;
    const run = async (plan: RedrivePlan) => {
      if (plan.ranges.length > 0 && options.streamName && targetArn === undefined) {
        const summary = await kinesis().send(new DescribeStreamSummaryCommand({ StreamName: options.streamName }));
        targetArn = summary.StreamDescriptionSummary?.StreamARN;
      }
      const report = await redrive(plan, {
        target,
        ledger,
        dryRun: options.dryRun,
        batchSize: options.batchSize,
        readBack: (range) => readBackRange(kinesis(), range),
        readBackAllowed: (arn) => allowed.has(streamArnOf(arn)) || streamArnOf(arn) === targetArn,
      });
      if (options.dryRun) for (const key of report.replayedKeys) io.stdout.write(`  ${key}\n`);
      // Only counts and problems are kept across chunks: memory stays bounded by one chunk.
      reports.push({ ...report, replayedKeys: [] });
    };

    if (options.s3Source) {
      const documents = await listFailureDocuments({
        client: s3(),
        bucketName: options.s3Source.bucket,
        prefix: options.s3Source.prefix,
        keys: options.keys,
        modifiedAfter: options.modifiedAfter,
        modifiedBefore: options.modifiedBefore,
        maxObjects: options.maxObjects,
        startAfter: options.startAfter,
      });
      nextStartAfter = documents.nextStartAfter;
      await run(documents);
    } else {
      let chunk: RedrivePlan[] = [];
      for await (const document of readSourceDocuments(resolve(options.source))) {
        chunk.push(parseFailureDocument(document.text, document.source));
        if (chunk.length >= FILE_CHUNK_DOCUMENTS) {
          await run(mergePlans(chunk));
          chunk = [];
        }
      }
      if (chunk.length > 0 || reports.length === 0) await run(mergePlans(chunk));
    }
  } catch (error) {
    if (error instanceof RedriveAbortedError) reports.push(error.report);
    if (error instanceof RedriveLedgerError || error instanceof RedriveInputError) {
      if (reports.length > 0) io.stderr.write(`${summarizeCounts(addReports(reports))}\n`);
      throw new CliError(error.message);
    }
    throw error;
  } finally {
    if (out !== undefined) fs.closeSync(out);
    fileLedger?.close();
    clients.kinesis?.destroy();
    clients.s3?.destroy();
  }

  const report = addReports(reports);
  const c = report.counts;
  io.stdout.write(
    [
      `records found:     ${c.found}`,
      `already replayed:  ${c.alreadyReplayed}`,
      `${(options.dryRun ? 'would replay' : 'replayed').padEnd(18)} ${c.replayed}`,
      `skipped:           ${c.skipped}`,
      `failed:            ${c.failed}`,
      `missing ranges:    ${c.missing}`,
      `unrecognized:      ${c.unrecognized}`,
    ].join('\n') + '\n',
  );
  for (const s of report.skipped) io.stderr.write(`skipped: ${s.idempotencyKey}: ${s.reason}\n`);
  for (const f of report.failed) io.stderr.write(`failed: ${f.idempotencyKey}: ${f.errorCode}: ${f.errorMessage}\n`);
  for (const m of report.missing) {
    io.stderr.write(
      `missing: ${m.range.shardId} ${m.range.startSequenceNumber}..${m.range.endSequenceNumber}: ${m.reason}\n`,
    );
  }
  for (const u of report.unrecognized) io.stderr.write(`unrecognized: ${u.source}: ${u.reason}\n`);
  if (nextStartAfter !== undefined) io.stderr.write(`more objects: run again with --start-after '${nextStartAfter}'\n`);
  return report.complete ? 0 : 1;
}

interface RedriveFlags {
  readonly source: string;
  readonly s3Source?: { readonly bucket: string; readonly prefix: string };
  readonly keys?: string[];
  readonly modifiedAfter?: Date;
  readonly modifiedBefore?: Date;
  readonly maxObjects?: number;
  readonly startAfter?: string;
  readonly streamName?: string;
  readonly streamArn?: string;
  readonly toFile?: string;
  readonly dryRun: boolean;
  readonly readBackFrom: string[];
  readonly batchSize?: number;
  readonly ledger?: 'none' | { kind: 's3'; bucket: string; prefix: string } | { kind: 'file'; path: string };
}

/** Every flag checked before anything is read: each error names the flag, the value and what is allowed. */
export function checkFlags(values: Record<string, string | boolean | string[] | undefined>): RedriveFlags {
  const source = values.source as string | undefined;
  if (!source) throw new UsageError('redrive needs --source <file | s3://bucket/prefix>');
  const s3Source = isS3Uri(source) ? parseS3Uri('--source', source) : undefined;
  const dryRun = values['dry-run'] === true;
  const str = (flag: string) => values[flag] as string | undefined;

  const targets = ['stream-name', 'stream-arn', 'to-file'].filter((t) => values[t] !== undefined);
  if (targets.length > 1 || (targets.length === 0 && !dryRun)) {
    throw new UsageError(
      `give exactly one target: --stream-name, --stream-arn or --to-file (or --dry-run). Received ${targets.length}`,
    );
  }
  const streamName = str('stream-name');
  if (streamName !== undefined && !STREAM_NAME.test(streamName)) {
    throw new UsageError(`--stream-name must be 1 to 128 characters of a-z, A-Z, 0-9, _ . -. Received '${streamName}'`);
  }
  const streamArn = str('stream-arn');
  if (streamArn !== undefined && !STREAM_ARN.test(streamArn)) {
    throw new UsageError(
      `--stream-arn must be a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>). Received '${streamArn}'`,
    );
  }
  const toFile = str('to-file');
  if (toFile !== undefined && (toFile === '' || isS3Uri(toFile))) {
    throw new UsageError(`--to-file takes a local file path. Received '${toFile}'`);
  }
  const readBackFrom = ((values['read-back-from'] as string[] | undefined) ?? []).map((arn) => {
    if (!STREAM_ARN.test(arn)) {
      throw new UsageError(
        `--read-back-from must be a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>). Received '${arn}'`,
      );
    }
    return arn;
  });

  const s3Only = ['key', 'modified-after', 'modified-before', 'max-objects', 'start-after'].filter(
    (f) => values[f] !== undefined,
  );
  if (!s3Source && s3Only.length > 0) {
    throw new UsageError(
      `--${s3Only[0]} applies to an S3 source (--source s3://bucket/prefix). Received --source '${source}'`,
    );
  }
  const keys = values.key as string[] | undefined;
  if (keys && (keys.some((k) => k === '') || (s3Source?.prefix ?? '') !== '' || values['start-after'] !== undefined)) {
    throw new UsageError(
      'give --key with --source s3://bucket only (no prefix, no --start-after), each a non-empty key',
    );
  }
  const flagError = (fn: () => unknown) => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof RedriveInputError) throw new UsageError(error.message);
      throw error;
    }
  };
  const modifiedAfter =
    str('modified-after') !== undefined
      ? (flagError(() => checkTimestamp('--modified-after', str('modified-after'))) as Date)
      : undefined;
  const modifiedBefore =
    str('modified-before') !== undefined
      ? (flagError(() => checkTimestamp('--modified-before', str('modified-before'))) as Date)
      : undefined;
  if (modifiedAfter && modifiedBefore && modifiedAfter >= modifiedBefore) {
    throw new UsageError(
      `--modified-after must be before --modified-before. Received '${str('modified-after')}' and '${str('modified-before')}'`,
    );
  }
  if (s3Source && !dryRun && s3Source.prefix === '' && !keys && !modifiedAfter && !modifiedBefore) {
    throw new UsageError(
      `a replay from S3 needs an explicit scope: a prefix (s3://${s3Source.bucket}/quarantine/), --key, or --modified-after/--modified-before (or --dry-run to look first). Received --source '${source}'`,
    );
  }

  if (values.ledger !== undefined && values['no-ledger'])
    throw new UsageError('give --ledger or --no-ledger, not both');
  let ledger: RedriveFlags['ledger'];
  if (values['no-ledger']) ledger = 'none';
  else if (str('ledger') !== undefined) {
    const l = str('ledger')!;
    if (l === '') throw new UsageError("--ledger must be a file path or s3://bucket/prefix/. Received ''");
    if (isS3Uri(l)) {
      const uri = parseS3Uri('--ledger', l);
      const prefix = uri.prefix === '' ? S3RedriveLedger.DEFAULT_PREFIX : uri.prefix;
      if (!prefix.endsWith('/'))
        throw new UsageError(`--ledger s3://bucket/prefix/ must end with '/'. Received '${l}'`);
      ledger = { kind: 's3', bucket: uri.bucket, prefix };
    } else ledger = { kind: 'file', path: l };
  }
  return {
    source,
    ...(s3Source ? { s3Source } : {}),
    ...(keys ? { keys } : {}),
    ...(modifiedAfter ? { modifiedAfter } : {}),
    ...(modifiedBefore ? { modifiedBefore } : {}),
    ...(str('max-objects') !== undefined
      ? { maxObjects: integerFlag('--max-objects', str('max-objects')!, REDRIVE_LIMITS.maxObjects) }
      : {}),
    ...(str('start-after') !== undefined ? { startAfter: str('start-after') } : {}),
    ...(streamName !== undefined ? { streamName } : {}),
    ...(streamArn !== undefined ? { streamArn } : {}),
    ...(toFile !== undefined ? { toFile } : {}),
    dryRun,
    readBackFrom,
    ...(str('batch-size') !== undefined
      ? { batchSize: integerFlag('--batch-size', str('batch-size')!, REDRIVE_LIMITS.batchSize) }
      : {}),
    ...(ledger ? { ledger } : {}),
  };
}

/** An integer flag within its range, or a usage error naming the flag, the value and the range. */
function integerFlag(flag: string, text: string, bounds: { readonly min: number; readonly max: number }): number {
  const value = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new UsageError(`${flag} must be an integer between ${bounds.min} and ${bounds.max}. Received '${text}'`);
  }
  return value;
}

/** Anything that starts like an S3 URI is one, never a local file named `s3:`. */
function isS3Uri(text: string): boolean {
  return /^s3:/i.test(text);
}

/**
 * `s3://bucket[/prefix]` with a valid bucket name (3 to 63 of a-z, 0-9, '.', '-'), or a usage error.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function parseS3Uri(flag: string, uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  if (!match || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(match[1])) {
    throw new UsageError(`${flag} must be s3://bucket/prefix with a valid bucket name. Received '${uri}'`);
  }
  return { bucket: match[1], prefix: match[2] ?? '' };
}
