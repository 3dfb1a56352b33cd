import { Duration, Names, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  destinationDeliveryFailuresMetric,
  droppedEventCountMetric,
  iteratorAgeMetric,
  millisBehindLatestMetric,
  onFailureDestinationDeliveredEventCountMetric,
} from '../private/consumer-source-metrics';
import { checkLogRetention, functionLogging } from '../private/function-logs';
import { HANDLER_RUNTIME } from '../private/handler-runtime';
import { LAMBDA_MEMORY, checkNumber } from '../private/validation';
import { CONSUMER_ENV, CONSUMER_METRICS, TOOLKIT_TIMEOUT_MARGIN_SECONDS } from './consumer-metrics';
import { ConsumerType } from './consumer-type';
import { countEfoConsumers } from './private/efo-consumer-count';
import { createFailureBucket, grantQuarantineWrite } from './private/failure-bucket';
import { S3FailureDestination } from './private/s3-on-failure-destination';
import { knownStreamRetention } from './private/stream-retention';
import {
  validateConsumerName,
  validateEventSourceSettings,
  validateFailureHandling,
  validateFunctionTimeout,
} from './private/validate-stream-consumer';
import { STREAM_CONSUMER_DEFAULTS as DEFAULTS, STREAM_CONSUMER_LIMITS as LIMITS } from './stream-consumer-defaults';

/** Everything about a StreamConsumer except the stream it reads (for constructs that supply the stream). */
export interface StreamConsumerOptions {
  /**
   * Your function. Give `handler` or `entry`, not both. When it is a `lambda.Function`, the
   * construct sets the environment the runtime toolkit reads (see `toolkitEnvironment`), and its
   * timeout must be 10-900 seconds (set it: Lambda's default is 3 s), since the toolkit starts no
   * record in the last 5 seconds.
   * @default - none; `entry` is required then
   */
  readonly handler?: lambda.IFunction;
  /**
   * Path of your handler's source file, bundled by `NodejsFunction` (local esbuild) on Node.js 24.
   * @default - none; `handler` is required then
   */
  readonly entry?: string;
  /**
   * Extra settings of the function created from `entry`; not with `handler`. Its `timeout` must
   * be 10-900 seconds: the runtime toolkit starts no record in the last 5 seconds.
   * @default - NodejsFunction defaults, runtime NODEJS_24_X, timeout 1 minute or 30 ms per record of `batchSize` plus 5 s when that is more
   */
  readonly functionProps?: nodejs.NodejsFunctionProps;
  /**
   * How long the log group of the function built from `entry` keeps its logs (a
   * `logs.RetentionDays` value); not with `handler`, nor with `functionProps.logGroup`.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /** @default ConsumerType.STANDARD */
  readonly consumerType?: ConsumerType;
  /**
   * Name of the enhanced fan-out consumer (1-128 of a-zA-Z0-9_.-), and the `service` dimension
   * of the toolkit's metrics for both types.
   * @default - a name unique in the app, derived from the construct path
   */
  readonly consumerName?: string;
  /**
   * Records per invocation, 1-10000.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long to gather records before invoking, 0-300 seconds.
   * @default Duration.seconds(0)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Concurrent batches per shard, 1-10; order per partition key is kept.
   * @default 1
   */
  readonly parallelizationFactor?: number;
  /**
   * Where a new mapping starts reading. TRIM_HORIZON so that nothing already in the stream is skipped.
   * @default lambda.StartingPosition.TRIM_HORIZON
   */
  readonly startingPosition?: lambda.StartingPosition;
  /**
   * With AT_TIMESTAMP only (and then required): the start time, in Unix seconds.
   * @default - none
   */
  readonly startingPositionTimestamp?: number;
  /**
   * Event filtering patterns (`lambda.FilterCriteria.filter(...)`). Filtered-out records are
   * dropped by Lambda, not retried.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
   * @default - every record is delivered
   */
  // Same type as aws-cdk-lib's StreamEventSourceProps.filters (patterns are free-form JSON).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly filters?: Array<{ [key: string]: any }>;
  /**
   * Producers write KPL-aggregated records. Needs parallelizationFactor 1 and no filters: both
   * act on the aggregate, not on its user records. The runtime toolkit always de-aggregates.
   * @default false
   */
  readonly kplAggregated?: boolean;
  /**
   * Retries of a failing batch before it goes to the on-failure destination; -1 = until it
   * expires. Bisecting does not count. Range -1..10000.
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * Records older than this are sent to the on-failure destination instead of being processed.
   * 60 seconds to 7 days, and below the stream's retention; a literal (aws-cdk-lib cannot check a token).
   * @default - the stream retention minus 1 hour (at most 7 days)
   */
  readonly maxRecordAge?: Duration;
  /**
   * Never discard records by age (MaximumRecordAgeInSeconds -1). Not with `maxRecordAge`, nor
   * with `retryAttempts: -1`.
   * @default false
   */
  readonly infiniteRecordAge?: boolean;
  /**
   * Split a failing batch in two and retry each half, isolating the bad record.
   * @default true
   */
  readonly bisectBatchOnError?: boolean;
  /**
   * Let the function report the first failed record (the runtime toolkit does), so Lambda
   * retries from there instead of the whole batch. When false, the construct tells the toolkit
   * (REPORT_BATCH_ITEM_FAILURES=false in `toolkitEnvironment`) to fail the invocation instead:
   * Lambda would ignore the item failures and take the batch as a success.
   * @default true
   */
  readonly reportBatchItemFailures?: boolean;
  /**
   * The stream's retention period, to keep maxRecordAge below it.
   * @default - read from the stream when it is defined in this app, else 24 hours
   */
  readonly streamRetention?: Duration;
  /**
   * Bucket for Lambda's on-failure batches (full payload, under `aws/lambda/`) and, unless
   * `quarantineQueue` is set, for quarantined records (under `quarantinePrefix`).
   * @default - a new bucket: SSE-S3 (or SSE-KMS with `bucketEncryptionKey`), TLS only, public access blocked, versioned, objects expire after `failureRetention`
   */
  readonly failureBucket?: s3.IBucket;
  /**
   * Expiry of objects in the bucket the construct creates; not with `failureBucket`.
   * @default Duration.days(30)
   */
  readonly failureRetention?: Duration;
  /**
   * A customer-managed KMS key to encrypt the failure bucket the construct creates with (SSE-KMS,
   * S3 Bucket Keys on); not with `failureBucket`. The function's role gets kms:GenerateDataKey on
   * it for its on-failure and quarantine writes, only through S3 and for this bucket
   * (kms:ViaService, kms:EncryptionContext:aws:s3:arn); its key policy must allow IAM policies of
   * the account to grant it (as the default policy of `kms.Key` does).
   * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
   * @default - SSE-S3 (S3-managed keys)
   */
  readonly bucketEncryptionKey?: kms.IKey;
  /**
   * Key prefix of quarantined records in the failure bucket; not with `quarantineQueue`. A literal
   * folder ('…/', at most 1,024 characters) outside `aws/` and `redrive-ledger/`.
   * @default 'quarantine/'
   */
  readonly quarantinePrefix?: string;
  /**
   * Quarantine records into this queue (one QuarantineRecord JSON per message) instead of the
   * bucket. Messages are limited to 1 MiB; large records then retry: prefer the bucket.
   * @default - records are quarantined in the failure bucket
   */
  readonly quarantineQueue?: sqs.IQueue;
  /**
   * Notified (S3 event notification) of every object written to the failure bucket: failed
   * batches and quarantined records.
   * @default - no topic notification
   */
  readonly failureNotificationTopic?: sns.ITopic;
  /**
   * Like `failureNotificationTopic`, to a queue.
   * @default - no queue notification
   */
  readonly failureNotificationQueue?: sqs.IQueue;
  /**
   * Turn on the mapping's EventCount metrics (MetricsConfig), needed for
   * metricOnFailureDestinationDeliveredEventCount and metricDroppedEventCount. These are billed
   * as custom metrics.
   * @default true
   */
  readonly eventCountMetrics?: boolean;
}

export interface StreamConsumerProps extends StreamConsumerOptions {
  /** The stream to read; an imported stream (`Stream.fromStreamArn`) works too. */
  readonly stream: kinesis.IStream;
}

/**
 * A Lambda consumer of a Kinesis stream, standard (polling) or enhanced fan-out, with
 * poison-pill-safe defaults: partial batch responses, bisect on error, bounded retries and
 * record age, and an S3 on-failure destination that keeps the failed records' payload.
 * Pair it with `processKinesisBatch` from the runtime toolkit in the handler.
 */
export class StreamConsumer extends Construct {
  /** The consumer function (yours, or the one built from `entry`). */
  public readonly function: lambda.IFunction;
  /** The UUID of the event source mapping. */
  public readonly eventSourceMappingId: string;
  /** The ARN of the event source mapping. */
  public readonly eventSourceMappingArn: string;
  /** The registered enhanced fan-out consumer, for ENHANCED_FAN_OUT. */
  public readonly efoConsumer?: kinesis.StreamConsumer;
  /** Where failed batches (and, by default, quarantined records) are kept. */
  public readonly failureBucket: s3.IBucket;
  /** Standard (polling) or enhanced fan-out. */
  public readonly consumerType: ConsumerType;
  /** The EFO consumer name, and the `service` dimension of the toolkit metrics. */
  public readonly consumerName: string;
  /** The mapping's maximum record age; undefined when records never expire by age. */
  public readonly maxRecordAge?: Duration;
  /** The mapping's retry attempts; -1 retries until the record expires. */
  public readonly retryAttempts: number;
  /** The stream read. */
  public readonly stream: kinesis.IStream;
  /** Key prefix of quarantined records in the failure bucket (when quarantining to S3). */
  public readonly quarantinePrefix: string;
  /**
   * The environment the runtime toolkit reads. Set automatically on a `lambda.Function`; set it
   * yourself on a function you imported.
   */
  public readonly toolkitEnvironment: { [key: string]: string };

  private readonly eventCountMetrics: boolean;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    if ((props.handler === undefined) === (props.entry === undefined)) {
      throw new Error(
        `give handler or entry, exactly one. Received ${props.handler ? 'both handler and entry' : 'neither handler nor entry'}`,
      );
    }
    // Props that only shape what the construct creates would be ignored silently otherwise.
    if (props.handler && props.functionProps) {
      throw new Error(
        'functionProps only applies to the function built from entry; configure your handler directly. Received functionProps with handler',
      );
    }
    if (props.handler && props.logRetention !== undefined) {
      throw new Error(
        `logRetention only applies to the function built from entry; set the retention of your handler's log group. Received logRetention ${props.logRetention} with handler`,
      );
    }
    if (props.functionProps?.logGroup && props.logRetention !== undefined) {
      throw new Error(
        `logRetention sets the retention of the log group the construct creates; set it on functionProps.logGroup instead. Received logRetention ${props.logRetention} with functionProps.logGroup`,
      );
    }
    checkLogRetention('logRetention', props.logRetention);
    checkNumber('functionProps.memorySize', props.functionProps?.memorySize, LAMBDA_MEMORY);
    if (props.quarantineQueue && props.quarantinePrefix !== undefined) {
      throw new Error(
        `quarantinePrefix only applies when records are quarantined in the failure bucket, not with quarantineQueue. Received quarantinePrefix '${props.quarantinePrefix}' with quarantineQueue`,
      );
    }
    if (props.failureBucket && props.bucketEncryptionKey) {
      throw new Error(
        `bucketEncryptionKey encrypts the failure bucket the construct creates; set the encryption of your failureBucket instead. Received bucketEncryptionKey ${props.bucketEncryptionKey.node.path} with failureBucket`,
      );
    }
    if (props.failureBucket && props.failureRetention) {
      throw new Error(
        `failureRetention only applies to the failure bucket the construct creates; set the expiry on your failureBucket. Received failureRetention ${props.failureRetention.toHumanString()} with failureBucket`,
      );
    }
    this.stream = props.stream;
    this.consumerType = props.consumerType ?? ConsumerType.STANDARD;
    const enhancedFanOut = this.consumerType === ConsumerType.ENHANCED_FAN_OUT;
    this.consumerName =
      props.consumerName ?? Names.uniqueResourceName(this, { maxLength: LIMITS.maxConsumerNameLength });
    validateConsumerName(this.consumerName, enhancedFanOut);

    const startingPosition = props.startingPosition ?? DEFAULTS.startingPosition;
    validateEventSourceSettings({
      batchSize: props.batchSize,
      maxBatchingWindow: props.maxBatchingWindow,
      parallelizationFactor: props.parallelizationFactor,
      startingPosition,
      startingPositionTimestamp: props.startingPositionTimestamp,
      hasFilters: (props.filters?.length ?? 0) > 0,
      kplAggregated: props.kplAggregated ?? false,
    });

    const streamRetention = props.streamRetention ?? knownStreamRetention(props.stream) ?? DEFAULTS.streamRetention;
    const infiniteRecordAge = props.infiniteRecordAge ?? false;
    this.retryAttempts = props.retryAttempts ?? DEFAULTS.retryAttempts;
    validateFailureHandling({
      retryAttempts: this.retryAttempts,
      maxRecordAge: props.maxRecordAge,
      infiniteRecordAge,
      streamRetention,
      failureRetention: props.failureRetention,
    });
    this.maxRecordAge = infiniteRecordAge ? undefined : (props.maxRecordAge ?? defaultMaxRecordAge(streamRetention));

    if (enhancedFanOut) {
      const existing = countEfoConsumers(this, props.stream.streamArn);
      if (existing >= LIMITS.maxEfoConsumersPerStream) {
        throw new Error(
          `a stream can have at most ${LIMITS.maxEfoConsumersPerStream} enhanced fan-out consumers. Received consumer number ${existing + 1} on stream ${props.stream.node.path}`,
        );
      }
      this.efoConsumer = new kinesis.StreamConsumer(this, 'EfoConsumer', {
        stream: props.stream,
        streamConsumerName: this.consumerName,
      });
    }

    this.failureBucket =
      props.failureBucket ??
      createFailureBucket(
        this,
        'FailureBucket',
        props.failureRetention ?? DEFAULTS.failureRetention,
        props.bucketEncryptionKey,
      );
    this.quarantinePrefix = props.quarantinePrefix ?? DEFAULTS.quarantinePrefix;

    const batchSize = props.batchSize ?? DEFAULTS.batchSize;
    validateFunctionTimeout('functionProps.timeout', props.functionProps?.timeout, TOOLKIT_TIMEOUT_MARGIN_SECONDS);
    if (props.handler instanceof lambda.Function) {
      // A function without a timeout gets Lambda's 3 s, as short as one set to 3 s.
      const timeout = props.handler.timeout;
      validateFunctionTimeout(
        timeout ? 'handler timeout' : "handler timeout (unset: Lambda's default)",
        timeout ?? Duration.seconds(LIMITS.lambdaDefaultTimeoutSeconds),
        TOOLKIT_TIMEOUT_MARGIN_SECONDS,
      );
    }
    this.function = props.handler ?? this.createFunction(props, batchSize);

    const reportBatchItemFailures = props.reportBatchItemFailures ?? DEFAULTS.reportBatchItemFailures;
    this.toolkitEnvironment = {
      [CONSUMER_ENV.serviceName]: this.consumerName,
      [CONSUMER_ENV.metricsNamespace]: CONSUMER_METRICS.namespace,
      [CONSUMER_ENV.reportBatchItemFailures]: String(reportBatchItemFailures),
      ...(props.quarantineQueue
        ? { [CONSUMER_ENV.quarantineQueueUrl]: props.quarantineQueue.queueUrl }
        : {
            [CONSUMER_ENV.quarantineBucketName]: this.failureBucket.bucketName,
            [CONSUMER_ENV.quarantinePrefix]: this.quarantinePrefix,
          }),
    };
    if (this.function instanceof lambda.Function) {
      for (const [key, value] of Object.entries(this.toolkitEnvironment)) this.function.addEnvironment(key, value);
    }
    if (props.quarantineQueue) props.quarantineQueue.grantSendMessages(this.function);
    // Quarantined records only under quarantinePrefix; on-failure objects are granted by S3FailureDestination.
    else grantQuarantineWrite(this.failureBucket, this.function, this.quarantinePrefix);

    const onFailure = new S3FailureDestination(this.failureBucket);
    this.eventCountMetrics = props.eventCountMetrics ?? true;
    const sourceProps: sources.KinesisEventSourceProps = {
      startingPosition,
      startingPositionTimestamp: props.startingPositionTimestamp,
      batchSize,
      maxBatchingWindow: props.maxBatchingWindow,
      parallelizationFactor: props.parallelizationFactor ?? DEFAULTS.parallelizationFactor,
      filters: props.filters,
      retryAttempts: this.retryAttempts,
      maxRecordAge: this.maxRecordAge,
      bisectBatchOnError: props.bisectBatchOnError ?? DEFAULTS.bisectBatchOnError,
      reportBatchItemFailures,
      onFailure,
      metricsConfig: this.eventCountMetrics ? { metrics: [lambda.MetricType.EVENT_COUNT] } : undefined,
    };
    const source = this.efoConsumer
      ? new sources.KinesisConsumerEventSource(this.efoConsumer, sourceProps)
      : new sources.KinesisEventSource(props.stream, sourceProps);
    this.function.addEventSource(source);
    onFailure.acknowledgeObjectsGrant();
    this.eventSourceMappingId = source.eventSourceMappingId;
    this.eventSourceMappingArn = source.eventSourceMappingArn;
    if (infiniteRecordAge) {
      // The L2 cannot express -1; write it explicitly so that an update from a bounded age resets it.
      this.cfnEventSourceMapping().addPropertyOverride('MaximumRecordAgeInSeconds', -1);
    }

    if (props.failureNotificationTopic) {
      this.failureBucket.addEventNotification(
        s3.EventType.OBJECT_CREATED,
        new s3n.SnsDestination(props.failureNotificationTopic),
      );
    }
    if (props.failureNotificationQueue) {
      this.failureBucket.addEventNotification(
        s3.EventType.OBJECT_CREATED,
        new s3n.SqsDestination(props.failureNotificationQueue),
      );
    }
  }

  /**
   * The function built from `entry`: its own log group (retention `logRetention`) and, unless
   * functionProps gives a role, a role that may write only to that log group (no
   * AWSLambdaBasicExecutionRole, which may write to every log group of the account).
   */
  private createFunction(props: StreamConsumerProps, batchSize: number): lambda.Function {
    const logging = props.functionProps?.logGroup
      ? undefined
      : functionLogging(this, '', { retention: props.logRetention, role: props.functionProps?.role });
    return new nodejs.NodejsFunction(this, 'Resource', {
      runtime: HANDLER_RUNTIME,
      timeout: defaultFunctionTimeout(batchSize),
      ...props.functionProps,
      role: logging?.role ?? props.functionProps?.role,
      logGroup: logging?.logGroup ?? props.functionProps?.logGroup,
      entry: props.entry,
    });
  }

  /** AWS/Lambda IteratorAge of the function: age of the last record read, in ms. Maximum over 5 minutes. */
  public metricIteratorAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return iteratorAgeMetric(this.function, props);
  }

  /** AWS/Lambda Errors of the function. Sum over 5 minutes. */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }

  /** AWS/Lambda Throttles of the function. Sum over 5 minutes. */
  public metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricThrottles(props);
  }

  /**
   * AWS/Lambda OnFailureDestinationDeliveredEventCount of the mapping (dimension
   * EventSourceMappingUUID): records sent to the on-failure destination. Sum over 5 minutes.
   * Published only with the mapping's EventCount metrics (`eventCountMetrics`, on by default).
   */
  public metricOnFailureDestinationDeliveredEventCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.eventCountMetrics) {
      throw new Error(
        `metricOnFailureDestinationDeliveredEventCount needs eventCountMetrics: Lambda publishes it only with the EventCount MetricsConfig. Received eventCountMetrics false on ${this.node.path}`,
      );
    }
    return onFailureDestinationDeliveredEventCountMetric(this.eventSourceMappingId, props);
  }

  /**
   * AWS/Lambda DroppedEventCount of the mapping (dimension EventSourceMappingUUID): records
   * discarded without reaching the on-failure destination, i.e. lost. Sum over 5 minutes.
   * Published only with the mapping's EventCount metrics (`eventCountMetrics`, on by default).
   */
  public metricDroppedEventCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.eventCountMetrics) {
      throw new Error(
        `metricDroppedEventCount needs eventCountMetrics: Lambda publishes it only with the EventCount MetricsConfig. Received eventCountMetrics false on ${this.node.path}`,
      );
    }
    return droppedEventCountMetric(this.eventSourceMappingId, props);
  }

  /**
   * AWS/Lambda DestinationDeliveryFailures of the function: failed writes to the on-failure
   * destination (the records are then dropped). Sum over 5 minutes.
   */
  public metricDestinationDeliveryFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return destinationDeliveryFailuresMetric(this.function, props);
  }

  /**
   * Records the runtime toolkit quarantined: CdkKinesisPipeline RecordsQuarantined with
   * dimension service = consumerName (EMF via Powertools Metrics). Sum over 5 minutes.
   */
  public metricRecordsQuarantined(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.toolkitMetric(CONSUMER_METRICS.recordsQuarantined, props);
  }

  /** Records the runtime toolkit processed (CdkKinesisPipeline RecordsProcessed). Sum over 5 minutes. */
  public metricRecordsProcessed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.toolkitMetric(CONSUMER_METRICS.recordsProcessed, props);
  }

  /** Records left for Lambda to retry after a transient failure (CdkKinesisPipeline RecordsRetried). Sum over 5 minutes. */
  public metricRecordsRetried(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.toolkitMetric(CONSUMER_METRICS.recordsRetried, props);
  }

  /**
   * AWS/Kinesis SubscribeToShardEvent.MillisBehindLatest of the enhanced fan-out consumer
   * (dimensions StreamName, ConsumerName). Maximum over 5 minutes. EFO consumers only.
   */
  public metricMillisBehindLatest(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.efoConsumer) {
      throw new Error(
        `metricMillisBehindLatest is only available for ENHANCED_FAN_OUT consumers. Received consumerType ${this.consumerType} on ${this.node.path}`,
      );
    }
    return millisBehindLatestMetric(this.stream.streamName, this.efoConsumer.streamConsumerName, props);
  }

  /** The mapping's L1, which the event source creates under the function. */
  private cfnEventSourceMapping(): lambda.CfnEventSourceMapping {
    const mapping = this.function.node
      .findAll()
      .find(
        (c): c is lambda.EventSourceMapping =>
          c instanceof lambda.EventSourceMapping && c.eventSourceMappingId === this.eventSourceMappingId,
      );
    return mapping!.node.defaultChild as lambda.CfnEventSourceMapping;
  }

  private toolkitMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: CONSUMER_METRICS.namespace,
      metricName,
      dimensionsMap: { [CONSUMER_METRICS.serviceDimension]: this.consumerName },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }
}

/**
 * A timeout suited to the batch: 1 minute, or 30 ms per record plus the toolkit's margin when that
 * is more, at most Lambda's 15 minutes. An unresolved batch size counts as the largest one.
 */
function defaultFunctionTimeout(batchSize: number): Duration {
  const records = Token.isUnresolved(batchSize) ? LIMITS.maxBatchSize : batchSize;
  const seconds =
    Math.ceil((records * DEFAULTS.functionTimeoutPerRecordMillis) / 1000) + TOOLKIT_TIMEOUT_MARGIN_SECONDS;
  return Duration.seconds(
    Math.min(LIMITS.maxFunctionTimeoutSeconds, Math.max(DEFAULTS.minFunctionTimeoutSeconds, seconds)),
  );
}

/** Retention minus a margin, within Lambda's 60 s..7 days; an unresolved retention counts as the 24 h default. */
function defaultMaxRecordAge(retention: Duration): Duration {
  if (retention.isUnresolved()) return defaultMaxRecordAge(DEFAULTS.streamRetention);
  const seconds = Math.min(
    LIMITS.maxRecordAgeSeconds,
    retention.toSeconds() - DEFAULTS.recordAgeMarginBelowRetention.toSeconds(),
  );
  return Duration.seconds(Math.max(LIMITS.minRecordAgeSeconds, seconds));
}
