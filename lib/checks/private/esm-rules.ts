import { NagRuleCompliance } from 'cdk-nag';
import { CONSUMER_ENV, CONSUMER_METRICS } from '../../consumer/consumer-metrics';
import { ERROR, NOT_APPLICABLE, WARN, compliantIf, type CheckSettings, type StreamingRule } from './rule';
import {
  asArray,
  asBoolean,
  asNumber,
  field,
  flatten,
  isIntrinsic,
  isObject,
  type StackTemplate,
  type TemplateResource,
} from './template';

const ESM = ['AWS::Lambda::EventSourceMapping'];
const ERROR_HANDLING_DOC = 'https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html';
const PARAMETERS_DOC = 'https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html';

/** Lambda's limits on MaximumRecordAgeInSeconds (-1 = never) and MaximumRetryAttempts (-1 = forever). */
const MIN_RECORD_AGE_SECONDS = 60;
const MAX_RECORD_AGE_SECONDS = 604_800;
const MAX_RETRY_ATTEMPTS = 10_000;
/** Kinesis' default retention, when the stream does not set RetentionPeriodHours. */
const DEFAULT_RETENTION_HOURS = 24;
/** Lambda's default function timeout. @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html */
const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 3;

interface KinesisSource {
  /** The stream, when it is defined in this stack. */
  readonly stream?: TemplateResource;
}

/**
 * The Kinesis stream a mapping reads (directly or through an enhanced fan-out consumer); undefined
 * when the source is not Kinesis (or cannot be told), and the mapping rules do not apply.
 */
export function kinesisSourceOf(esm: TemplateResource, template: StackTemplate): KinesisSource | undefined {
  const arn = esm.properties.EventSourceArn;
  const target = template.target(arn);
  if (target?.type === 'AWS::Kinesis::Stream') return { stream: target };
  if (target?.type === 'AWS::Kinesis::StreamConsumer') {
    return { stream: template.target(target.properties.StreamARN, 'AWS::Kinesis::Stream') };
  }
  if (target) return undefined;
  return flatten(arn)?.includes(':kinesis:') ? {} : undefined;
}

function retentionSecondsOf(stream: TemplateResource | undefined): number | undefined {
  if (!stream) return undefined;
  const hours = stream.properties.RetentionPeriodHours;
  if (hours === undefined) return DEFAULT_RETENTION_HOURS * 3600;
  const n = asNumber(hours);
  return n === undefined ? undefined : n * 3600;
}

/** Evaluates `check` on Kinesis mappings only. */
function onKinesisMapping(
  check: (
    esm: TemplateResource,
    source: KinesisSource,
    template: StackTemplate,
    settings: CheckSettings,
  ) => NagRuleCompliance,
): StreamingRule['evaluate'] {
  return (esm, template, settings) => {
    const source = kinesisSourceOf(esm, template);
    return source ? check(esm, source, template, settings) : NOT_APPLICABLE;
  };
}

function onFailureDestination(esm: TemplateResource): unknown {
  const destination = field(esm.properties, 'DestinationConfig', 'OnFailure', 'Destination');
  return destination === '' ? undefined : destination;
}

export const ESM_RULES: StreamingRule[] = [
  {
    id: 'EsmBisectOnError',
    level: WARN,
    info: 'The Kinesis event source mapping does not split a failing batch (BisectBatchOnFunctionError).',
    explanation:
      'Without bisecting, a batch that makes the function fail is retried whole, and once retries or record age run out every record of it, the healthy ones too, goes to the on-failure destination unprocessed. With BisectBatchOnFunctionError Lambda splits the batch to isolate the bad record, and splits do not count as retries. See the Lambda documentation "Retain discarded batch records for a Kinesis Data Streams event source".',
    docs: ERROR_HANDLING_DOC,
    resourceTypes: ESM,
    evaluate: onKinesisMapping((esm) => {
      const v = esm.properties.BisectBatchOnFunctionError;
      return v === undefined ? NagRuleCompliance.NON_COMPLIANT : compliantIf(asBoolean(v));
    }),
  },
  {
    id: 'EsmRetryAttempts',
    level: ERROR,
    info: 'The Kinesis event source mapping retries a failing batch without limit (MaximumRetryAttempts unset or -1).',
    explanation:
      "For Kinesis sources MaximumRetryAttempts defaults to -1: one record that always fails blocks its shard until it expires from the stream, and the records behind it age with it. Set 0-10000 so that the batch goes to the on-failure destination instead. See the Lambda documentation 'Retain discarded batch records for a Kinesis Data Streams event source' and 'Lambda parameters for Kinesis Data Streams event source mappings'.",
    docs: PARAMETERS_DOC,
    resourceTypes: ESM,
    evaluate: onKinesisMapping((esm) => {
      const v = esm.properties.MaximumRetryAttempts;
      if (v === undefined) return NagRuleCompliance.NON_COMPLIANT;
      const n = asNumber(v);
      return compliantIf(n === undefined ? undefined : Number.isInteger(n) && n >= 0 && n <= MAX_RETRY_ATTEMPTS);
    }),
  },
  {
    id: 'EsmRecordAge',
    level: ERROR,
    info: "The Kinesis event source mapping does not discard records before the stream's retention ends (MaximumRecordAgeInSeconds unset, -1, or at least the retention).",
    explanation:
      "When Lambda cannot invoke the function (throttling, a missing permission) it retries until the records exceed MaximumRecordAgeInSeconds or expire from the stream, whatever MaximumRetryAttempts says. Records that expire first are lost without reaching the on-failure destination. Set 60-604800 seconds, below the stream's retention (24 h unless RetentionPeriodHours says otherwise). See the Lambda documentation 'Retain discarded batch records for a Kinesis Data Streams event source'.",
    docs: ERROR_HANDLING_DOC,
    resourceTypes: ESM,
    evaluate: onKinesisMapping((esm, source) => {
      const v = esm.properties.MaximumRecordAgeInSeconds;
      if (v === undefined) return NagRuleCompliance.NON_COMPLIANT;
      const n = asNumber(v);
      if (n === undefined) return NOT_APPLICABLE;
      const retention = retentionSecondsOf(source.stream);
      return compliantIf(
        n >= MIN_RECORD_AGE_SECONDS && n <= MAX_RECORD_AGE_SECONDS && (retention === undefined || n < retention),
      );
    }),
  },
  {
    id: 'EsmOnFailureDestination',
    level: ERROR,
    info: 'The Kinesis event source mapping has no on-failure destination: batches that exhaust their retries are discarded.',
    explanation:
      'After MaximumRetryAttempts or MaximumRecordAgeInSeconds Lambda moves on from a failing batch; without DestinationConfig.OnFailure nothing records which records were skipped. An S3 bucket keeps the whole batch. See the Lambda documentation "Retain discarded batch records for a Kinesis Data Streams event source".',
    docs: ERROR_HANDLING_DOC,
    resourceTypes: ESM,
    evaluate: onKinesisMapping((esm) => compliantIf(onFailureDestination(esm) !== undefined)),
  },
  {
    id: 'EsmOnFailureMetadataOnly',
    level: WARN,
    info: 'The on-failure destination of the Kinesis event source mapping is an SQS queue or SNS topic, which receive metadata only.',
    explanation:
      "Lambda sends SQS and SNS destinations only the batch's metadata (shard, sequence number range); the records themselves must be read back from the stream before its retention ends, or they are lost. An S3 destination receives the whole invocation record with the payload. See the Lambda documentation 'Retain discarded batch records for a Kinesis Data Streams event source'.",
    docs: ERROR_HANDLING_DOC,
    resourceTypes: ESM,
    evaluate: onKinesisMapping((esm, _source, template) => {
      const destination = onFailureDestination(esm);
      if (destination === undefined) return NOT_APPLICABLE;
      const target = template.target(destination);
      if (target) return compliantIf(!['AWS::SQS::Queue', 'AWS::SNS::Topic'].includes(target.type));
      const arn = flatten(destination) ?? '';
      if (/:(sqs|sns):/.test(arn)) return NagRuleCompliance.NON_COMPLIANT;
      return /:s3:/.test(arn) ? NagRuleCompliance.COMPLIANT : NOT_APPLICABLE;
    }),
  },
  {
    id: 'EsmReportBatchItemFailures',
    level: ERROR,
    info: 'The Kinesis event source mapping ignores partial batch responses (FunctionResponseTypes lacks ReportBatchItemFailures).',
    explanation:
      'Without ReportBatchItemFailures Lambda does not read the batchItemFailures a handler returns: a batch whose handler reports a failed record (as the runtime toolkit does) counts as a success and the failed records are skipped; a handler that throws instead has the whole batch retried. See the Lambda documentation "Configuring partial batch response with Kinesis Data Streams and Lambda".',
    docs: 'https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html',
    resourceTypes: ESM,
    evaluate: onKinesisMapping((esm) => {
      const v = esm.properties.FunctionResponseTypes;
      if (isIntrinsic(v)) return NOT_APPLICABLE;
      return compliantIf(asArray(v).includes('ReportBatchItemFailures'));
    }),
  },
  {
    id: 'EsmToolkitTimeout',
    level: ERROR,
    info: "The function of the Kinesis event source mapping uses the runtime toolkit but its timeout is shorter than twice the toolkit's timeout margin.",
    explanation:
      "processKinesisBatch starts no record within timeoutMarginMs (5 s unless configured) of the function timeout, and never keeps more than half of the invocation's time as margin; Lambda's default timeout is 3 s. A function shorter than twice the margin spends half its time or more waiting for nothing, and a batch that does not fit in the rest is retried until it reaches the on-failure destination. Give the function at least twice the margin, as StreamConsumer requires (the pack's toolkitTimeoutMargin when your handlers use another margin). See the Lambda documentation 'Configure Lambda function timeout'.",
    docs: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html',
    resourceTypes: ESM,
    evaluate: onKinesisMapping((esm, _source, template, settings) => {
      const fn = template.target(esm.properties.FunctionName, 'AWS::Lambda::Function');
      if (!fn || !usesToolkit(fn)) return NOT_APPLICABLE;
      const timeout = fn.properties.Timeout;
      const seconds = timeout === undefined ? DEFAULT_FUNCTION_TIMEOUT_SECONDS : asNumber(timeout);
      if (seconds === undefined) return NOT_APPLICABLE;
      // StreamConsumer's bound (validateFunctionTimeout): at least as much time for records as margin.
      return compliantIf(seconds * 1000 >= 2 * settings.toolkitTimeoutMarginMs);
    }),
  },
];

/** Whether a function's environment is the one StreamConsumer sets for the runtime toolkit. */
function usesToolkit(fn: TemplateResource): boolean | undefined {
  const variables = field(fn.properties, 'Environment', 'Variables');
  if (variables === undefined) return false;
  if (!isObject(variables)) return undefined;
  return (
    CONSUMER_ENV.quarantineBucketName in variables ||
    CONSUMER_ENV.quarantineQueueUrl in variables ||
    variables[CONSUMER_ENV.metricsNamespace] === CONSUMER_METRICS.namespace
  );
}
