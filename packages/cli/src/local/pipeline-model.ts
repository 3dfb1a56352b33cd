/**
 * What a local run needs to know of a synthesized app, read from its templates' own properties
 * (never from the constructs' code): streams, functions with their bundled assets, event source
 * mappings, delivery streams and Glue tables, with intrinsic functions resolved to local names.
 */
import * as path from 'node:path';
import type { StackArtifact, TemplateResource } from './cloud-assembly';
import { TemplateResolver, UnresolvableError } from './intrinsics';

export interface LocalStream {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** Open shards: ShardCount (provisioned), or 4 for on-demand (what a new on-demand stream starts with). */
  readonly shardCount: number;
  readonly mode: 'PROVISIONED' | 'ON_DEMAND';
  /** e.g. 'KMS (alias/aws/kinesis)'; 'none' when unencrypted. */
  readonly encryption: string;
  readonly retentionHours: number;
}

export interface LocalFunction {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** `file.export`, as Lambda reads Handler. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  /** The asset folder cdk deploy uploads; undefined when the code cannot run locally (see `notRunnable`). */
  readonly codeDir?: string;
  /** Why the function cannot run locally, when it cannot. */
  readonly notRunnable?: string;
}

export interface LocalMapping {
  readonly logicalId: string;
  /** The mapping's UUID (Ref), under which Lambda writes on-failure objects. */
  readonly uuid: string;
  readonly function: LocalFunction;
  readonly stream: LocalStream;
  /** The enhanced fan-out consumer read, if any. */
  readonly efoConsumerName?: string;
  /** The mapping's properties, resolved. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The S3 on-failure destination's bucket, when the destination is a bucket. */
  readonly onFailureBucket?: string;
  /** 's3', 'sqs', 'sns' or 'none'. */
  readonly onFailureType: 's3' | 'sqs' | 'sns' | 'none';
}

export interface GlueColumn {
  readonly name: string;
  readonly type: string;
}

export interface LocalTable {
  readonly logicalId: string;
  readonly database: string;
  readonly name: string;
  readonly columns: readonly GlueColumn[];
  readonly partitionKeys: readonly GlueColumn[];
  /** StorageDescriptor.Location, e.g. s3://bucket/data/ */
  readonly location: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/** A DynamoDB table of the app, created empty in the local DynamoDB with its template's key schema. */
export interface LocalDynamoDbTable {
  readonly logicalId: string;
  readonly name: string;
  /** CreateTable's key-related input, resolved from the template (KeySchema, AttributeDefinitions, indexes). */
  readonly createTableInput: Readonly<Record<string, unknown>>;
}

export interface BufferingHints {
  readonly sizeInMBs: number;
  readonly intervalInSeconds: number;
}

export interface LocalDelivery {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly stream: LocalStream;
  readonly bucket: string;
  /** Prefix as configured ('' when absent). */
  readonly prefix: string;
  /** ErrorOutputPrefix; undefined when absent. */
  readonly errorOutputPrefix?: string;
  readonly buffering: BufferingHints;
  readonly compression: string;
  readonly fileExtension?: string;
  readonly processor?: {
    readonly function: LocalFunction;
    readonly bufferSizeInMBs: number;
    readonly bufferIntervalInSeconds: number;
    readonly numberOfRetries: number;
  };
  readonly dynamicPartitioning: boolean;
  /** MetadataExtraction processor: partition key → jq query. */
  readonly metadataExtractionQuery?: string;
  /** AppendDelimiterToRecord processor: the delimiter written after each record (default "\n"). */
  readonly recordDelimiter?: string;
  readonly conversion?: {
    readonly table: LocalTable;
    readonly deserializer: 'OPENX' | 'HIVE';
    /** OpenX: keys compared case-insensitively (default true). */
    readonly caseInsensitive: boolean;
    readonly convertDotsInJsonKeysToUnderscores: boolean;
    readonly columnToJsonKeyMappings: Readonly<Record<string, string>>;
    readonly serializer: 'PARQUET' | 'ORC';
    readonly compression: string;
  };
  readonly backup?: { readonly bucket: string; readonly prefix: string; readonly buffering: BufferingHints };
}

export interface PipelineModel {
  readonly stackNames: readonly string[];
  readonly streams: readonly LocalStream[];
  readonly functions: readonly LocalFunction[];
  readonly mappings: readonly LocalMapping[];
  readonly deliveries: readonly LocalDelivery[];
  readonly tables: readonly LocalTable[];
  /** Every AWS::DynamoDB::Table of the templates. */
  readonly dynamoDbTables: readonly LocalDynamoDbTable[];
  /** Every S3 bucket of the templates (local names). */
  readonly buckets: readonly string[];
  /** Resources of interest that the local run leaves out, with the reason. */
  readonly notEmulated: readonly string[];
  /** The raw templates, by stack name (for the event source mapping simulator's settings). */
  readonly templates: Readonly<Record<string, { Resources: Record<string, TemplateResource> }>>;
  /** Which stack each mapping comes from. */
  readonly mappingStacks: ReadonlyMap<LocalMapping, string>;
}

const ON_DEMAND_INITIAL_SHARDS = 4;

/** Reads the pipeline from every stack of an assembly. */
export function buildPipelineModel(stacks: readonly StackArtifact[], region: string): PipelineModel {
  const model = {
    ...emptyModel(),
    stackNames: [] as string[],
    templates: {} as Record<string, { Resources: Record<string, TemplateResource> }>,
  };
  for (const stack of stacks) {
    model.stackNames.push(stack.stackName);
    model.templates[stack.stackName] = { Resources: { ...stack.resources } };
    readStack(stack, new TemplateResolver(stack.stackName, stack.resources, region), model);
  }
  return model;
}

type MutableModel = ReturnType<typeof emptyModel>;
function emptyModel() {
  return {
    streams: [] as LocalStream[],
    functions: [] as LocalFunction[],
    mappings: [] as LocalMapping[],
    deliveries: [] as LocalDelivery[],
    tables: [] as LocalTable[],
    dynamoDbTables: [] as LocalDynamoDbTable[],
    buckets: [] as string[],
    notEmulated: [] as string[],
    mappingStacks: new Map<LocalMapping, string>(),
  };
}

function readStack(stack: StackArtifact, resolver: TemplateResolver, model: MutableModel): void {
  const byType = (type: string) => Object.entries(stack.resources).filter(([, r]) => r.Type === type);
  const where = (id: string) => `${stack.stackName}/${id}`;
  const props = (r: TemplateResource) => (r.Properties ?? {}) as Record<string, unknown>;

  for (const [id] of byType('AWS::S3::Bucket')) model.buckets.push(resolver.physicalName(id));
  for (const [id, r] of byType('AWS::DynamoDB::Table')) {
    try {
      model.dynamoDbTables.push({
        logicalId: id,
        name: resolver.physicalName(id),
        createTableInput: createTableInput(resolver, r),
      });
    } catch (error) {
      model.notEmulated.push(`${where(id)}: ${(error as Error).message}`);
    }
  }

  const streams = new Map<string, LocalStream>(); // by ARN
  for (const [id, r] of byType('AWS::Kinesis::Stream')) {
    const p = resolver.resolve(props(r)) as Record<string, unknown>;
    const mode =
      (p.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode === 'ON_DEMAND'
        ? 'ON_DEMAND'
        : 'PROVISIONED';
    const encryption = p.StreamEncryption as { EncryptionType?: string; KeyId?: string } | undefined;
    const stream: LocalStream = {
      logicalId: id,
      name: resolver.physicalName(id),
      arn: resolver.arn(id),
      shardCount: mode === 'ON_DEMAND' ? ON_DEMAND_INITIAL_SHARDS : Number(p.ShardCount ?? 1),
      mode,
      encryption: encryption ? `${encryption.EncryptionType} (${encryption.KeyId})` : 'none',
      retentionHours: Number(p.RetentionPeriodHours ?? 24),
    };
    streams.set(stream.arn, stream);
    model.streams.push(stream);
  }
  const efoConsumers = new Map<string, { name: string; streamArn: string }>(); // by consumer ARN
  for (const [id, r] of byType('AWS::Kinesis::StreamConsumer')) {
    efoConsumers.set(resolver.arn(id), {
      name: resolver.physicalName(id),
      streamArn: resolver.text(props(r).StreamARN),
    });
  }

  const functions = new Map<string, LocalFunction>(); // by ARN and by name
  for (const [id, r] of byType('AWS::Lambda::Function')) {
    const fn = readFunction(stack, id, r, resolver);
    functions.set(fn.arn, fn);
    functions.set(fn.name, fn);
    model.functions.push(fn);
  }
  // A function named by name, ARN, or qualified ARN (arn:aws:lambda:region:account:function:name:qualifier).
  const functionOf = (value: unknown): LocalFunction | undefined => {
    const text = resolver.text(value);
    return functions.get(text) ?? functions.get(text.split(':').slice(0, 7).join(':'));
  };

  for (const [id, r] of byType('AWS::Lambda::EventSourceMapping')) {
    let p: Record<string, unknown>;
    try {
      p = resolver.resolve(props(r)) as Record<string, unknown>;
    } catch (error) {
      model.notEmulated.push(`${where(id)}: ${(error as Error).message}`);
      continue;
    }
    const source = String(p.EventSourceArn ?? '');
    const efo = efoConsumers.get(source);
    const stream = streams.get(efo ? efo.streamArn : source);
    const fn = functionOf(p.FunctionName);
    if (!stream) {
      if (source.includes(':kinesis:'))
        model.notEmulated.push(`${where(id)}: reads a stream that is not in the app (${source})`);
      continue; // not a Kinesis mapping of this app (SQS, DynamoDB, ...)
    }
    if (!fn) {
      model.notEmulated.push(`${where(id)}: its function is not in the app (${String(p.FunctionName)})`);
      continue;
    }
    const destination = String(
      ((p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure
        ?.Destination as string) ?? '',
    );
    const onFailureType = destination.startsWith('arn:aws:s3:::')
      ? 's3'
      : destination.includes(':sqs:')
        ? 'sqs'
        : destination.includes(':sns:')
          ? 'sns'
          : 'none';
    const mapping: LocalMapping = {
      logicalId: id,
      uuid: resolver.physicalName(id),
      function: fn,
      stream,
      efoConsumerName: efo?.name,
      properties: p,
      onFailureType,
      onFailureBucket: onFailureType === 's3' ? destination.slice('arn:aws:s3:::'.length) : undefined,
    };
    model.mappings.push(mapping);
    model.mappingStacks.set(mapping, stack.stackName);
  }

  const tables: LocalTable[] = [];
  for (const [id, r] of byType('AWS::Glue::Table')) {
    const p = resolver.resolve(props(r)) as {
      DatabaseName: string;
      TableInput: {
        Name?: string;
        Parameters?: Record<string, unknown>;
        PartitionKeys?: { Name: string; Type: string }[];
        StorageDescriptor?: { Columns?: { Name: string; Type: string }[]; Location?: string };
      };
    };
    const table: LocalTable = {
      logicalId: id,
      database: p.DatabaseName,
      name: resolver.physicalName(id),
      columns: (p.TableInput.StorageDescriptor?.Columns ?? []).map((c) => ({ name: c.Name, type: c.Type })),
      partitionKeys: (p.TableInput.PartitionKeys ?? []).map((c) => ({ name: c.Name, type: c.Type })),
      location: p.TableInput.StorageDescriptor?.Location ?? '',
      parameters: Object.fromEntries(Object.entries(p.TableInput.Parameters ?? {}).map(([k, v]) => [k, String(v)])),
    };
    tables.push(table);
    model.tables.push(table);
  }

  for (const [id, r] of byType('AWS::KinesisFirehose::DeliveryStream')) {
    try {
      const delivery = readDelivery(
        id,
        resolver.resolve(props(r)) as Record<string, unknown>,
        resolver,
        streams,
        functionOf,
        tables,
      );
      if (typeof delivery === 'string') model.notEmulated.push(`${where(id)}: ${delivery}`);
      else model.deliveries.push(delivery);
    } catch (error) {
      if (!(error instanceof UnresolvableError)) throw error;
      model.notEmulated.push(`${where(id)}: ${error.message}`);
    }
  }
}

function readFunction(
  stack: StackArtifact,
  id: string,
  r: TemplateResource,
  resolver: TemplateResolver,
): LocalFunction {
  const p = (r.Properties ?? {}) as Record<string, unknown>;
  const name = resolver.physicalName(id);
  const arn = resolver.arn(id);
  const runtime = String(p.Runtime ?? '');
  let environment: Record<string, string> = {};
  let notRunnable: string | undefined;
  try {
    const variables =
      (resolver.resolve(p.Environment) as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    environment = Object.fromEntries(
      Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  } catch (error) {
    notRunnable = `its environment cannot be resolved locally: ${(error as Error).message}`;
  }
  const code = (p.Code ?? {}) as { S3Key?: unknown; ZipFile?: unknown; ImageUri?: unknown };
  let codeDir: string | undefined;
  if (!runtime.startsWith('nodejs')) {
    notRunnable ??= `runtime ${runtime || '(container image)'} is not emulated; only Node.js functions run locally`;
  } else if (code.S3Key !== undefined) {
    const key = resolver.text(code.S3Key);
    codeDir = stack.assets.get(key);
    if (!codeDir) notRunnable ??= `its code asset ${key} is not in the cloud assembly`;
    else if (path.extname(codeDir) === '.zip')
      notRunnable ??= `its code asset is a zip file (${codeDir}); only asset folders run locally`;
  } else {
    notRunnable ??= 'its code is not a cloud assembly asset (inline or S3 code is not emulated)';
  }
  return {
    logicalId: id,
    name,
    arn,
    handler: String(p.Handler ?? 'index.handler'),
    runtime,
    // Lambda's defaults: 3 seconds, 128 MB.
    timeoutSeconds: Number(p.Timeout ?? 3),
    memoryMb: Number(p.MemorySize ?? 128),
    environment,
    codeDir,
    notRunnable,
  };
}

function bucketOfArn(arn: unknown): string {
  return String(arn).replace(/^arn:[^:]+:s3:::/, '');
}

function hints(value: unknown, defaults: BufferingHints): BufferingHints {
  const h = (value ?? {}) as { SizeInMBs?: number; IntervalInSeconds?: number };
  return {
    sizeInMBs: Number(h.SizeInMBs ?? defaults.sizeInMBs),
    intervalInSeconds: Number(h.IntervalInSeconds ?? defaults.intervalInSeconds),
  };
}

/** A delivery stream from its resolved properties, or why it is not emulated. */
function readDelivery(
  id: string,
  p: Record<string, unknown>,
  resolver: TemplateResolver,
  streams: Map<string, LocalStream>,
  functionOf: (value: unknown) => LocalFunction | undefined,
  tables: readonly LocalTable[],
): LocalDelivery | string {
  const source = (p.KinesisStreamSourceConfiguration as { KinesisStreamARN?: string } | undefined)?.KinesisStreamARN;
  if (!source) return 'only delivery streams reading a Kinesis stream (KinesisStreamAsSource) are emulated';
  const stream = streams.get(source);
  if (!stream) return `its source stream is not in the app (${source})`;
  const d = p.ExtendedS3DestinationConfiguration as Record<string, unknown> | undefined;
  if (!d) return 'only ExtendedS3DestinationConfiguration destinations are emulated';

  const conversionConfig = d.DataFormatConversionConfiguration as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  const converting = conversionConfig !== undefined && conversionConfig.Enabled !== false;
  // Firehose's defaults: 5 MB / 300 s, 128 MB with format conversion.
  const buffering = hints(d.BufferingHints, { sizeInMBs: converting ? 128 : 5, intervalInSeconds: 300 });

  let processor: LocalDelivery['processor'];
  let metadataExtractionQuery: string | undefined;
  let recordDelimiter: string | undefined;
  const processing = d.ProcessingConfiguration as
    | {
        Enabled?: boolean;
        Processors?: { Type: string; Parameters?: { ParameterName: string; ParameterValue: string }[] }[];
      }
    | undefined;
  if (processing && processing.Enabled !== false) {
    for (const proc of processing.Processors ?? []) {
      const param = (name: string) => proc.Parameters?.find((x) => x.ParameterName === name)?.ParameterValue;
      if (proc.Type === 'Lambda') {
        const fn = functionOf(param('LambdaArn'));
        if (!fn) return `its Lambda processor ${param('LambdaArn')} is not a function of the app`;
        // Firehose's processor defaults: 1 MB (3 MB with dynamic partitioning... kept at 1), 60 s, 3 retries.
        processor = {
          function: fn,
          bufferSizeInMBs: Number(param('BufferSizeInMBs') ?? 1),
          bufferIntervalInSeconds: Number(param('BufferIntervalInSeconds') ?? 60),
          numberOfRetries: Number(param('NumberOfRetries') ?? 3),
        };
      } else if (proc.Type === 'MetadataExtraction') {
        metadataExtractionQuery = param('MetadataExtractionQuery');
      } else if (proc.Type === 'AppendDelimiterToRecord') {
        // Parameter Delimiter, "\n" by default; written escaped in the template.
        // https://docs.aws.amazon.com/firehose/latest/APIReference/API_ProcessorParameter.html
        const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };
        recordDelimiter = (param('Delimiter') ?? '\\n').replace(/\\([nrt\\])/g, (_, c: string) => escapes[c]);
      } else if (proc.Type !== 'RecordDeAggregation') {
        return `processor type ${proc.Type} is not emulated`;
      }
    }
  }

  let conversion: LocalDelivery['conversion'];
  if (converting) {
    const schema = conversionConfig.SchemaConfiguration ?? {};
    const table = tables.find((t) => t.name === schema.TableName && t.database === schema.DatabaseName);
    if (!table) return `its Glue table ${schema.DatabaseName}.${schema.TableName} is not in the app`;
    const deserializer = conversionConfig.InputFormatConfiguration?.Deserializer ?? {};
    const serializer = conversionConfig.OutputFormatConfiguration?.Serializer ?? {};
    const openx = deserializer.OpenXJsonSerDe as Record<string, unknown> | undefined;
    conversion = {
      table,
      deserializer: deserializer.HiveJsonSerDe ? 'HIVE' : 'OPENX',
      caseInsensitive: openx?.CaseInsensitive !== false,
      convertDotsInJsonKeysToUnderscores: openx?.ConvertDotsInJsonKeysToUnderscores === true,
      columnToJsonKeyMappings: (openx?.ColumnToJsonKeyMappings ?? {}) as Record<string, string>,
      serializer: serializer.OrcSerDe ? 'ORC' : 'PARQUET',
      compression: String((serializer.ParquetSerDe ?? serializer.OrcSerDe ?? {}).Compression ?? 'SNAPPY'),
    };
  }

  const backupConfig = d.S3BackupConfiguration as Record<string, unknown> | undefined;
  const backup =
    d.S3BackupMode === 'Enabled' && backupConfig
      ? {
          bucket: bucketOfArn(backupConfig.BucketARN),
          prefix: String(backupConfig.Prefix ?? ''),
          buffering: hints(backupConfig.BufferingHints, { sizeInMBs: 5, intervalInSeconds: 300 }),
        }
      : undefined;

  return {
    logicalId: id,
    name: resolver.physicalName(id),
    arn: resolver.arn(id),
    stream,
    bucket: bucketOfArn(d.BucketARN),
    prefix: String(d.Prefix ?? ''),
    errorOutputPrefix: d.ErrorOutputPrefix === undefined ? undefined : String(d.ErrorOutputPrefix),
    buffering,
    compression: String(d.CompressionFormat ?? 'UNCOMPRESSED'),
    fileExtension: d.FileExtension === undefined ? undefined : String(d.FileExtension),
    processor,
    dynamicPartitioning: (d.DynamicPartitioningConfiguration as { Enabled?: boolean } | undefined)?.Enabled === true,
    metadataExtractionQuery,
    recordDelimiter,
    conversion,
    backup,
  };
}

/**
 * The CreateTable input of an AWS::DynamoDB::Table: the template's key schema, attribute
 * definitions and indexes (the properties CloudFormation passes to CreateTable), billed on demand.
 * Throughput, TTL, streams and point-in-time recovery do not change what the table answers here.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-table.html
 */
function createTableInput(resolver: TemplateResolver, r: TemplateResource): Record<string, unknown> {
  const p = resolver.resolve(r.Properties ?? {}) as Record<string, unknown>;
  const indexes = (value: unknown) =>
    Array.isArray(value)
      ? value.map((index: Record<string, unknown>) => ({
          IndexName: index.IndexName,
          KeySchema: index.KeySchema,
          Projection: index.Projection,
        }))
      : undefined;
  return {
    KeySchema: p.KeySchema,
    AttributeDefinitions: p.AttributeDefinitions,
    BillingMode: 'PAY_PER_REQUEST',
    ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: indexes(p.GlobalSecondaryIndexes) } : {}),
    ...(p.LocalSecondaryIndexes ? { LocalSecondaryIndexes: indexes(p.LocalSecondaryIndexes) } : {}),
  };
}
