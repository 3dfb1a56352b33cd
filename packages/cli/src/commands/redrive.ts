import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { KinesisProducer } from 'cdk-kinesis-pipeline-runtime';
import {
  S3RedriveLedger,
  kinesisRedriveTarget,
  listFailureDocuments,
  mergePlans,
  ndjsonRedriveTarget,
  parseFailureDocument,
  readBackRange,
  redrive,
  type RedriveLedger,
  type RedrivePlan,
  type RedriveTarget,
} from 'cdk-kinesis-pipeline-runtime';
import { resolveAwsSettings, type AwsClientSettings } from '../aws-settings';
import { CliError, UsageError, type CliIo } from '../cli-io';
import { FileRedriveLedger } from '../file-ledger';
import { AWS_OPTIONS, AWS_OPTIONS_HELP, awsFlags, parsePositiveNumber } from './common-options';

export const REDRIVE_HELP = `Usage: cdk-kinesis-pipeline redrive --source <file | s3://bucket/prefix> [target] [options]

Replays failed Kinesis records: Lambda on-failure records (S3 objects with the payload, or
SQS/SNS messages with metadata only, read back from the stream by sequence number while it
still retains them) and quarantined records. Records go back byte for byte, with their
partition keys, through PutRecords with only failed entries retried. Idempotent: a ledger
remembers what was replayed, so running it again replays only what is left.

Source:
  --source <path>              a JSON document (on-failure record, quarantine record, SQS/SNS
                               event) or a file of them, one per line
  --source s3://bucket/prefix  every failure document under the prefix (e.g. quarantine/)
Target (one of; not needed with --dry-run):
  --stream-name <name>         put the records onto this stream
  --stream-arn <arn>
  --to-file <path>             write them as JSON lines {idempotencyKey, partitionKey, data(base64)}
Options:
  --dry-run                    list what would be replayed; write nothing
  --ledger <path>              ledger file (default: <source>.redrive-ledger for a file source,
                               s3://bucket/redrive-ledger/ for an S3 source)
  --no-ledger                  replay everything, remember nothing
  --max-objects <n>            S3 objects to read at most (default: 1000)
  --start-after <key>          S3 source: read keys after this one (a previous run's
                               "more objects" hint)
${AWS_OPTIONS_HELP}`;

export async function redriveCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      source: { type: 'string' },
      'stream-name': { type: 'string' },
      'stream-arn': { type: 'string' },
      'to-file': { type: 'string' },
      'dry-run': { type: 'boolean' },
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
  const source = values.source;
  if (!source) throw new UsageError('redrive needs --source <file | s3://bucket/prefix>');
  const dryRun = values['dry-run'] === true;
  const targets = [values['stream-name'], values['stream-arn'], values['to-file']].filter((t) => t !== undefined);
  if (targets.length > 1 || (targets.length === 0 && !dryRun)) {
    throw new UsageError(
      `give exactly one target: --stream-name, --stream-arn or --to-file (or --dry-run). Received ${targets.length}`,
    );
  }
  if (values.ledger && values['no-ledger']) throw new UsageError('give --ledger or --no-ledger, not both');
  const maxObjects = values['max-objects']
    ? parsePositiveNumber('--max-objects', values['max-objects'], true)
    : undefined;
  const s3Source = parseS3Uri(source);
  const resolve = (p: string) => path.resolve(io.cwd, p);

  // AWS is needed for an S3 source, a stream target, or ranges to read back; settings are
  // checked (without calling AWS) only then, so file-to-file redrives work offline.
  let aws: AwsClientSettings | undefined;
  const awsSettings = () => (aws ??= resolveAwsSettings(awsFlags(values), io));
  const clients: { kinesis?: KinesisClient; s3?: S3Client } = {};
  const kinesis = () => (clients.kinesis ??= new KinesisClient(awsSettings()));
  const s3 = () => (clients.s3 ??= new S3Client(awsSettings()));
  try {
    if (values['stream-name'] || values['stream-arn']) awsSettings();
    const documents = s3Source
      ? await listFailureDocuments({
          client: s3(),
          bucketName: s3Source.bucket,
          prefix: s3Source.prefix,
          maxObjects,
          startAfter: values['start-after'],
        })
      : undefined;
    const plan: RedrivePlan = documents ?? readLocalDocuments(resolve(source));

    let ledger: RedriveLedger | undefined;
    if (!values['no-ledger']) {
      if (values.ledger) ledger = new FileRedriveLedger(resolve(values.ledger));
      else if (s3Source) ledger = new S3RedriveLedger({ client: s3(), bucketName: s3Source.bucket });
      else ledger = new FileRedriveLedger(`${resolve(source)}.redrive-ledger`);
    }
    let target: RedriveTarget;
    let out: number | undefined;
    if (values['to-file']) {
      out = fs.openSync(resolve(values['to-file']), 'a');
      const fd = out;
      target = ndjsonRedriveTarget((line) => void fs.writeSync(fd, `${line}\n`));
    } else if (values['stream-name'] || values['stream-arn']) {
      target = kinesisRedriveTarget(
        new KinesisProducer({ client: kinesis(), streamName: values['stream-name'], streamArn: values['stream-arn'] }),
      );
    } else {
      target = { write: async () => undefined, finish: async () => [] }; // dry run without a target
    }
    const report = await redrive(plan, {
      target,
      ledger,
      dryRun,
      readBack: (range) => readBackRange(kinesis(), range),
    }).finally(() => out !== undefined && fs.closeSync(out));

    const verb = dryRun ? 'would replay' : 'replayed';
    io.stdout.write(
      [
        `records found:     ${report.found}`,
        `already replayed:  ${report.alreadyReplayed}`,
        `${verb.padEnd(18)} ${report.replayed}`,
        `failed:            ${report.failed.length}`,
        `missing ranges:    ${report.missing.length}`,
        `unrecognized:      ${report.unrecognized.length}`,
      ].join('\n') + '\n',
    );
    if (dryRun) for (const key of report.replayedKeys) io.stdout.write(`  ${key}\n`);
    for (const f of report.failed) io.stderr.write(`failed: ${f.idempotencyKey}: ${f.errorCode}: ${f.errorMessage}\n`);
    for (const m of report.missing)
      io.stderr.write(
        `missing: ${m.range.shardId} ${m.range.startSequenceNumber}..${m.range.endSequenceNumber}: ${m.reason}\n`,
      );
    for (const u of report.unrecognized) io.stderr.write(`unrecognized: ${u.source}: ${u.reason}\n`);
    if (documents?.nextStartAfter !== undefined) {
      io.stderr.write(`more objects: run again with --start-after '${documents.nextStartAfter}'\n`);
    }
    return report.failed.length > 0 || report.missing.length > 0 ? 1 : 0;
  } finally {
    clients.kinesis?.destroy();
    clients.s3?.destroy();
  }
}

export function parseS3Uri(uri: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return match ? { bucket: match[1], prefix: match[2] } : undefined;
}

/** One JSON document, or one per line. */
function readLocalDocuments(file: string): RedrivePlan {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read --source ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return parseFailureDocument(JSON.parse(text), file);
  } catch {
    const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
    return mergePlans(lines.map((line, i) => parseFailureDocument(line, `${file}:${i + 1}`)));
  }
}
