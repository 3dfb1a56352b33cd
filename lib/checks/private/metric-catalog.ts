/**
 * The metrics Kinesis Data Streams, Firehose and Lambda publish, with the dimension sets they
 * publish them under. An alarm on any other name or dimension set watches a metric that never
 * receives data.
 * @see https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html
 * @see https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 */

/** A dimension set, as its sorted names joined by ','. '' is the set without dimensions. */
type DimensionSet = string;

interface MetricFamily {
  readonly names: readonly string[];
  /** Names matched by pattern instead (API-level and other-destination families). */
  readonly pattern?: RegExp;
  readonly dimensionSets: readonly DimensionSet[];
  /** For Firehose: the delivery stream feature without which the metric is never published. */
  readonly requires?: FirehoseFeature;
}

export type FirehoseFeature = 'conversion' | 'processing' | 'dynamicPartitioning' | 'backup' | 'kinesisSource';

const STREAM = 'StreamName';
const KINESIS: MetricFamily[] = [
  {
    // Basic stream-level metrics.
    names: [
      'GetRecords.Bytes',
      'GetRecords.IteratorAge',
      'GetRecords.IteratorAgeMilliseconds',
      'GetRecords.Latency',
      'GetRecords.Records',
      'GetRecords.Success',
      'IncomingBytes',
      'IncomingRecords',
      'PutRecord.Bytes',
      'PutRecord.Latency',
      'PutRecord.Success',
      'PutRecords.Bytes',
      'PutRecords.FailedRecords',
      'PutRecords.Latency',
      'PutRecords.Records',
      'PutRecords.Success',
      'PutRecords.SuccessfulRecords',
      'PutRecords.ThrottledRecords',
      'PutRecords.TotalRecords',
      'ReadProvisionedThroughputExceeded',
      'WriteProvisionedThroughputExceeded',
    ],
    dimensionSets: [STREAM],
  },
  {
    // Enhanced fan-out consumers: per stream and consumer.
    names: [
      'SubscribeToShard.RateExceeded',
      'SubscribeToShard.Success',
      'SubscribeToShardEvent.Bytes',
      'SubscribeToShardEvent.MillisBehindLatest',
      'SubscribeToShardEvent.Records',
      'SubscribeToShardEvent.Success',
    ],
    dimensionSets: ['ConsumerName,StreamName'],
  },
  {
    // Enhanced shard-level metrics (EnableEnhancedMonitoring): per stream and shard. Note that the
    // shard-level iterator age is IteratorAgeMilliseconds, the stream-level one GetRecords.IteratorAgeMilliseconds.
    names: [
      'IncomingBytes',
      'IncomingRecords',
      'IteratorAgeMilliseconds',
      'OutgoingBytes',
      'OutgoingRecords',
      'ReadProvisionedThroughputExceeded',
      'WriteProvisionedThroughputExceeded',
    ],
    dimensionSets: ['ShardId,StreamName'],
  },
];

const DELIVERY = 'DeliveryStreamName';
const FIREHOSE: MetricFamily[] = [
  {
    names: [
      'DeliveryToS3.Bytes',
      'DeliveryToS3.DataFreshness',
      'DeliveryToS3.Records',
      'DeliveryToS3.Success',
      'IncomingBytes',
      'IncomingPutRequests',
      'IncomingRecords',
      'BytesPerSecondLimit',
      'PutRequestsPerSecondLimit',
      'RecordsPerSecondLimit',
      'ThrottledRecords',
      'KMSKeyAccessDenied',
      'KMSKeyDisabled',
      'KMSKeyInvalidState',
      'KMSKeyNotFound',
    ],
    dimensionSets: [DELIVERY],
  },
  {
    names: ['BackupToS3.Bytes', 'BackupToS3.DataFreshness', 'BackupToS3.Records', 'BackupToS3.Success'],
    dimensionSets: [DELIVERY],
    requires: 'backup',
  },
  {
    names: [
      'DataReadFromKinesisStream.Bytes',
      'DataReadFromKinesisStream.Records',
      'KinesisMillisBehindLatest',
      'ThrottledDescribeStream',
      'ThrottledGetRecords',
      'ThrottledGetShardIterator',
    ],
    dimensionSets: [DELIVERY],
    requires: 'kinesisSource',
  },
  {
    names: [
      'ExecuteProcessing.Duration',
      'ExecuteProcessing.Success',
      'SucceedProcessing.Bytes',
      'SucceedProcessing.Records',
    ],
    dimensionSets: [DELIVERY],
    requires: 'processing',
  },
  {
    names: [
      'FailedConversion.Bytes',
      'FailedConversion.Records',
      'SucceedConversion.Bytes',
      'SucceedConversion.Records',
    ],
    dimensionSets: [DELIVERY],
    requires: 'conversion',
  },
  {
    names: [
      'DeliveryToS3.ObjectCount',
      'JQProcessing.Duration',
      'PartitionCount',
      'PartitionCountExceeded',
      'PerPartitionThroughput',
    ],
    dimensionSets: [DELIVERY],
    requires: 'dynamicPartitioning',
  },
  {
    // Other destinations and sources, per delivery stream.
    names: [],
    pattern:
      /^(DeliveryTo(Redshift|Elasticsearch|AmazonOpenSearchService|AmazonOpenSearchServerless|Splunk|HttpEndpoint|Snowflake|Iceberg)\.\w+|DataReadFromSource\.\w+|SourceThrottled\.Delay|KafkaOffsetLag|FailedValidation\.(Bytes|Records))$/,
    dimensionSets: [DELIVERY],
  },
  {
    // API-level metrics.
    names: [],
    pattern:
      /^(DescribeDeliveryStream|ListDeliveryStreams|PutRecord|PutRecordBatch|TagDeliveryStream|UntagDeliveryStream|ListTagsForDeliveryStream|StartDeliveryStreamEncryption|StopDeliveryStreamEncryption|UpdateDeliveryStream)\.(Bytes|Latency|Records|Requests)$/,
    dimensionSets: [DELIVERY, ''],
  },
];

/** Function metrics: across all functions, per function, per alias/version, per executed version. */
const PER_FUNCTION: DimensionSet[] = ['', 'FunctionName', 'FunctionName,Resource', 'ExecutedVersion,FunctionName'];
/** The event source mapping metrics turned on by MetricsConfig EventCount. */
export const ESM_EVENT_COUNT_METRICS = [
  'DeletedEventCount',
  'DroppedEventCount',
  'FailedInvokeEventCount',
  'FilteredOutEventCount',
  'InvokedEventCount',
  'OnFailureDestinationDeliveredEventCount',
  'PolledEventCount',
];
export const ESM_DIMENSION = 'EventSourceMappingUUID';
const LAMBDA: MetricFamily[] = [
  {
    names: [
      'AsyncEventAge',
      'AsyncEventsDropped',
      'AsyncEventsReceived',
      'ConcurrentExecutions',
      'DeadLetterErrors',
      'DestinationDeliveryFailures',
      'Duration',
      'Errors',
      'Invocations',
      'IteratorAge',
      'OffsetLag',
      'OversizedRecordCount',
      'PostRuntimeExtensionsDuration',
      'ProvisionedConcurrencyInvocations',
      'ProvisionedConcurrencySpilloverInvocations',
      'ProvisionedConcurrencyUtilization',
      'ProvisionedConcurrentExecutions',
      'RecursiveInvocationsDropped',
      'SignatureValidationErrors',
      'Throttles',
    ],
    dimensionSets: PER_FUNCTION,
  },
  { names: ['ClaimedAccountConcurrency', 'UnreservedConcurrentExecutions'], dimensionSets: [''] },
  { names: ESM_EVENT_COUNT_METRICS, dimensionSets: [ESM_DIMENSION] },
];

const CATALOG: Record<string, MetricFamily[]> = {
  'AWS/Kinesis': KINESIS,
  'AWS/Firehose': FIREHOSE,
  'AWS/Lambda': LAMBDA,
};

export function isCataloguedNamespace(namespace: string): boolean {
  return namespace in CATALOG;
}

export type MetricLookup =
  { readonly published: true; readonly requires?: FirehoseFeature } | { readonly published: false };

/** Whether `namespace` publishes `name` under exactly the dimension names given. */
export function lookupMetric(namespace: string, name: string, dimensionNames: readonly string[]): MetricLookup {
  const set = [...dimensionNames].sort().join(',');
  // Lambda's Kafka metric groups (ErrorCount, KafkaMetrics) are published per mapping under names
  // this catalog does not list: per mapping, a name is only refused when it is a function metric.
  if (namespace === 'AWS/Lambda' && set === ESM_DIMENSION && !LAMBDA.some((f) => f.names.includes(name))) {
    return { published: true };
  }
  for (const family of CATALOG[namespace] ?? []) {
    const named = family.names.includes(name) || (family.pattern?.test(name) ?? false);
    if (named && family.dimensionSets.includes(set)) return { published: true, requires: family.requires };
  }
  return { published: false };
}
