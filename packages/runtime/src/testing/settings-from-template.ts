import type { EventSourceMappingSettings, OnFailureDestinationType } from './settings';

/** A synthesized CloudFormation template as JSON (e.g. `Template.fromStack(stack).toJSON()`). */
export interface CloudFormationTemplate {
  readonly Resources?: { readonly [logicalId: string]: { readonly Type?: string; readonly Properties?: unknown } };
}

export interface SettingsFromTemplateOptions {
  /**
   * Which `AWS::Lambda::EventSourceMapping` to read: its logical id, or a part of it that only
   * one mapping's logical id contains (e.g. the StreamConsumer's construct id).
   * @default - the template's only mapping
   */
  readonly mapping?: string;
  /**
   * The stream's retention, when the stream is not in this template.
   * @default - the `RetentionPeriodHours` of the mapping's stream when it is in the template, else 24
   */
  readonly streamRetentionHours?: number;
}

type Json = unknown;
type Resources = NonNullable<CloudFormationTemplate['Resources']>;

/**
 * The settings of one event source mapping of a synthesized template, read from its
 * `AWS::Lambda::EventSourceMapping` properties (AWS defaults for those absent) and from its
 * function's `Timeout`. Works from template JSON, so the runtime package needs no aws-cdk-lib.
 * Values the template leaves to deploy time (parameters, imports) cannot be simulated: they throw.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventsourcemapping.html
 */
export function settingsFromTemplate(
  template: CloudFormationTemplate,
  options: SettingsFromTemplateOptions = {},
): EventSourceMappingSettings {
  const resources = template.Resources ?? {};
  const [logicalId, properties] = findMapping(resources, options.mapping);
  const number = (name: string): number | undefined => {
    const value = properties[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number') {
      throw new Error(
        `${logicalId}.${name} is not a number in the template (${JSON.stringify(value)}): give the settings directly`,
      );
    }
    return value;
  };
  const responseTypes = properties.FunctionResponseTypes;
  return {
    batchSize: number('BatchSize'),
    maximumBatchingWindowInSeconds: number('MaximumBatchingWindowInSeconds'),
    parallelizationFactor: number('ParallelizationFactor'),
    maximumRetryAttempts: number('MaximumRetryAttempts'),
    maximumRecordAgeInSeconds: number('MaximumRecordAgeInSeconds'),
    bisectBatchOnFunctionError: properties.BisectBatchOnFunctionError === true,
    reportBatchItemFailures: Array.isArray(responseTypes) && responseTypes.includes('ReportBatchItemFailures'),
    onFailureDestination: destinationType(resources, logicalId, properties.DestinationConfig),
    functionTimeoutSeconds: functionTimeout(resources, logicalId, properties.FunctionName),
    streamRetentionHours: options.streamRetentionHours ?? streamRetention(resources, properties.EventSourceArn),
  };
}

function findMapping(resources: Resources, select: string | undefined): [string, Record<string, Json>] {
  const mappings = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping');
  const matching =
    select === undefined
      ? mappings
      : mappings.some(([id]) => id === select)
        ? mappings.filter(([id]) => id === select)
        : mappings.filter(([id]) => id.includes(select));
  if (matching.length !== 1) {
    const ids = mappings.map(([id]) => id).join(', ') || 'none';
    throw new Error(
      `expected one AWS::Lambda::EventSourceMapping${select === undefined ? '' : ` matching '${select}'`}, found ${matching.length}. Mappings in the template: ${ids}`,
    );
  }
  const [id, resource] = matching[0];
  return [id, (resource.Properties ?? {}) as Record<string, Json>];
}

/** The resource a `Ref` or `Fn::GetAtt` points at, if it is in the template. */
function referencedResource(resources: Resources, value: Json): { Type?: string; Properties?: unknown } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, Json>;
  if (typeof v.Ref === 'string') return resources[v.Ref];
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return resources[getAtt[0]];
  if (typeof getAtt === 'string') return resources[getAtt.split('.')[0]];
  return undefined;
}

const DESTINATION_TYPES: Record<string, OnFailureDestinationType> = {
  'AWS::S3::Bucket': 's3',
  'AWS::SQS::Queue': 'sqs',
  'AWS::SNS::Topic': 'sns',
};

function destinationType(resources: Resources, logicalId: string, config: Json): OnFailureDestinationType {
  const destination = (config as { OnFailure?: { Destination?: Json } } | undefined)?.OnFailure?.Destination;
  if (destination === undefined) return 'none';
  const type = referencedResource(resources, destination)?.Type;
  if (type && DESTINATION_TYPES[type]) return DESTINATION_TYPES[type];
  // A literal or joined ARN: the service is its third field (arn:partition:service:...).
  const text = JSON.stringify(destination);
  for (const kind of ['s3', 'sqs', 'sns'] as const) {
    if (text.includes(`:${kind}:`)) return kind;
  }
  throw new Error(
    `${logicalId}.DestinationConfig.OnFailure.Destination is neither an S3 bucket, an SQS queue nor an SNS topic the template names (${text}): give onFailureDestination directly`,
  );
}

function functionTimeout(resources: Resources, logicalId: string, functionName: Json): number | undefined {
  const fn = referencedResource(resources, functionName);
  if (!fn) {
    throw new Error(
      `${logicalId}.FunctionName does not name a function of the template (${JSON.stringify(functionName)}): give functionTimeoutSeconds directly`,
    );
  }
  const timeout = (fn.Properties as { Timeout?: Json } | undefined)?.Timeout;
  if (timeout === undefined) return undefined; // Lambda's default, 3 seconds
  if (typeof timeout !== 'number') {
    throw new Error(`the function's Timeout is not a number in the template: give functionTimeoutSeconds directly`);
  }
  return timeout;
}

function streamRetention(resources: Resources, eventSourceArn: Json): number | undefined {
  let source = referencedResource(resources, eventSourceArn);
  // An enhanced fan-out mapping reads a consumer, which names its stream.
  if (source?.Type === 'AWS::Kinesis::StreamConsumer') {
    source = referencedResource(resources, (source.Properties as { StreamARN?: Json } | undefined)?.StreamARN);
  }
  const hours = (source?.Properties as { RetentionPeriodHours?: Json } | undefined)?.RetentionPeriodHours;
  return typeof hours === 'number' ? hours : undefined;
}
