/**
 * One local run: synthesize the app (or read its cloud assembly), start kinesis-local and the
 * local AWS endpoint on 127.0.0.1, put the input into the stream, run every event source mapping
 * and delivery stream of the templates over it, query the lake, stop everything, and account for
 * every record.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError, UsageError } from '../cli-io';
import { buildAccount, type LocalAccount } from './account';
import { readCloudAssembly, synthesize } from './cloud-assembly';
import {
  type EventSourceMappingEmulator,
  loadSimulator,
  type MappingReport,
  simulatedMappings,
} from './event-source-mappings';
import { type DeliveryReport, runDeliveryStream } from './firehose/delivery-stream';
import { unsupportedColumnType } from './firehose/json-deserializer';
import { FunctionHost } from './function-host';
import { type RunningDynamoDb, startDynamoDbLocal } from './dynamodb-local';
import { type RunningKinesis, startKinesisLocal } from './kinesis-local';
import { type LakeQueryResult, queryLake } from './lake-query';
import { LOCAL_RECORDS_DIR, startLocalAwsServer } from './local-aws-server';
import {
  buildPipelineModel,
  type LocalDelivery,
  type LocalFunction,
  type LocalStream,
  type PipelineModel,
} from './pipeline-model';
import { type InputRecord, putAndReadBack, warmUp } from './stream-io';

export interface LocalRunOptions {
  /** Shell command that runs the CDK app (as cdk.json's "app"); or give `assembly`. */
  readonly app?: string;
  /** An existing cloud assembly folder (cdk.out). */
  readonly assembly?: string;
  readonly cwd: string;
  /** The local S3: `<outDir>/<bucket>/<key>`. Bucket folders of the app are emptied first. */
  readonly outDir: string;
  readonly records: readonly InputRecord[];
  /** Records put on purpose to be quarantined or rejected, by kind (for the account). */
  readonly poisonKinds: readonly string[];
  /** The stream to put the records into (name or logical id); needed when the app has several. */
  readonly streamId?: string;
  readonly region: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  /** The event source mapping emulator; the default is the runtime toolkit's simulator. */
  readonly mappings?: EventSourceMappingEmulator;
}

export interface LocalRunResult {
  readonly model: PipelineModel;
  readonly stream: LocalStream;
  readonly mappings: readonly MappingReport[];
  readonly deliveries: readonly DeliveryReport[];
  readonly lake: readonly LakeQueryResult[];
  readonly account: LocalAccount;
  readonly elapsedMs: number;
}

export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const started = Date.now();
  const log = (line: string) => options.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`);
  // kinesis-local needs nothing from the templates: it loads in its own process while the app
  // synthesizes, and is stopped however the run ends.
  log('starting kinesis-local on 127.0.0.1');
  const kinesis = startKinesisLocal(options.region);
  kinesis.catch(() => undefined); // awaited where the stream is created; no unhandled rejection meanwhile
  try {
    return await run(options, started, log, kinesis);
  } finally {
    await (await kinesis.catch(() => undefined))?.stop();
  }
}

async function run(
  options: LocalRunOptions,
  started: number,
  log: (line: string) => void,
  kinesisStarting: Promise<RunningKinesis>,
): Promise<LocalRunResult> {
  const outDir = path.resolve(options.cwd, options.outDir);
  const localDir = path.join(outDir, LOCAL_RECORDS_DIR);
  // What a previous run recorded (logs, SNS/SQS messages, on-failure documents); an assembly kept
  // there by the user (--assembly) stays.
  if (fs.existsSync(localDir)) {
    for (const entry of fs.readdirSync(localDir)) {
      if (entry !== 'cdk.out' || !options.assembly)
        fs.rmSync(path.join(localDir, entry), { recursive: true, force: true });
    }
  }
  fs.mkdirSync(localDir, { recursive: true });

  let assemblyDir: string;
  if (options.assembly) {
    assemblyDir = path.resolve(options.cwd, options.assembly);
  } else if (options.app) {
    assemblyDir = path.join(localDir, 'cdk.out');
    log(`synthesizing: ${options.app}`);
    // Meanwhile kinesis-local warms up on a scratch stream (with --assembly there is no time to use).
    // A failure of kinesis-local is reported where the stream is put, not here, mid-synthesis.
    await Promise.all([
      synthesize(options.app, options.cwd, assemblyDir, options.env),
      kinesisStarting.then((kinesis) => warmUp(kinesis.client, options.records)).catch(() => undefined),
    ]);
  } else {
    throw new UsageError('give --app <command> (e.g. "npx tsx bin/app.ts") or --assembly <cdk.out>');
  }
  const model = buildPipelineModel(readCloudAssembly(assemblyDir), options.region);
  const stream = pickStream(model, options.streamId);
  const mappings = model.mappings.filter((m) => m.stream === stream);
  const notEmulated = [...model.notEmulated];
  const deliveries: LocalDelivery[] = [];
  for (const d of model.deliveries.filter((x) => x.stream === stream)) {
    const reason = deliveryNotEmulated(d);
    if (reason) notEmulated.push(`${d.name}: ${reason}`);
    else deliveries.push(d);
  }
  for (const m of mappings)
    if (m.function.notRunnable) notEmulated.push(`${m.function.name}: ${m.function.notRunnable}`);
  log(
    `stream ${stream.name}: ${stream.mode}, ${stream.shardCount} shard(s), encryption ${stream.encryption} (not applied locally)`,
  );
  for (const m of mappings)
    log(
      `event source mapping ${m.logicalId} -> ${m.function.name} (${m.efoConsumerName ? `enhanced fan-out ${m.efoConsumerName}` : 'standard'})`,
    );
  for (const d of deliveries)
    log(
      `delivery stream ${d.name} -> s3://${d.bucket}/${d.prefix}${d.conversion ? ` (${d.conversion.serializer} via ${d.conversion.table.database}.${d.conversion.table.name})` : ''}`,
    );
  for (const reason of notEmulated) log(`not emulated: ${reason}`);

  const simulator = options.mappings ? undefined : loadSimulator();
  const emulator = options.mappings ?? (simulator ? simulatedMappings(simulator, { model, outDir }) : undefined);
  if (!emulator && mappings.length > 0) {
    notEmulated.push(
      'event source mappings: this version of cdk-kinesis-pipeline-runtime has no event source mapping simulator (cdk-kinesis-pipeline-runtime/testing)',
    );
    log(`not emulated: ${notEmulated[notEmulated.length - 1]}`);
  }

  for (const bucket of model.buckets) fs.rmSync(path.join(outDir, bucket), { recursive: true, force: true });
  let dynamoDb: RunningDynamoDb | undefined;
  if (model.dynamoDbTables.length > 0) {
    log(`starting the local DynamoDB (dynalite) on 127.0.0.1 with ${model.dynamoDbTables.length} table(s)`);
    dynamoDb = await startDynamoDbLocal(model.dynamoDbTables, options.region);
  }
  const server = await startLocalAwsServer({
    root: outDir,
    buckets: model.buckets,
    dynamoDbEndpoint: dynamoDb?.endpoint,
  }).catch(async (error: unknown) => {
    await dynamoDb?.stop();
    throw error;
  });
  const hosts = new Map<string, FunctionHost>();
  const hostOf = (fn: LocalFunction): FunctionHost => {
    let host = hosts.get(fn.name);
    if (!host)
      hosts.set(
        fn.name,
        (host = new FunctionHost(fn, {
          region: options.region,
          awsEndpoint: server.endpoint,
          logDir: path.join(localDir, 'logs'),
        })),
      );
    return host;
  };
  try {
    const kinesis = await kinesisStarting;
    log(`putting ${options.records.length} record(s) into ${stream.name}`);
    const shards = await putAndReadBack(kinesis.client, stream, options.records, {
      efoConsumers: mappings.flatMap((m) => (m.efoConsumerName ? [m.efoConsumerName] : [])),
    });
    log(`read ${options.records.length} record(s) back from ${shards.length} shard(s)`);

    const runnable = emulator ? mappings.filter((m) => !m.function.notRunnable) : [];
    const [mappingReports, deliveryReports] = await Promise.all([
      Promise.all(
        runnable.map((m) =>
          emulator!.run(m, shards, hostOf(m.function)).then((report) => {
            log(`${m.function.name}: ${report.invocations} invocation(s) done`);
            return report;
          }),
        ),
      ),
      Promise.all(
        deliveries.map((d) =>
          runDeliveryStream(shards, {
            delivery: d,
            transform: d.processor ? hostOf(d.processor.function) : undefined,
            outDir,
            region: options.region,
          }).then((report) => {
            log(`${d.name}: ${report.sourceRecords} source record(s) delivered`);
            return report;
          }),
        ),
      ),
    ]);
    log(
      `consumers and delivery streams done: ${mappingReports.length} mapping(s), ${deliveryReports.length} delivery stream(s)`,
    );
    const lake: LakeQueryResult[] = [];
    for (const d of deliveries) if (d.conversion) lake.push(await queryLake(d.conversion.table, outDir));
    if (lake.length > 0) log(`queried ${lake.length} table(s) with DuckDB`);
    for (const [call, count] of server.unsupportedCalls)
      notEmulated.push(`${count} call(s) to ${call} were refused (not emulated)`);
    const account = buildAccount({
      produced: options.records.length,
      poisonKinds: options.poisonKinds,
      stream,
      shards,
      mappings: mappingReports,
      deliveries: deliveryReports,
      deliveryModels: deliveries,
      lake,
      outDir,
      notEmulated,
      refusedCalls: server.unsupportedCalls,
    });
    return {
      model,
      stream,
      mappings: mappingReports,
      deliveries: deliveryReports,
      lake,
      account,
      elapsedMs: Date.now() - started,
    };
  } finally {
    for (const host of hosts.values()) await host.stop();
    await server.stop();
    await dynamoDb?.stop();
  }
}

function pickStream(model: PipelineModel, id: string | undefined): LocalStream {
  if (model.streams.length === 0)
    throw new CliError(`the app (${model.stackNames.join(', ')}) has no AWS::Kinesis::Stream`);
  if (id === undefined) {
    if (model.streams.length > 1) {
      throw new UsageError(
        `the app has ${model.streams.length} streams: give --stream with one of ${model.streams.map((s) => s.name).join(', ')}`,
      );
    }
    return model.streams[0];
  }
  const stream = model.streams.find((s) => s.name === id || s.logicalId === id);
  if (!stream)
    throw new UsageError(`--stream ${id} is none of the app's streams: ${model.streams.map((s) => s.name).join(', ')}`);
  return stream;
}

function deliveryNotEmulated(d: LocalDelivery): string | undefined {
  if (d.conversion?.serializer === 'ORC')
    return 'ORC output is not emulated (Parquet and JSON are): the delivery stream is left out of the run';
  if (d.processor?.function.notRunnable) return `its transform cannot run: ${d.processor.function.notRunnable}`;
  const unsupported = d.conversion?.table.columns.filter((c) => unsupportedColumnType(c.type)) ?? [];
  if (unsupported.length > 0)
    return `column types ${unsupported.map((c) => `${c.name} ${c.type}`).join(', ')} are not emulated`;
  return undefined;
}
