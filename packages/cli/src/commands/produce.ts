import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import {
  FirehoseProducer,
  FIREHOSE_LIMITS,
  KINESIS_LIMITS,
  KinesisProducer,
  PartitionKey,
  SAMPLE_KINDS,
  sampleLines,
  type PartitionKeyStrategy,
  type ProducerRecord,
  type ProducerReport,
  type SampleKind,
} from 'cdk-kinesis-pipeline-runtime';
import { resolveAwsSettings } from '../aws-settings';
import { CliError, UsageError, type CliIo } from '../cli-io';
import { countNonEmptyLines, LineTooLongError, readLines } from '../line-reader';
import { Pacer } from '../pacer';
import { ProgressBar } from '../progress-bar';
import { readStackOutputs, requireOutputs } from '../stack-outputs';
import { AWS_OPTIONS, AWS_OPTIONS_HELP, awsFlags, parsePositiveNumber } from './common-options';

export const PRODUCE_HELP = `Usage: cdk-kinesis-pipeline produce [options]

Sends records to a Kinesis data stream (PutRecords batches, failed entries retried) at a
target rate, and prints throughput and throttles. Files are streamed: memory stays bounded
whatever their size.

Target (one of):
  --stream-name <name>         Kinesis data stream
  --stream-arn <arn>           Kinesis data stream by ARN
  --outputs-file <file>        cdk deploy --outputs-file JSON; uses the StreamName output
  --firehose <name>            put straight into a Firehose delivery stream instead
Data (one of):
  --file <path>                newline-delimited records, one per line (empty lines skipped)
  --sample <kind>              generated: ${SAMPLE_KINDS.join(', ')} (default: json)
Load:
  --rate <n>                   records per second (default: 100)
  --duration <seconds>         how long to send (default: 10; with --file: until the end of the file)
  --count <n>                  send exactly n records instead of rate × duration
  --partition-key <strategy>   random | field:<json.path> | explicit:<key> (default: random)
  --aggregate                  KPL-aggregate small records of the same shard (needs kinesis:ListShards)
  --seed <n>                   seed of the sample generator (default: 1)
  --stack-name <name>          stack in --outputs-file (default: the only one)
${AWS_OPTIONS_HELP}`;

interface ProduceOptions {
  readonly streamName?: string;
  readonly streamArn?: string;
  readonly firehose?: string;
  readonly file?: string;
  readonly sample: SampleKind;
  readonly rate: number;
  readonly durationSeconds?: number;
  readonly count?: number;
  readonly partitionKey: PartitionKeyStrategy;
  readonly aggregate: boolean;
  readonly seed: number;
}

export async function produceCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      'stream-name': { type: 'string' },
      'stream-arn': { type: 'string' },
      'outputs-file': { type: 'string' },
      'stack-name': { type: 'string' },
      firehose: { type: 'string' },
      file: { type: 'string' },
      sample: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      count: { type: 'string' },
      'partition-key': { type: 'string' },
      aggregate: { type: 'boolean' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...AWS_OPTIONS,
    },
  });
  if (values.help) {
    io.stdout.write(`${PRODUCE_HELP}\n`);
    return 0;
  }
  // Everything the user can get wrong locally is checked before any AWS call.
  const options = produceOptions(values, io);
  const aws = resolveAwsSettings(awsFlags(values), io);
  const fileRecords = options.file ? await checkedFile(options.file, options.firehose !== undefined) : undefined;
  const total =
    options.count ??
    (fileRecords !== undefined
      ? Math.min(fileRecords, durationCap(options) ?? Infinity)
      : Math.round(options.rate * (options.durationSeconds ?? 10)));

  const kinesis = new KinesisClient(aws);
  const firehose = new FirehoseClient(aws);
  try {
    const target = options.firehose ?? options.streamName ?? options.streamArn!;
    if (!options.firehose) await checkStream(kinesis, options, aws.region);
    const producer = options.firehose
      ? new FirehoseProducer({ client: firehose, deliveryStreamName: options.firehose })
      : new KinesisProducer({
          client: kinesis,
          streamName: options.streamName,
          streamArn: options.streamArn,
          partitionKey: options.partitionKey,
          aggregate: options.aggregate,
        });
    io.stderr.write(`sending ${total} records to ${target} at ${options.rate} records/s\n`);
    const pacer = new Pacer(options.rate, io.now, io.sleep);
    // The bar counts records Kinesis (or Firehose) acknowledged, not records handed to the producer.
    const progress = new ProgressBar(io.stderr, total, io.now, 'records acknowledged');
    const showProgress = (report: ProducerReport) =>
      progress.update(report.recordsSent, `throttled ${report.throttledEntries}`);
    let put = 0;
    let lastProgressAt = -Infinity;
    for await (const record of recordsOf(options)) {
      if (put >= total) break;
      await pacer.waitFor(put);
      await producer.put(record);
      put++;
      if (io.now() - lastProgressAt >= 50) {
        lastProgressAt = io.now();
        showProgress(producer.progress());
      }
    }
    const report = await producer.flush();
    progress.done(report.recordsSent, `throttled ${report.throttledEntries}`);
    const seconds = Math.max(pacer.elapsedMillis(), 1) / 1000;
    io.stdout.write(
      [
        `records sent:      ${report.recordsSent} of ${put}`,
        `throughput:        ${(report.recordsSent / seconds).toFixed(1)} records/s, ${(report.bytesSent / seconds / 1024).toFixed(1)} KiB/s`,
        `requests:          ${report.requests}`,
        `throttled entries: ${report.throttledEntries} (retried: ${report.retriedEntries})`,
        `unsent:            ${report.unsent.length} (rejected ${report.rejected.length}, failed ${report.failed.length}, unknown ${report.unknown.length})`,
      ].join('\n') + '\n',
    );
    for (const unsent of report.unsent.slice(0, 5)) {
      const line = (unsent.record as FileRecord).lineNumber;
      io.stderr.write(
        `${unsent.outcome}${line !== undefined ? ` (line ${line})` : ''}: ${unsent.errorCode}: ${unsent.errorMessage}\n`,
      );
    }
    if (report.unknown.length > 0) {
      io.stderr.write(
        `${report.unknown.length} records may or may not have been written (timeouts): sending them again can duplicate them\n`,
      );
    }
    return report.unsent.length > 0 ? 1 : 0;
  } finally {
    kinesis.destroy();
    firehose.destroy();
  }
}

/** A record read from --file, with its line number for error messages. */
type FileRecord = ProducerRecord & { readonly lineNumber?: number };

/** The records to send: the file's non-empty lines, streamed, or endless sample lines. */
async function* recordsOf(options: ProduceOptions): AsyncGenerator<FileRecord> {
  if (options.file === undefined) {
    for (const line of sampleLines(options.sample, { seed: options.seed })) yield { data: line };
    return;
  }
  for await (const line of readLines(options.file)) {
    if (line.bytes.length > 0) yield { data: line.bytes, lineNumber: line.number };
  }
}

function durationCap(options: ProduceOptions): number | undefined {
  return options.durationSeconds !== undefined ? Math.round(options.rate * options.durationSeconds) : undefined;
}

function produceOptions(values: Record<string, string | boolean | undefined>, io: CliIo): ProduceOptions {
  const str = (key: string) => values[key] as string | undefined;
  let streamName = str('stream-name');
  const streamArn = str('stream-arn');
  const firehose = str('firehose');
  if (str('outputs-file') && !streamName && !streamArn && !firehose) {
    const file = path.resolve(io.cwd, str('outputs-file')!);
    streamName = requireOutputs(readStackOutputs(file, str('stack-name')).outputs, ['StreamName'], file).StreamName;
  }
  const targets = [streamName, streamArn, firehose].filter((t) => t !== undefined);
  if (targets.length !== 1) {
    throw new UsageError(
      `give exactly one target: --stream-name, --stream-arn, --outputs-file or --firehose. Received ${targets.length}`,
    );
  }
  if (str('file') && str('sample')) throw new UsageError('give --file or --sample, not both');
  const sample = (str('sample') ?? 'json') as SampleKind;
  if (!SAMPLE_KINDS.includes(sample))
    throw new UsageError(`--sample must be one of ${SAMPLE_KINDS.join(', ')}. Received '${sample}'`);
  const rate = parsePositiveNumber('--rate', str('rate') ?? '100');
  const durationSeconds =
    str('duration') !== undefined ? parsePositiveNumber('--duration', str('duration')!) : undefined;
  const count = str('count') !== undefined ? parsePositiveNumber('--count', str('count')!, true) : undefined;
  const seedText = str('seed') ?? '1';
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a whole number of 0 or more. Received '${seedText}'`);
  if (firehose && (values.aggregate || str('partition-key'))) {
    throw new UsageError('--aggregate and --partition-key apply to Kinesis streams, not to --firehose');
  }
  const file = str('file');
  return {
    streamName,
    streamArn,
    firehose,
    file: file !== undefined ? path.resolve(io.cwd, file) : undefined,
    sample,
    rate,
    durationSeconds,
    count,
    partitionKey: partitionKeyStrategy(str('partition-key') ?? 'random'),
    aggregate: values.aggregate === true,
    seed,
  };
}

export function partitionKeyStrategy(spec: string): PartitionKeyStrategy {
  if (spec === 'random') return PartitionKey.random();
  if (spec.startsWith('field:') && spec.length > 'field:'.length)
    return PartitionKey.field(spec.slice('field:'.length));
  if (spec.startsWith('explicit:')) {
    try {
      return PartitionKey.explicit(spec.slice('explicit:'.length));
    } catch (error) {
      throw new UsageError(`--partition-key explicit:<key>: ${(error as Error).message}`);
    }
  }
  throw new UsageError(`--partition-key must be random, field:<json.path> or explicit:<key>. Received '${spec}'`);
}

/**
 * Checks the file in one streamed pass before anything is sent: readable, and no line too large
 * for a record even with the shortest partition key (1 byte) or, for Firehose, with the newline.
 * Returns the number of records (non-empty lines). Memory stays bounded: lines are never kept.
 */
async function checkedFile(file: string, firehose: boolean): Promise<number> {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    fs.accessSync(file, fs.constants.R_OK);
  } catch (error) {
    throw new CliError(
      `cannot read --file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const max = firehose ? FIREHOSE_LIMITS.maxRecordSizeInBytes - 1 : KINESIS_LIMITS.maxRecordSizeInBytes - 1;
  let records: number;
  try {
    records = await countNonEmptyLines(file, { maxLineBytes: max });
  } catch (error) {
    if (!(error instanceof LineTooLongError)) throw error;
    throw new CliError(
      `line ${error.lineNumber} of ${file} is over ${max} bytes; a ${firehose ? 'Firehose' : 'Kinesis'} record can hold at most ${max} bytes of data (${firehose ? '1,000 KiB with the newline' : '1 MiB with a partition key of at least 1 byte'})`,
    );
  }
  if (records === 0) throw new CliError(`--file ${file} has no records (no non-empty lines)`);
  return records;
}

async function checkStream(client: KinesisClient, options: ProduceOptions, region: string): Promise<void> {
  const name = options.streamName ?? options.streamArn;
  try {
    const out = await client.send(
      new DescribeStreamSummaryCommand({ StreamName: options.streamName, StreamARN: options.streamArn }),
    );
    const status = out.StreamDescriptionSummary?.StreamStatus;
    if (status !== 'ACTIVE' && status !== 'UPDATING') {
      throw new CliError(`stream '${name}' is ${status}; it must be ACTIVE or UPDATING to accept records`);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    const e = error as Error;
    if (e.name === 'ResourceNotFoundException')
      throw new CliError(`stream '${name}' not found in ${region} (${e.name})`);
    throw new CliError(`cannot describe stream '${name}' in ${region}: ${e.name}: ${e.message}`);
  }
}
