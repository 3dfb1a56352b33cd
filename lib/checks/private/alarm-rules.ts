import { ERROR, NOT_APPLICABLE, compliantIf, type StreamingRule } from './rule';
import {
  ESM_DIMENSION,
  ESM_EVENT_COUNT_METRICS,
  isCataloguedNamespace,
  lookupMetric,
  type FirehoseFeature,
} from './metric-catalog';
import { asArray, asBoolean, field, isObject, type StackTemplate, type TemplateResource } from './template';

const ALARM = ['AWS::CloudWatch::Alarm'];

interface AlarmMetric {
  readonly namespace: unknown;
  readonly name: unknown;
  readonly dimensions: ReadonlyArray<{ readonly name: unknown; readonly value: unknown }>;
}

/** The metrics an alarm watches: its own, or the MetricStat metrics of a metric-math alarm. */
function metricsOf(alarm: TemplateResource): AlarmMetric[] {
  const p = alarm.properties;
  const metric = (m: Record<string, unknown>): AlarmMetric => ({
    namespace: m.Namespace,
    name: m.MetricName,
    dimensions: asArray(m.Dimensions).map((d) => ({ name: field(d, 'Name'), value: field(d, 'Value') })),
  });
  if (p.MetricName !== undefined || p.Namespace !== undefined) return [metric(p)];
  return asArray(p.Metrics)
    .map((m) => field(m, 'MetricStat', 'Metric'))
    .filter(isObject)
    .map(metric);
}

function dimensionValue(metric: AlarmMetric, name: string): unknown {
  return metric.dimensions.find((d) => d.name === name)?.value;
}

/** Whether a delivery stream has what makes Firehose publish a metric family; undefined when unknown. */
function firehoseHas(stream: TemplateResource, feature: FirehoseFeature): boolean | undefined {
  const p = stream.properties;
  if (feature === 'kinesisSource') return (p.DeliveryStreamType ?? 'DirectPut') === 'KinesisStreamAsSource';
  if (feature === 'processing') {
    // Any destination may have a processing configuration; ExecuteProcessing.* is about Lambda processors.
    return Object.values(p).some((destination) => {
      const processing = field(destination, 'ProcessingConfiguration');
      if (!isObject(processing) || asBoolean(processing.Enabled) === false) return false;
      return asArray(processing.Processors).some((processor) => field(processor, 'Type') === 'Lambda');
    });
  }
  const s3 = p.ExtendedS3DestinationConfiguration;
  if (!isObject(s3)) return undefined;
  switch (feature) {
    case 'conversion': {
      const conversion = s3.DataFormatConversionConfiguration;
      return isObject(conversion) && asBoolean(conversion.Enabled) !== false;
    }
    case 'dynamicPartitioning':
      return asBoolean(field(s3, 'DynamicPartitioningConfiguration', 'Enabled')) === true;
    case 'backup':
      return s3.S3BackupMode === 'Enabled';
  }
}

export const ALARM_RULES: StreamingRule[] = [
  {
    id: 'AlarmEsmMetricsConfig',
    level: ERROR,
    info: 'The alarm watches an event source mapping metric that the mapping does not publish (no MetricsConfig with EventCount).',
    explanation:
      'Lambda publishes PolledEventCount, OnFailureDestinationDeliveredEventCount, DroppedEventCount and the other event-count metrics of a mapping (dimension EventSourceMappingUUID) only when the mapping has MetricsConfig Metrics [EventCount]. Without it the alarm never receives data and never fires. See the Lambda documentation "Types of metrics for Lambda functions" (event source mapping metrics).',
    docs: 'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics',
    resourceTypes: ALARM,
    evaluate: (alarm, template) => {
      const mappings = metricsOf(alarm)
        .filter((m) => m.namespace === 'AWS/Lambda' && ESM_EVENT_COUNT_METRICS.includes(m.name as string))
        .map((m) => template.target(dimensionValue(m, ESM_DIMENSION), 'AWS::Lambda::EventSourceMapping'))
        .filter((esm): esm is TemplateResource => esm !== undefined);
      if (mappings.length === 0) return NOT_APPLICABLE;
      return compliantIf(
        mappings.every((esm) => asArray(field(esm.properties, 'MetricsConfig', 'Metrics')).includes('EventCount')),
      );
    },
  },
  {
    id: 'AlarmMetricPublished',
    level: ERROR,
    info: 'The alarm watches an AWS/Kinesis, AWS/Firehose or AWS/Lambda metric under a name or dimension set the service does not publish (for this resource).',
    explanation:
      'An alarm on a metric that is never published stays in INSUFFICIENT_DATA (or OK with missing data treated as not breaching) and never notifies. Common slips: IteratorAgeMilliseconds (shard level, needs ShardId) instead of GetRecords.IteratorAgeMilliseconds per stream, SubscribeToShardEvent metrics without ConsumerName, mapping metrics under FunctionName, FailedConversion.* on a delivery stream without format conversion, ExecuteProcessing.* without a Lambda processor. See the Kinesis Data Streams documentation "Monitor the Amazon Kinesis Data Streams service with Amazon CloudWatch", the Firehose documentation "Monitor Amazon Data Firehose with CloudWatch metrics" and the Lambda documentation "Types of metrics for Lambda functions".',
    docs: 'https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html',
    resourceTypes: ALARM,
    evaluate: (alarm, template) => {
      const checked = metricsOf(alarm).filter(
        (m) =>
          typeof m.namespace === 'string' &&
          isCataloguedNamespace(m.namespace) &&
          typeof m.name === 'string' &&
          m.dimensions.every((d) => typeof d.name === 'string'),
      );
      if (checked.length === 0) return NOT_APPLICABLE;
      return compliantIf(checked.every((m) => isPublished(m, template)));
    },
  },
];

function isPublished(m: AlarmMetric, template: StackTemplate): boolean {
  const found = lookupMetric(
    m.namespace as string,
    m.name as string,
    m.dimensions.map((d) => d.name as string),
  );
  if (!found.published) return false;
  if (!found.requires) return true;
  const stream = template.target(dimensionValue(m, 'DeliveryStreamName'), 'AWS::KinesisFirehose::DeliveryStream');
  return stream ? firehoseHas(stream, found.requires) !== false : true;
}
