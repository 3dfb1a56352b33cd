import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
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
  type SampleKind,
} from 'cdk-kinesis-pipeline-runtime';
import { resolveAwsSettings } from '../aws-settings';
import { CliError, UsageError, type CliIo } from '../cli-io';
import { Pacer } from '../pacer';
import { ProgressBar } from '../progress-bar';
import { readStackOutputs, requireOutputs } from '../stack-outputs';
import { AWS_OPTIONS, AWS_OPTIONS_HELP, awsFlags, parsePositiveNumber } from './common-options';

export const PRODUCE_HELP = `Usage: cdk-kinesis-pipeline produce [options]

Sends records to a Kinesis data stream (PutRecords batches, failed entries retried) at a
target rate, and prints throughput and throttles.

Target (one of):
  --stream-name <name>         Kinesis data stream
  --stream-arn <arn>           Kinesis data stream by ARN
  --outputs-file <file>        cdk deploy --outputs-file JSON; uses the StreamName output
  --firehose <name>            put straight into a Firehose delivery stream instead
Data (one of):
  --file <path>                newline-delimited records, one per line
  --sample <kind>              generated: ${SAMPLE_KINDS.join(', ')} (default: json)
Load:
  --rate <n>                   records per second (default: 100)
  --duration <seconds>         how long to send (default: 10; with --file: until the end of the file)
  --count <n>                  send exactly n records instead of rate × duration
  --partition-key <strategy>   random | field:<json.path> | explicit:<key> (default: random)
  --aggregate                  KPL-aggregate small records (aws-kinesis-agg)
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
  const lines = options.file ? await checkedFileLines(options.file, options.firehose !== undefined) : undefined;
  const total =
    options.count ??
    (lines
      ? Math.min(lines.length, durationCap(options) ?? Infinity)
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
    const source = lines ? lines[Symbol.iterator]() : sampleLines(options.sample, { seed: options.seed });
    const pacer = new Pacer(options.rate, io.now, io.sleep);
    const progress = new ProgressBar(io.stderr, total, io.now);
    let put = 0;
    for (const line of source) {
      if (put >= total) break;
      await pacer.waitFor(put);
      await producer.put({ data: line });
      put++;
      if (put < total) progress.update(put, `throttled ${producer.progress().throttledEntries}`);
    }
    const report = await producer.flush();
    progress.update(put, `throttled ${report.throttledEntries}`);
    progress.done();
    const seconds = Math.max(pacer.elapsedMillis(), 1) / 1000;
    io.stdout.write(
      [
        `records sent:      ${report.recordsSent} of ${put}`,
        `throughput:        ${(report.recordsSent / seconds).toFixed(1)} records/s, ${(report.bytesSent / seconds / 1024).toFixed(1)} KiB/s`,
        `requests:          ${report.requests}`,
        `throttled entries: ${report.throttledEntries} (retried: ${report.retriedEntries})`,
        `unsent:            ${report.unsent.length}`,
      ].join('\n') + '\n',
    );
    for (const unsent of report.unsent.slice(0, 5))
      io.stderr.write(`unsent: ${unsent.errorCode}: ${unsent.errorMessage}\n`);
    return report.unsent.length > 0 ? 1 : 0;
  } finally {
    kinesis.destroy();
    firehose.destroy();
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

/** Reads the whole file and rejects it, before anything is sent, if it is unreadable or a line is too large. */
async function checkedFileLines(file: string, firehose: boolean): Promise<string[]> {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    fs.accessSync(file, fs.constants.R_OK);
  } catch (error) {
    throw new CliError(
      `cannot read --file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const max = firehose
    ? FIREHOSE_LIMITS.maxRecordSizeInBytes - 1
    : KINESIS_LIMITS.maxRecordSizeInBytes - KINESIS_LIMITS.maxPartitionKeyLength;
  const lines: string[] = [];
  const reader = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let number = 0;
  for await (const line of reader) {
    number++;
    if (line.length === 0) continue;
    const size = Buffer.byteLength(line);
    if (size > max) {
      reader.close();
      throw new CliError(
        `line ${number} of ${file} is ${size} bytes; a ${firehose ? 'Firehose' : 'Kinesis'} record can hold at most ${max} bytes of data (${firehose ? '1,000 KiB with the newline' : '1 MiB with a partition key of up to 256 bytes'})`,
      );
    }
    lines.push(line);
  }
  if (lines.length === 0) throw new CliError(`--file ${file} has no records (no non-empty lines)`);
  return lines;
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
