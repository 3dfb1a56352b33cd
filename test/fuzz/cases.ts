/**
 * The fuzzed surface: for each public construct (and each monitorXxx call), an arbitrary over
 * every prop it takes and a build function. Resources a prop takes (a topic, a key, a bucket, a
 * function) are drawn as names and made in the case's stack by `RESOURCES`.
 */
import * as path from 'node:path';
import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import fc from 'fast-check';
import {
  ConsumerType,
  DataLakeDelivery,
  JsonDeserializer,
  OutputFormat,
  Partitioning,
  PipelineMonitoring,
  RedriveFunction,
  ReferenceErrorAlertFunction,
  ReferenceMinuteAggregatesFunction,
  ScalableStream,
  ShardAutoScaler,
  ShardCapacityPlanner,
  StreamConsumer,
  StreamingChecks,
  StreamingPipeline,
  TableSchema,
} from '../../lib';
import { autoScaler, delivery, efoConsumer, standardConsumer, testFunction } from '../monitoring/fakes';
import {
  ALNUM,
  LOWER,
  durationProp,
  isPlainObject,
  materialize,
  numberProp,
  SizeSpec,
  sizeProp,
  someOf,
  stringOf,
  stringProp,
} from './values';

const ENTRY = path.join(__dirname, '..', 'consumer', 'support', 'sample-handler.ts');

/** A resource a prop takes, drawn by name and made in the case's stack. */
export class ResourceRef {
  constructor(public readonly kind: keyof typeof RESOURCES) {}
  public toJSON(): string {
    return `<${this.kind}>`;
  }
}

let resources = 0;
const RESOURCES = {
  key: (s: Stack) => new kms.Key(s, `Key${resources++}`),
  topic: (s: Stack) => new sns.Topic(s, `Topic${resources++}`),
  queue: (s: Stack) => new sqs.Queue(s, `Queue${resources++}`),
  bucket: (s: Stack) => new s3.Bucket(s, `Bucket${resources++}`),
  importedBucket: (s: Stack) => s3.Bucket.fromBucketName(s, `Imported${resources++}`, 'imported-bucket'),
  function: (s: Stack) => testFunction(s, `Function${resources++}`),
  stream: (s: Stack) => new kinesis.Stream(s, `Stream${resources++}`),
  importedStream: (s: Stack) =>
    kinesis.Stream.fromStreamArn(s, `ImportedStream${resources++}`, 'arn:aws:kinesis:us-east-1:111111111111:stream/in'),
  database: (s: Stack) => new glue.Database(s, `Database${resources++}`),
  logGroup: (s: Stack) => new logs.LogGroup(s, `LogGroup${resources++}`),
};

const ref = (...kinds: Array<keyof typeof RESOURCES>) => fc.constantFrom(...kinds.map((k) => new ResourceRef(k)));

/** Makes the resources of a case description, then its durations, sizes and parameters. */
export function build(stack: Stack, value: unknown): any {
  const withResources = (v: unknown): unknown => {
    if (v instanceof ResourceRef) return RESOURCES[v.kind](stack);
    if (Array.isArray(v)) return v.map(withResources);
    if (isPlainObject(v)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withResources(x)]));
    }
    return v;
  };
  return materialize(stack, withResources(value));
}

export interface FuzzCase {
  /** The construct or call fuzzed. */
  readonly name: string;
  /** Cases run in `npm test` (each accepted one is synthesized, so large constructs get fewer). */
  readonly runs: number;
  readonly props: fc.Arbitrary<Record<string, unknown>>;
  /** Builds the construct in `stack` from the case description (call `build` on it first). */
  readonly run: (stack: Stack, props: any) => void;
  /** Only constructs that write no template (a plugin, a planner): check what they return. */
  readonly check?: (result: unknown) => string[];
  /**
   * Combinations of many options, nearly all rejected: they test that conflicts give clear errors,
   * while a one-option case of the same construct reaches its templates.
   */
  readonly combinations?: boolean;
}

const HOURS = 3600;
const DAYS = 86_400;
const LAMBDA_TIMEOUT = durationProp({ minSeconds: 1, maxSeconds: 900, unit: 'seconds' });
const MEMORY = numberProp({ min: 128, max: 10_240 });
/** logs.RetentionDays: the values CloudWatch Logs accepts, and numbers it does not. */
const LOG_RETENTION = fc.oneof(
  {
    arbitrary: fc.constantFrom(...(Object.values(logs.RetentionDays).filter((v) => typeof v === 'number') as number[])),
    weight: 4,
  },
  { arbitrary: fc.constantFrom(0, 2, 4, NaN, Infinity, 1.5, -1), weight: 1 },
);
const STREAM_RETENTION = durationProp({ minSeconds: 24 * HOURS, maxSeconds: 8760 * HOURS, unit: 'hours' });
const STREAM_NAME = stringProp(stringOf(`${ALNUM}_.-`, 1, 128), 128);
const GLUE_NAME = stringProp(stringOf(`${LOWER}0123456789_`, 1, 255), 255);

const SCALER_OPTIONS = {
  minShards: numberProp({ min: 1, max: 10_000 }),
  maxShards: numberProp({ min: 1, max: 10_000 }),
  targetUtilization: numberProp({ min: 0.01, max: 1, integer: false }),
  scaleUpUtilization: numberProp({ min: 0.01, max: 1, integer: false }),
  reservedScaleUpCalls: numberProp({ min: 0, max: 9 }),
  maxCallsPer24Hours: numberProp({ min: 1, max: 10 }),
  scaleDownWindow: durationProp({ minSeconds: 60, maxSeconds: 120 * 60, unit: 'minutes' }),
  scaleDownCooldown: durationProp({ minSeconds: 0, maxSeconds: 1440 * 60, unit: 'minutes' }),
  evaluationInterval: durationProp({ minSeconds: 60, maxSeconds: 3600, unit: 'minutes' }),
  notificationTopic: ref('topic'),
  logRetention: LOG_RETENTION,
  reservedConcurrentExecutions: numberProp({ min: 1, max: 10 }),
};

const EXPECTED_TRAFFIC = fc.record(
  {
    recordsPerSecond: numberProp({ min: 0, max: 1_000_000, integer: false }),
    averageRecordSizeBytes: numberProp({ min: 1, max: 1_048_576 }),
    standardConsumers: numberProp({ min: 0, max: 1000 }),
    efoConsumers: numberProp({ min: 0, max: 20 }),
    targetUtilization: numberProp({ min: 0.01, max: 1, integer: false }),
  },
  { requiredKeys: ['recordsPerSecond', 'averageRecordSizeBytes'] },
);

const STREAM_PROPS = {
  streamName: STREAM_NAME,
  streamMode: fc.constantFrom(kinesis.StreamMode.PROVISIONED, kinesis.StreamMode.ON_DEMAND),
  initialShardCount: numberProp({ min: 1, max: 10_000 }),
  expectedTraffic: EXPECTED_TRAFFIC,
  retention: STREAM_RETENTION,
  encryptionKey: ref('key'),
  autoScaling: fc.boolean(),
  autoScalingOptions: someOf(SCALER_OPTIONS),
  removalPolicy: fc.constantFrom(RemovalPolicy.RETAIN, RemovalPolicy.DESTROY),
};

const QUARANTINE_PREFIX = stringProp(fc.constantFrom('quarantine/', 'poison/', 'bad/records/'), 1024);
const CONSUMER_OPTIONS = {
  consumerType: fc.constantFrom(ConsumerType.STANDARD, ConsumerType.ENHANCED_FAN_OUT),
  consumerName: stringProp(stringOf(`${ALNUM}_.-`, 1, 128), 128),
  batchSize: numberProp({ min: 1, max: 10_000 }),
  maxBatchingWindow: durationProp({ minSeconds: 0, maxSeconds: 300, unit: 'seconds' }),
  parallelizationFactor: numberProp({ min: 1, max: 10 }),
  startingPosition: fc.constantFrom(
    lambda.StartingPosition.TRIM_HORIZON,
    lambda.StartingPosition.LATEST,
    lambda.StartingPosition.AT_TIMESTAMP,
  ),
  startingPositionTimestamp: numberProp({ min: 0, max: 2_000_000_000, integer: false }),
  filters: fc.constant([lambda.FilterCriteria.filter({ data: { status: lambda.FilterRule.isEqual(500) } })]),
  kplAggregated: fc.boolean(),
  retryAttempts: numberProp({ min: -1, max: 10_000 }),
  maxRecordAge: durationProp({ minSeconds: 60, maxSeconds: 7 * DAYS, unit: 'seconds' }),
  infiniteRecordAge: fc.boolean(),
  bisectBatchOnError: fc.boolean(),
  reportBatchItemFailures: fc.boolean(),
  streamRetention: STREAM_RETENTION,
  failureBucket: ref('bucket', 'importedBucket'),
  failureRetention: durationProp({ minSeconds: DAYS, maxSeconds: 3650 * DAYS, unit: 'days' }),
  bucketEncryptionKey: ref('key'),
  quarantinePrefix: QUARANTINE_PREFIX,
  quarantineQueue: ref('queue'),
  failureNotificationTopic: ref('topic'),
  failureNotificationQueue: ref('queue'),
  eventCountMetrics: fc.boolean(),
};

/** The function of a consumer: yours (`handler`), or built from `entry` with optional functionProps. */
const CONSUMER_FUNCTION = fc.oneof(
  fc.constant({ handler: new ResourceRef('function') }),
  fc.constant({ entry: ENTRY }),
  someOf({ timeout: LAMBDA_TIMEOUT, memorySize: MEMORY }).map((functionProps) => ({ entry: ENTRY, functionProps })),
);

const HOURLY_LAYOUT = 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';
const DELIVERY_OPTIONS = {
  partitioning: fc.oneof(
    fc.constant('hourly'),
    fc.constant('daily'),
    someOf({
      startYear: numberProp({ min: 1970, max: 9999 }),
      endYear: numberProp({ min: 1970, max: 9999 }),
    }),
  ),
  bucket: ref('bucket', 'importedBucket'),
  backupBucket: ref('bucket'),
  rawBackupGlacierTransitionAfter: durationProp({ minSeconds: 0, maxSeconds: 3650 * DAYS, unit: 'days' }),
  bucketEncryptionKey: ref('key'),
  dataExpiration: durationProp({ minSeconds: DAYS, maxSeconds: 3650 * DAYS, unit: 'days' }),
  errorExpiration: durationProp({ minSeconds: DAYS, maxSeconds: 3650 * DAYS, unit: 'days' }),
  database: ref('database'),
  databaseName: GLUE_NAME,
  tableName: GLUE_NAME,
  bufferingInterval: durationProp({ minSeconds: 0, maxSeconds: 900, unit: 'seconds' }),
  bufferingSize: sizeProp(1, 128),
  outputFormat: fc.constantFrom(OutputFormat.PARQUET, OutputFormat.ORC, OutputFormat.JSON),
  jsonDeserializer: fc.constantFrom(JsonDeserializer.OPENX, JsonDeserializer.HIVE),
  compression: fc.constantFrom(
    firehose.Compression.GZIP,
    firehose.Compression.UNCOMPRESSED,
    firehose.Compression.SNAPPY,
  ),
  dataOutputPrefix: stringProp(
    fc.constantFrom(`data/${HOURLY_LAYOUT}`, `lake/logs/${HOURLY_LAYOUT}`, `${'d'.repeat(1000)}/${HOURLY_LAYOUT}`),
    1024,
  ),
  errorOutputPrefix: stringProp(
    fc.constantFrom(
      'errors/!{firehose:error-output-type}/',
      'failed/!{firehose:error-output-type}/!{timestamp:yyyy}/',
      // No fixed folder of its own: no default error expiry, and errorExpiration is refused.
      '!{firehose:error-output-type}/!{timestamp:yyyy}/',
    ),
    1024,
  ),
  transformBufferSize: fc.oneof(
    sizeProp(1, 3),
    fc.constantFrom(200, 205, 1, 1000, 3072, 3073).map((kib) => new SizeSpec('kibibytes', kib)),
  ),
  transformBufferInterval: durationProp({ minSeconds: 0, maxSeconds: 900, unit: 'seconds' }),
  logGroup: ref('logGroup'),
  removalPolicy: fc.constantFrom(RemovalPolicy.RETAIN, RemovalPolicy.DESTROY),
};

/** One option of the model, with a generated value: cases that reach a template. */
function oneOption(model: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(...Object.entries(model).map(([key, arb]) => arb.map((value) => ({ [key]: value }))));
}

/**
 * DataLakeDelivery in its three modes: no schema (JSON as written), a schema (conversion through
 * Glue), the reference transform; with the given options.
 */
function deliveryCase(
  name: string,
  runs: number,
  options: fc.Arbitrary<Record<string, unknown>>,
  combinations: boolean,
): FuzzCase {
  return {
    name,
    runs,
    combinations,
    props: fc.record({
      transform: fc.constantFrom('none', 'own', 'reference'),
      schema: fc.constantFrom('none', 'webLog', 'custom'),
      options,
    }),
    run: (stack, { transform, schema, options: chosen }) =>
      new DataLakeDelivery(stack, 'Fuzzed', {
        ...deliveryProps(build(stack, chosen)),
        ...(transform === 'own' ? { transform: testFunction(stack, 'Transform') } : {}),
        ...(transform === 'reference' ? { referenceTransform: true } : {}),
        ...(schema === 'webLog' ? { schema: TableSchema.WEB_LOG } : {}),
        ...(schema === 'custom' ? { schema: TableSchema.fromColumns([{ name: 'id', type: 'string' }]) } : {}),
        stream: new kinesis.Stream(stack, 'Stream'),
      }),
  };
}

/** StreamConsumer with its function (yours, or built from `entry`) and the given options. */
function consumerCase(
  name: string,
  runs: number,
  options: fc.Arbitrary<Record<string, unknown>>,
  combinations: boolean,
): FuzzCase {
  return {
    name,
    runs,
    combinations,
    props: fc.record({ fn: CONSUMER_FUNCTION, options }),
    run: (stack, { fn, options: chosen }) =>
      new StreamConsumer(stack, 'Fuzzed', {
        ...build(stack, { ...fn, ...chosen }),
        stream: new kinesis.Stream(stack, 'Stream'),
      }),
  };
}

function deliveryProps(props: any): any {
  const { partitioning, ...rest } = props;
  return {
    ...rest,
    ...(partitioning === undefined
      ? {}
      : {
          partitioning:
            partitioning === 'hourly'
              ? Partitioning.hourly()
              : partitioning === 'daily'
                ? Partitioning.daily()
                : Partitioning.hourly(partitioning),
        }),
  };
}

const EVALUATION = {
  period: durationProp({ minSeconds: 60, maxSeconds: DAYS, unit: 'minutes' }),
  evaluationPeriods: numberProp({ min: 1, max: 100 }),
  datapointsToAlarm: numberProp({ min: 1, max: 100 }),
};
const THRESHOLD_COUNT = numberProp({ min: 1, max: 1_000_000 });
const RATIO = numberProp({ min: 0.01, max: 1, integer: false });
const AGE = durationProp({ minSeconds: 1, maxSeconds: 23 * HOURS, unit: 'minutes' });

const MONITORING_PROPS = {
  alarmTopic: ref('topic'),
  unhealthyTopic: ref('topic'),
  alarmEmail: stringProp(fc.constantFrom('oncall@example.com', 'a.b+c@sub.example.org'), 254),
  createDashboard: fc.boolean(),
  dashboardName: stringProp(stringOf(`${ALNUM}_-`, 1, 255), 255),
};

export const FUZZ_CASES: readonly FuzzCase[] = [
  {
    name: 'ScalableStream',
    runs: 50,
    props: someOf(STREAM_PROPS),
    run: (stack, props) => new ScalableStream(stack, 'Fuzzed', build(stack, props)),
  },
  {
    name: 'ShardAutoScaler',
    runs: 30,
    props: fc.record({ stream: ref('stream', 'importedStream'), options: someOf(SCALER_OPTIONS) }),
    run: (stack, { stream, options }) =>
      new ShardAutoScaler(stack, 'Fuzzed', { ...build(stack, options), stream: build(stack, stream) }),
  },
  {
    name: 'ShardCapacityPlanner.plan',
    runs: 100,
    props: fc.record({ input: EXPECTED_TRAFFIC }),
    run: (stack, { input }) => ShardCapacityPlanner.plan(build(stack, input)),
    check: (plan: any) =>
      ['ingressShards', 'egressShards', 'totalShards'].flatMap((k) =>
        Number.isInteger(plan[k]) && plan[k] >= 0 ? [] : [`${k} is ${plan[k]}`],
      ),
  },
  consumerCase('StreamConsumer', 50, someOf(CONSUMER_OPTIONS), true),
  consumerCase('StreamConsumer, one option at a time', 40, oneOption(CONSUMER_OPTIONS), false),
  {
    name: 'ReferenceErrorAlertFunction',
    runs: 30,
    props: someOf({
      alertTopic: ref('topic'),
      timeout: LAMBDA_TIMEOUT,
      memorySize: MEMORY,
      logRetention: LOG_RETENTION,
    }),
    run: (stack, props) => new ReferenceErrorAlertFunction(stack, 'Fuzzed', build(stack, props)),
  },
  {
    name: 'ReferenceMinuteAggregatesFunction',
    runs: 30,
    props: someOf({
      metricsNamespace: stringProp(stringOf(`${ALNUM}./_#:-`, 1, 255), 255),
      serviceName: stringProp(stringOf(`${ALNUM}_-`, 1, 255), 1024),
      timeout: LAMBDA_TIMEOUT,
      memorySize: MEMORY,
      logRetention: LOG_RETENTION,
    }),
    run: (stack, props) => new ReferenceMinuteAggregatesFunction(stack, 'Fuzzed', build(stack, props)),
  },
  // Many options at once almost always include an invalid one (clear errors for conflicts);
  // one at a time reaches the templates.
  deliveryCase('DataLakeDelivery', 50, someOf(DELIVERY_OPTIONS), true),
  deliveryCase('DataLakeDelivery, one option at a time', 40, oneOption(DELIVERY_OPTIONS), false),
  {
    name: 'PipelineMonitoring.monitorStream',
    runs: 25,
    props: fc.record({
      props: someOf(MONITORING_PROPS),
      options: someOf({
        ...EVALUATION,
        displayName: stringProp(stringOf(ALNUM, 1, 40), 255),
        retentionPeriod: STREAM_RETENTION,
        iteratorAgeThreshold: AGE,
        writeThrottledRecordsThreshold: THRESHOLD_COUNT,
        readThrottledRequestsThreshold: THRESHOLD_COUNT,
        shardCount: numberProp({ min: 1, max: 10_000 }),
      }),
    }),
    run: (stack, { props, options }) =>
      new PipelineMonitoring(stack, 'Fuzzed', build(stack, props)).monitorStream(
        new kinesis.Stream(stack, 'Stream'),
        build(stack, options),
      ),
  },
  {
    name: 'PipelineMonitoring.monitorConsumer',
    runs: 25,
    props: fc.record({
      efo: fc.boolean(),
      options: someOf({
        ...EVALUATION,
        displayName: stringProp(stringOf(ALNUM, 1, 40), 255),
        retentionPeriod: STREAM_RETENTION,
        iteratorAgeThreshold: AGE,
        millisBehindLatestThreshold: AGE,
        errorsThreshold: THRESHOLD_COUNT,
        throttlesThreshold: THRESHOLD_COUNT,
        failureDestinationRecordsThreshold: THRESHOLD_COUNT,
        quarantinedRecordsThreshold: THRESHOLD_COUNT,
        droppedRecordsThreshold: THRESHOLD_COUNT,
        destinationDeliveryFailuresThreshold: THRESHOLD_COUNT,
        monitorFailureDestination: fc.boolean(),
        monitorQuarantine: fc.boolean(),
      }),
    }),
    run: (stack, { efo, options }) => {
      const stream = new kinesis.Stream(stack, 'Stream');
      const consumer = efo ? efoConsumer(stack, 'C', stream).consumer : standardConsumer(stack, 'C', stream).consumer;
      new PipelineMonitoring(stack, 'Fuzzed').monitorConsumer(consumer, build(stack, options));
    },
  },
  {
    name: 'PipelineMonitoring.monitorDelivery',
    runs: 25,
    props: fc.record({
      options: someOf({
        ...EVALUATION,
        displayName: stringProp(stringOf(ALNUM, 1, 40), 255),
        retentionPeriod: STREAM_RETENTION,
        dataFreshnessThreshold: durationProp({ minSeconds: 901, maxSeconds: 23 * HOURS, unit: 'seconds' }),
        deliveryToS3SuccessRatioThreshold: RATIO,
        executeProcessingSuccessRatioThreshold: RATIO,
        monitorProcessing: fc.boolean(),
        failedConversionRecordsThreshold: THRESHOLD_COUNT,
        monitorFormatConversion: fc.boolean(),
        kinesisMillisBehindLatestThreshold: AGE,
      }),
    }),
    run: (stack, { options }) => {
      const fake = delivery(stack, 'D', new kinesis.Stream(stack, 'Stream'));
      new PipelineMonitoring(stack, 'Fuzzed').monitorDelivery(fake.delivery, build(stack, options));
    },
  },
  {
    name: 'PipelineMonitoring.monitorAutoScaler',
    runs: 20,
    props: fc.record({
      options: someOf({
        ...EVALUATION,
        displayName: stringProp(stringOf(ALNUM, 1, 40), 255),
        errorsThreshold: THRESHOLD_COUNT,
      }),
    }),
    run: (stack, { options }) => {
      const fake = autoScaler(stack, 'A', new kinesis.Stream(stack, 'Stream'));
      new PipelineMonitoring(stack, 'Fuzzed').monitorAutoScaler(fake.scaler, build(stack, options));
    },
  },
  {
    name: 'RedriveFunction',
    runs: 40,
    props: someOf({
      sourcePrefix: stringProp(fc.constantFrom('', 'quarantine/', 'aws/lambda/'), 1024),
      ledgerPrefix: stringProp(fc.constantFrom('redrive-ledger/', 'ledger/', 'replays/ledger/'), 1024),
      readBackStreams: fc.array(ref('stream', 'importedStream'), { maxLength: 2 }),
      queue: ref('queue'),
      timeout: LAMBDA_TIMEOUT,
      memorySize: MEMORY,
      logRetention: LOG_RETENTION,
    }),
    run: (stack, props) =>
      new RedriveFunction(stack, 'Fuzzed', {
        ...build(stack, props),
        stream: new kinesis.Stream(stack, 'Stream'),
        failureBucket: new s3.Bucket(stack, 'FailureBucket'),
      }),
  },
  {
    name: 'StreamingPipeline',
    runs: 6,
    props: someOf({
      streamProps: someOf({
        retention: STREAM_RETENTION,
        streamMode: STREAM_PROPS.streamMode,
        initialShardCount: STREAM_PROPS.initialShardCount,
        streamName: STREAM_NAME,
      }),
      referenceConsumers: fc.boolean(),
      errorAlertTopic: ref('topic'),
      redrive: fc.boolean(),
      dataLake: fc.boolean(),
      dataLakeProps: someOf({
        bufferingInterval: DELIVERY_OPTIONS.bufferingInterval,
        databaseName: GLUE_NAME,
        tableName: GLUE_NAME,
      }),
      monitoring: fc.boolean(),
      monitoringProps: someOf({
        dashboardName: MONITORING_PROPS.dashboardName,
        alarmEmail: MONITORING_PROPS.alarmEmail,
      }),
      logRetention: LOG_RETENTION,
      bucketEncryptionKey: ref('key'),
    }),
    run: (stack, props) => new StreamingPipeline(stack, 'Fuzzed', build(stack, props)),
  },
  {
    name: 'StreamingChecks',
    runs: 50,
    props: someOf({
      toolkitTimeoutMargin: durationProp({ minSeconds: 0, maxSeconds: 900, unit: 'seconds' }),
      verbose: fc.boolean(),
      logIgnores: fc.boolean(),
      reports: fc.boolean(),
    }),
    run: (stack, props) => new StreamingChecks(stack, build(stack, props)),
    check: () => [],
  },
];
