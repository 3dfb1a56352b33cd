import { NagRuleCompliance } from 'cdk-nag';
import { parsePrefix } from './firehose-prefix';
import { layoutMismatches, tableParameters } from './projection';
import { ERROR, NOT_APPLICABLE, compliantIf, type StreamingRule } from './rule';
import {
  asArray,
  asBoolean,
  asNumber,
  field,
  flatten,
  isObject,
  refMarker,
  refTarget,
  type StackTemplate,
  type TemplateResource,
} from './template';

const DELIVERY_STREAM = ['AWS::KinesisFirehose::DeliveryStream'];
const PREFIX_DOC = 'https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html';
const ERROR_OUTPUT_TYPE = '!{firehose:error-output-type}';
/** Firehose's minimum buffer with format conversion or dynamic partitioning. */
const MIN_BUFFER_MIB = 64;
/** The Lambda processor's buffer hints. @see https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html */
const PROCESSOR_BUFFER_MB = { min: 0.2, max: 3 };
const PROCESSOR_INTERVAL_SECONDS = { min: 0, max: 900 };
/** CloudFormation's limit on Prefix and ErrorOutputPrefix. */
const MAX_PREFIX_LENGTH = 1024;

type Config = Record<string, unknown>;

function extendedS3(stream: TemplateResource): Config | undefined {
  const config = stream.properties.ExtendedS3DestinationConfiguration;
  return isObject(config) ? config : undefined;
}

/** The S3 configurations that have prefixes: the destination and its backup. */
function s3Configs(stream: TemplateResource): Config[] {
  const s3 = extendedS3(stream);
  const plain = stream.properties.S3DestinationConfiguration;
  return [
    s3,
    isObject(plain) ? plain : undefined,
    isObject(s3?.S3BackupConfiguration) ? s3.S3BackupConfiguration : undefined,
  ].filter((c): c is Config => c !== undefined);
}

const converts = (s3: Config): boolean => {
  const conversion = s3.DataFormatConversionConfiguration;
  return isObject(conversion) && asBoolean(conversion.Enabled) !== false;
};
const partitionsDynamically = (s3: Config): boolean =>
  asBoolean(field(s3, 'DynamicPartitioningConfiguration', 'Enabled')) === true;

function processors(config: unknown, type: string): Config[] {
  const processing = field(config, 'ProcessingConfiguration');
  if (!isObject(processing) || asBoolean(processing.Enabled) === false) return [];
  return asArray(processing.Processors).filter((p): p is Config => isObject(p) && p.Type === type);
}

function parameter(processor: Config, name: string): unknown {
  const found = asArray(processor.Parameters).find((p) => field(p, 'ParameterName') === name);
  return field(found, 'ParameterValue');
}

/** Every role the delivery stream passes to Firehose (source, destination, backup, schema, processors). */
function rolesOf(stream: TemplateResource, template: StackTemplate): TemplateResource[] {
  const roleValues: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    if (!isObject(v)) return;
    for (const [key, value] of Object.entries(v)) {
      if (key === 'RoleARN' || key === 'RoleArn') roleValues.push(value);
      else walk(value);
    }
    if (v.ParameterName === 'RoleArn') roleValues.push(v.ParameterValue);
  };
  walk(stream.properties);
  const roles = roleValues.map((v) => template.target(v, 'AWS::IAM::Role'));
  return [...new Set(roles.filter((r): r is TemplateResource => r !== undefined))];
}

/** The policy resources that attach permissions to `role` after it exists. */
function policiesOf(role: TemplateResource, template: StackTemplate): TemplateResource[] {
  const attachedTo = (p: TemplateResource) => asArray(p.properties.Roles).some((r) => refTarget(r) === role.logicalId);
  return [
    ...template.ofType('AWS::IAM::Policy').filter(attachedTo),
    ...template.ofType('AWS::IAM::ManagedPolicy').filter(attachedTo),
    ...template.ofType('AWS::IAM::RolePolicy').filter((p) => refTarget(p.properties.RoleName) === role.logicalId),
  ];
}

/** The bucket of an S3 configuration, as projection.ts compares it: «logicalId» or the bucket name. */
function bucketOf(s3: Config): string | undefined {
  const target = refTarget(s3.BucketARN);
  if (target !== undefined) return refMarker(target);
  const arn = flatten(s3.BucketARN);
  return arn !== undefined && /^arn:[^:]+:s3:::[^«/]+$/.test(arn) ? arn.split(':::')[1] : undefined;
}

export const FIREHOSE_RULES: StreamingRule[] = [
  {
    id: 'FirehoseBufferSize',
    level: ERROR,
    info: 'The delivery stream converts records to Parquet/ORC or partitions them dynamically with a buffer under 64 MiB (or no buffering interval).',
    explanation:
      'Firehose requires BufferingHints.SizeInMBs of at least 64 when record format conversion or dynamic partitioning is on, and zero buffering is not available with dynamic partitioning: the deployment fails. See the Firehose documentation "Convert input data format in Amazon Data Firehose" and "Buffer data for dynamic partitioning".',
    docs: 'https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html',
    resourceTypes: DELIVERY_STREAM,
    evaluate: (stream) => {
      const s3 = extendedS3(stream);
      if (!s3 || !(converts(s3) || partitionsDynamically(s3))) return NOT_APPLICABLE;
      const size = asNumber(field(s3, 'BufferingHints', 'SizeInMBs'));
      const interval = asNumber(field(s3, 'BufferingHints', 'IntervalInSeconds'));
      if (size !== undefined && size < MIN_BUFFER_MIB) return NagRuleCompliance.NON_COMPLIANT;
      if (partitionsDynamically(s3) && interval === 0) return NagRuleCompliance.NON_COMPLIANT;
      return compliantIf(size === undefined && interval === undefined ? undefined : true);
    },
  },
  {
    id: 'FirehoseErrorPrefix',
    level: ERROR,
    info: 'The delivery stream has a prefix with expressions but no error prefix, or an error prefix with expressions but no !{firehose:error-output-type}.',
    explanation:
      'Firehose rejects a Prefix that uses !{...} expressions without an ErrorOutputPrefix, and an ErrorOutputPrefix with expressions that lacks !{firehose:error-output-type}, which keeps processing, conversion and partitioning failures apart. See the Firehose documentation "Understand custom prefixes for Amazon S3 objects".',
    docs: PREFIX_DOC,
    resourceTypes: DELIVERY_STREAM,
    evaluate: (stream) => {
      const configs = s3Configs(stream);
      if (configs.length === 0) return NOT_APPLICABLE;
      return compliantIf(
        configs.every((c) => {
          const prefix = flatten(c.Prefix) ?? '';
          const error = flatten(c.ErrorOutputPrefix) ?? '';
          if (prefix.includes('!{') && error === '') return false;
          return !(error.includes('!{') && !error.includes(ERROR_OUTPUT_TYPE));
        }),
      );
    },
  },
  {
    id: 'FirehosePrefixGrammar',
    level: ERROR,
    info: 'A prefix of the delivery stream is not valid Firehose prefix syntax, or uses an expression where Firehose does not allow it.',
    explanation:
      'Firehose prefixes allow !{firehose:error-output-type|random-string}, !{timestamp:<Java DateTimeFormatter pattern>}, and !{partitionKeyFromQuery:<key>} / !{partitionKeyFromLambda:<key>}, the latter only in the data prefix, with dynamic partitioning on and the processor that extracts the keys (MetadataExtraction for queries, Lambda for Lambda keys); error-output-type only in the error prefix; at most 1024 characters. Anything else fails the deployment or the delivery. See the Firehose documentation "Understand custom prefixes for Amazon S3 objects" and "Partition streaming data in Amazon Data Firehose".',
    docs: PREFIX_DOC,
    resourceTypes: DELIVERY_STREAM,
    evaluate: (stream) => {
      const configs = s3Configs(stream);
      if (configs.length === 0) return NOT_APPLICABLE;
      const s3 = extendedS3(stream);
      return compliantIf(configs.every((c) => prefixesValid(c, c === s3)));
    },
  },
  {
    id: 'FirehoseProcessorBuffer',
    level: ERROR,
    info: "The delivery stream's Lambda processor buffers outside 0.2-3 MB or 0-900 seconds.",
    explanation:
      'Firehose buffers between 0.2 and 3 MB (BufferSizeInMBs) and 0 to 900 seconds (BufferIntervalInSeconds) before invoking a Lambda processor, synchronously, whose request and response are limited to 6 MB. See the Firehose documentation "Transform source data in Amazon Data Firehose".',
    docs: 'https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html',
    resourceTypes: DELIVERY_STREAM,
    evaluate: (stream) => {
      const lambdas = Object.values(stream.properties).flatMap((config) => processors(config, 'Lambda'));
      if (lambdas.length === 0) return NOT_APPLICABLE;
      const within = (v: unknown, range: { min: number; max: number }) => {
        const n = asNumber(v);
        return v === undefined || n === undefined || (n >= range.min && n <= range.max);
      };
      return compliantIf(
        lambdas.every(
          (p) =>
            within(parameter(p, 'BufferSizeInMBs'), PROCESSOR_BUFFER_MB) &&
            within(parameter(p, 'BufferIntervalInSeconds'), PROCESSOR_INTERVAL_SECONDS),
        ),
      );
    },
  },
  {
    id: 'FirehoseRolePolicies',
    level: ERROR,
    info: 'The delivery stream does not depend on the IAM policies of the roles it uses, so CloudFormation may create it before they are attached.',
    explanation:
      'Firehose checks its roles\' permissions when the delivery stream is created (e.g. kinesis:DescribeStream on the source stream) and the creation fails when a policy attached to a role is not there yet. The delivery stream must DependsOn every AWS::IAM::Policy / ManagedPolicy / RolePolicy of its source, destination, backup, schema and processor roles. See the Firehose documentation "Controlling access with Amazon Data Firehose", the CloudFormation "DependsOn attribute", and aws/aws-cdk issue 5221.',
    docs: 'https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html',
    resourceTypes: DELIVERY_STREAM,
    evaluate: (stream, template) => {
      const roles = rolesOf(stream, template);
      if (roles.length === 0) return NOT_APPLICABLE;
      const dependencies = template.dependenciesOf(stream);
      return compliantIf(roles.every((role) => policiesOf(role, template).every((p) => dependencies.has(p.logicalId))));
    },
  },
  {
    id: 'FirehoseProjectionLayout',
    level: ERROR,
    info: "The partition projection of the Glue table Firehose converts with does not match the delivery stream's prefix (key names, digits, ranges or folder layout).",
    explanation:
      "With partition projection Athena does not list S3: it computes the partition folders from storage.location.template (or the table location and Hive-style key=value folders) and the projection.<key>.* parameters. When those differ from what Firehose writes (its Prefix, e.g. HH is two digits where the projection has none, or a range that misses values), queries silently return no rows for the data. See the Athena documentation 'Set up partition projection' and 'Supported types for partition projection', and the Firehose 'Understand custom prefixes for Amazon S3 objects'.",
    docs: 'https://docs.aws.amazon.com/athena/latest/ug/partition-projection-setting-up.html',
    resourceTypes: DELIVERY_STREAM,
    evaluate: (stream, template) => {
      const s3 = extendedS3(stream);
      if (!s3 || !converts(s3)) return NOT_APPLICABLE;
      const table = template.target(
        field(s3, 'DataFormatConversionConfiguration', 'SchemaConfiguration', 'TableName'),
        'AWS::Glue::Table',
      );
      const tableInput = table?.properties.TableInput;
      const parameters = tableParameters(tableInput);
      if (!parameters || asBoolean(parameters['projection.enabled']) !== true) return NOT_APPLICABLE;
      const prefix = flatten(s3.Prefix);
      if (prefix === undefined) return NOT_APPLICABLE;
      const partitionKeys = asArray(field(tableInput, 'PartitionKeys'))
        .map((k) => field(k, 'Name'))
        .filter((n): n is string => typeof n === 'string');
      const problems = layoutMismatches({
        parameters,
        partitionKeys,
        location: field(tableInput, 'StorageDescriptor', 'Location'),
        prefix,
        bucket: bucketOf(s3),
      });
      return compliantIf(problems === undefined ? undefined : problems.length === 0);
    },
  },
];

function prefixesValid(config: Config, isDataDestination: boolean): boolean {
  const prefix = flatten(config.Prefix) ?? '';
  const error = flatten(config.ErrorOutputPrefix) ?? '';
  if (prefix.length > MAX_PREFIX_LENGTH || error.length > MAX_PREFIX_LENGTH) return false;
  const data = parsePrefix(prefix);
  const errors = parsePrefix(error);
  if (data.problems.length > 0 || errors.problems.length > 0) return false;
  if (data.tokens.some((t) => t.namespace === 'firehose' && t.value === 'error-output-type')) return false;
  if (errors.tokens.some((t) => t.namespace?.startsWith('partitionKeyFrom'))) return false;
  const keys = new Set(data.tokens.map((t) => t.namespace).filter((n) => n?.startsWith('partitionKeyFrom')));
  if (keys.size === 0) return true;
  if (!isDataDestination || !partitionsDynamically(config)) return false;
  if (keys.has('partitionKeyFromLambda') && processors(config, 'Lambda').length === 0) return false;
  return !(keys.has('partitionKeyFromQuery') && processors(config, 'MetadataExtraction').length === 0);
}
