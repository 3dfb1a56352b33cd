import { CfnOutput, Lazy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  ConsumerType,
  ReferenceErrorAlertFunction,
  ReferenceMinuteAggregatesFunction,
  StreamConsumer,
  type StreamConsumerOptions,
} from '../consumer';
import { DataLakeDelivery, type DataLakeDeliveryOptions } from '../delivery';
import { PipelineMonitoring, type PipelineMonitoringProps } from '../monitoring';
import { RedriveFunction } from '../redrive';
import { ScalableStream, type ScalableStreamProps } from '../stream';

export interface StreamingPipelineProps {
  /**
   * The stream.
   * @default - provisioned with a ShardAutoScaler, KMS-encrypted with the AWS-managed key, 24 h retention
   */
  readonly streamProps?: ScalableStreamProps;
  /**
   * Deploy the reference web-log consumers: a standard consumer that alerts on error lines (HTTP
   * 5xx, Apache error-log errors) and an enhanced fan-out consumer that publishes per-minute
   * aggregates. They read Apache log lines: turn them on only for such a stream.
   * @default false
   */
  readonly referenceConsumers?: boolean;
  /**
   * Receives the reference error-line alerts (at most one message per 5-minute window and stream).
   * @default - a topic of the reference error-alert function's own, not the alarm topic
   */
  readonly errorAlertTopic?: sns.ITopic;
  /**
   * Your own consumers of the stream, keyed by construct id (unique within the pipeline; also
   * the consumer's label on alarms and the key of `redriveFunctions`). Same as calling
   * `addConsumer(id, options)` for each.
   * @default - none
   */
  readonly consumers?: { [id: string]: StreamConsumerOptions };
  /**
   * Deploy a RedriveFunction per consumer, which replays the records kept in the consumer's
   * failure bucket (Lambda on-failure batches, quarantined records) onto the stream.
   * @default true
   */
  readonly redrive?: boolean;
  /**
   * Deliver the stream to the S3 data lake (Firehose, Hive prefixes, error prefix, source backup).
   * @default true
   */
  readonly dataLake?: boolean;
  /**
   * The data-lake delivery. Give a `schema` for a Glue table and Parquet files; add
   * `referenceTransform: true` and `TableSchema.WEB_LOG` for the reference web-log table.
   * @default - records as they arrive, GZIP-compressed JSON lines under hourly Hive prefixes in a new bucket; no Glue table, no transform
   */
  readonly dataLakeProps?: DataLakeDeliveryOptions;
  /**
   * Create alarms, the dashboard and the alarm topic for every part of the pipeline.
   * @default true
   */
  readonly monitoring?: boolean;
  /**
   * Alarm topic, email subscription and dashboard.
   * @default - a new KMS-encrypted topic and a dashboard
   */
  readonly monitoringProps?: PipelineMonitoringProps;
  /**
   * How long the log groups of the functions the pipeline creates keep their logs: the reference
   * consumers, the redrive functions, the shard autoscaler and consumers built from `entry`
   * (a consumer's or the autoscaler's own `logRetention` wins).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * A customer-managed KMS key for every bucket the pipeline creates: the data-lake bucket and the
   * consumers' failure buckets (not the lake's server access log bucket, which stays SSE-S3). A
   * bucket you pass in (`dataLakeProps.bucket`, a consumer's `failureBucket`) keeps its own
   * encryption, and a key given in `dataLakeProps` or a consumer's options wins. The roles that
   * write and read those buckets (Firehose, consumers, redrive) get the key actions they need.
   * @default - SSE-S3 (S3-managed keys)
   */
  readonly bucketEncryptionKey?: kms.IKey;
  /**
   * Emit the stack outputs that `npx cdk-kinesis-pipeline verify` and `produce` read: StreamName;
   * with the data lake DeliveryStreamName, DataBucketName, DataPrefix and PartitionKeys (and with
   * a schema GlueDatabaseName, GlueTableName, TableColumns); AlarmTopicArn with monitoring;
   * FailureBucketNames once there is a consumer. Their logical ids are the construct path plus a
   * hash, e.g. `PipelineStreamName1A2B3C4D`, which the CLI accepts. Turn off to name your own, or
   * when a stack holds several pipelines (the CLI then cannot tell them apart).
   * @default true
   */
  readonly stackOutputs?: boolean;
}

/**
 * An autoscaled, encrypted stream read by your poison-pill-safe consumers (standard or enhanced
 * fan-out, each with a redrive function), delivered to an S3 data lake (compressed JSON, or
 * Parquet through a Glue table when given a schema), watched by alarms, with the stack outputs
 * the CLI reads. Every part has safe defaults and can be overridden or turned off; nothing is
 * specific to a kind of data unless asked for (`referenceConsumers`, `referenceTransform`).
 */
export class StreamingPipeline extends Construct {
  /** The stream, a `kinesis.IStream`: `pipeline.stream.grantWrite(producer)`. */
  public readonly stream: ScalableStream;
  /** Every consumer of the stream, the reference ones first. */
  public readonly consumers: StreamConsumer[] = [];
  /** The reference standard consumer (error-line alerts), when referenceConsumers is on. */
  public readonly errorAlertConsumer?: StreamConsumer;
  /** The reference enhanced fan-out consumer (per-minute aggregates), when referenceConsumers is on. */
  public readonly aggregatesConsumer?: StreamConsumer;
  /** The redrive function of each consumer, keyed by the consumer's id, when redrive is on. */
  public readonly redriveFunctions: { [consumerId: string]: RedriveFunction } = {};
  /** The data-lake delivery, when dataLake is on. */
  public readonly dataLake?: DataLakeDelivery;
  /** Alarms, topic and dashboard, when monitoring is on. */
  public readonly monitoring?: PipelineMonitoring;
  private readonly redrive: boolean;
  private readonly logRetention?: logs.RetentionDays;
  private readonly stackOutputs: boolean;
  private readonly bucketEncryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: StreamingPipelineProps = {}) {
    super(scope, id);
    this.redrive = props.redrive ?? true;
    this.logRetention = props.logRetention;
    const logRetention = props.logRetention;
    this.stackOutputs = props.stackOutputs ?? true;
    this.bucketEncryptionKey = props.bucketEncryptionKey;

    const autoScalingOptions = props.streamProps?.autoScalingOptions;
    this.stream = new ScalableStream(this, 'Stream', {
      ...props.streamProps,
      autoScalingOptions: { ...autoScalingOptions, logRetention: autoScalingOptions?.logRetention ?? logRetention },
    });
    const stream = this.stream.stream;
    const streamRetention = this.stream.retention;

    if (props.monitoring ?? true) {
      this.monitoring = new PipelineMonitoring(this, 'Monitoring', props.monitoringProps);
    }

    if (props.referenceConsumers ?? false) {
      this.errorAlertConsumer = this.addConsumer('ErrorAlerts', {
        handler: new ReferenceErrorAlertFunction(this, 'ErrorAlertsFunction', {
          alertTopic: props.errorAlertTopic,
          logRetention,
        }),
        consumerType: ConsumerType.STANDARD,
      });
      this.aggregatesConsumer = this.addConsumer('MinuteAggregates', {
        handler: new ReferenceMinuteAggregatesFunction(this, 'MinuteAggregatesFunction', { logRetention }),
        consumerType: ConsumerType.ENHANCED_FAN_OUT,
      });
    }
    // Before 0.2 `consumers` was a list of props with an `id`; a JavaScript caller may still pass
    // one, whose indexes would silently become construct ids.
    if (Array.isArray(props.consumers)) {
      throw new Error(
        `consumers must be an object keyed by construct id, e.g. { Orders: { handler } }. Received a list of ${props.consumers.length}`,
      );
    }
    for (const [consumerId, options] of Object.entries(props.consumers ?? {})) {
      this.addConsumer(consumerId, options);
    }

    if (props.dataLake ?? true) {
      const lakeProps = props.dataLakeProps;
      this.dataLake = new DataLakeDelivery(this, 'DataLake', {
        ...lakeProps,
        bucketEncryptionKey:
          lakeProps?.bucketEncryptionKey ?? (lakeProps?.bucket ? undefined : props.bucketEncryptionKey),
        stream,
      });
      this.monitoring?.monitorDelivery(this.dataLake, { displayName: 'DataLake', retentionPeriod: streamRetention });
    }

    this.monitoring?.monitorStream(stream, { displayName: 'Stream', retentionPeriod: streamRetention });
    if (this.stream.autoScaler) {
      this.monitoring?.monitorAutoScaler(this.stream.autoScaler, { displayName: 'AutoScaler' });
    }
    if (this.stackOutputs) this.addStackOutputs();
  }

  /**
   * The outputs the CLI reads (packages/cli stack-outputs.ts names them): literal values where
   * `verify` compares them with the deployed resources (TableColumns, PartitionKeys, DataPrefix).
   */
  private addStackOutputs(): void {
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description: `cdk-kinesis-pipeline: ${description}` });
    output('StreamName', this.stream.streamName, 'the Kinesis stream');
    const lake = this.dataLake;
    if (lake) {
      output('DeliveryStreamName', lake.deliveryStream.deliveryStreamName, 'the Firehose delivery stream');
      output('DataBucketName', lake.bucket.bucketName, 'the data-lake bucket');
      output('DataPrefix', lake.tableLocationPrefix, 'the data root in the bucket');
      output('PartitionKeys', lake.partitioning.keys.map((k) => k.name).join(','), 'the Hive partition keys');
      if (lake.database && lake.table && lake.schema) {
        output('GlueDatabaseName', lake.database.databaseName, 'the Glue database');
        output('GlueTableName', lake.table.tableName, 'the Glue table');
        output(
          'TableColumns',
          lake.schema
            .toGlueColumns()
            .map((c) => `${c.name}:${c.type.inputString}`)
            .join(','),
          'the Glue table columns',
        );
      }
    }
    if (this.monitoring) output('AlarmTopicArn', this.monitoring.alarmTopic.topicArn, 'the alarm topic');
  }

  /**
   * Adds a consumer of the pipeline's stream (monitored when monitoring is on, with a
   * RedriveFunction when redrive is on).
   * @param id construct id of the consumer, unique within the pipeline; also its label on alarms
   *   and its key in `redriveFunctions`
   * @param options the consumer; the stream and its retention are the pipeline's
   */
  public addConsumer(id: string, options: StreamConsumerOptions): StreamConsumer {
    // The pipeline's log retention applies where the consumer creates the log group.
    const ownLogGroup = options.entry !== undefined && !options.handler && !options.functionProps?.logGroup;
    const consumer = new StreamConsumer(this, id, {
      streamRetention: this.stream.retention,
      ...options,
      logRetention: options.logRetention ?? (ownLogGroup ? this.logRetention : undefined),
      bucketEncryptionKey:
        options.bucketEncryptionKey ?? (options.failureBucket ? undefined : this.bucketEncryptionKey),
      stream: this.stream.stream,
    });
    this.consumers.push(consumer);
    // Consumers can be added after construction, so the list is rendered at synth; the output
    // exists once there is a consumer (CloudFormation rejects an empty output value).
    if (this.stackOutputs && this.consumers.length === 1) {
      new CfnOutput(this, 'FailureBucketNames', {
        value: Lazy.string({ produce: () => this.consumers.map((c) => c.failureBucket.bucketName).join(',') }),
        description: 'cdk-kinesis-pipeline: the failure buckets of the consumers',
      });
    }
    if (this.redrive) {
      this.redriveFunctions[id] = new RedriveFunction(this, `${id}Redrive`, {
        stream: this.stream.stream,
        failureBucket: consumer.failureBucket,
        logRetention: this.logRetention,
      });
    }
    this.monitoring?.monitorConsumer(consumer, {
      displayName: id,
      retentionPeriod: this.stream.retention,
      // Without the mapping's EventCount metrics there is no diverted-records metric to alarm on.
      monitorFailureDestination: options.eventCountMetrics ?? true,
    });
    return consumer;
  }
}
