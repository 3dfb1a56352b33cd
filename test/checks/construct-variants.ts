/**
 * One app holding our constructs in the variants the test suite synthesizes, to check them all
 * with StreamingChecks in one synthesis.
 */
import * as path from 'node:path';
import { Duration, Stack, Validations, type App } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ReferencePipelineStack } from '../../bin/reference-pipeline-stack';
import {
  ColumnType,
  ConsumerType,
  DataLakeDelivery,
  JsonDeserializer,
  OutputFormat,
  PartitionKey,
  Partitioning,
  PipelineMonitoring,
  ScalableStream,
  StreamConsumer,
  StreamingChecks,
  StreamingPipeline,
  TableSchema,
} from '../../lib';
import { createTestApp } from '../support/app';

const ENTRY = path.join(__dirname, '..', 'consumer', 'support', 'sample-handler.ts');

/** Stack ids of the app, for the known-defects table. */
export const STACKS = {
  stream: 'Checks-ScalableStream',
  consumer: 'Checks-StreamConsumer',
  delivery: 'Checks-DataLakeDelivery',
  monitoring: 'Checks-PipelineMonitoring',
  pipeline: 'Checks-StreamingPipeline',
  reference: 'Checks-Reference',
} as const;

export function constructVariantsApp(): App {
  // Only StreamingChecks' findings are read here: aws-cdk-lib's own template validation (most of
  // the synthesis time) runs in the other tests of these constructs.
  const app = createTestApp({ builtinValidation: false });
  Validations.of(app).addPlugins(new StreamingChecks(app));

  const streams = new Stack(app, STACKS.stream);
  new ScalableStream(streams, 'Provisioned');
  new ScalableStream(streams, 'OnDemand', { streamMode: kinesis.StreamMode.ON_DEMAND });
  new ScalableStream(streams, 'Planned', {
    expectedTraffic: { recordsPerSecond: 2_000, averageRecordSizeBytes: 1_500, efoConsumers: 1 },
    retention: Duration.days(7),
  });

  const consumers = new Stack(app, STACKS.consumer);
  const consumed = new ScalableStream(consumers, 'Stream', { autoScaling: false }).stream;
  new StreamConsumer(consumers, 'Standard', { stream: consumed, entry: ENTRY });
  new StreamConsumer(consumers, 'EnhancedFanOut', {
    stream: consumed,
    consumerType: ConsumerType.ENHANCED_FAN_OUT,
    handler: new lambda.Function(consumers, 'EfoHandler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] })'),
      timeout: Duration.minutes(1),
    }),
  });

  const deliveries = new Stack(app, STACKS.delivery);
  const delivered = new ScalableStream(deliveries, 'Stream', { autoScaling: false }).stream;
  new DataLakeDelivery(deliveries, 'Parquet', { stream: delivered, referenceTransform: true });
  new DataLakeDelivery(deliveries, 'SchemaOnly', {
    stream: delivered,
    schema: TableSchema.fromColumns([
      { name: 'order_id', type: ColumnType.STRING },
      { name: 'amount', type: ColumnType.decimalOf(10, 2) },
    ]),
  });
  new DataLakeDelivery(deliveries, 'Orc', {
    stream: delivered,
    referenceTransform: true,
    outputFormat: OutputFormat.ORC,
    jsonDeserializer: JsonDeserializer.HIVE,
  });
  new DataLakeDelivery(deliveries, 'Json', { stream: delivered, outputFormat: OutputFormat.JSON });
  new DataLakeDelivery(deliveries, 'Dynamic', {
    stream: delivered,
    referenceTransform: true,
    partitioning: Partitioning.hourly({
      recordFields: [
        PartitionKey.fromRecordField('kind', { field: 'log_type', values: ['access', 'error', 'unparsed'] }),
      ],
    }),
  });
  new DataLakeDelivery(deliveries, 'Daily', {
    stream: delivered,
    referenceTransform: true,
    partitioning: Partitioning.daily({ startYear: 2024 }),
  });
  new DataLakeDelivery(deliveries, 'ImportedStream', {
    stream: kinesis.Stream.fromStreamArn(deliveries, 'Imported', 'arn:aws:kinesis:eu-west-1:111111111111:stream/logs'),
  });

  const monitored = new Stack(app, STACKS.monitoring);
  const monitoredStream = new ScalableStream(monitored, 'Stream');
  const monitoring = new PipelineMonitoring(monitored, 'Monitoring', { alarmEmail: 'oncall@example.com' });
  monitoring.monitorStream(monitoredStream.stream);
  monitoring.monitorAutoScaler(monitoredStream.autoScaler!);
  monitoring.monitorConsumer(
    new StreamConsumer(monitored, 'Consumer', {
      stream: monitoredStream.stream,
      consumerType: ConsumerType.ENHANCED_FAN_OUT,
      entry: ENTRY,
      functionProps: { timeout: Duration.minutes(1) },
    }),
  );
  monitoring.monitorDelivery(
    new DataLakeDelivery(monitored, 'JsonDelivery', {
      stream: monitoredStream.stream,
      outputFormat: OutputFormat.JSON,
    }),
  );

  const pipelines = new Stack(app, STACKS.pipeline);
  new StreamingPipeline(pipelines, 'OnDemand', {
    streamProps: { streamMode: kinesis.StreamMode.ON_DEMAND },
    referenceConsumers: true,
    dataLakeProps: { schema: TableSchema.WEB_LOG, referenceTransform: true, outputFormat: OutputFormat.ORC },
  });
  // What a team gets with no props: it must pass the pack too.
  new StreamingPipeline(pipelines, 'NoProps');

  new ReferencePipelineStack(app, STACKS.reference);
  return app;
}
