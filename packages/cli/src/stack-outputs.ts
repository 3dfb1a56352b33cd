import * as fs from 'node:fs';
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CliError } from './cli-io';

/**
 * The CfnOutput keys a StreamingPipeline emits (lib/pipeline/streaming-pipeline.ts) and the CLI
 * reads. Only StreamName is always there; the others come with the part that has them.
 */
export const REQUIRED_PIPELINE_OUTPUT_KEYS = ['StreamName'] as const;
/** The data lake's outputs: all or none (a pipeline with `dataLake: false` has none). */
export const DATA_LAKE_OUTPUT_KEYS = ['DeliveryStreamName', 'DataBucketName', 'DataPrefix', 'PartitionKeys'] as const;
/** The Glue table's outputs: all or none (a data lake without a schema has no table). */
export const GLUE_TABLE_OUTPUT_KEYS = ['GlueDatabaseName', 'GlueTableName', 'TableColumns', 'PartitionKeys'] as const;
/** Every CfnOutput key the CLI reads. */
export const PIPELINE_OUTPUT_KEYS = [
  ...REQUIRED_PIPELINE_OUTPUT_KEYS,
  'DeliveryStreamName',
  'DataBucketName',
  'DataPrefix',
  'GlueDatabaseName',
  'GlueTableName',
  'TableColumns',
  'PartitionKeys',
  'AlarmTopicArn',
  'FailureBucketNames',
] as const;
export type PipelineOutputKey = (typeof PIPELINE_OUTPUT_KEYS)[number];

/**
 * The keys `verify` needs from these outputs: StreamName; the whole data-lake group once one of
 * its keys is there (or with --check-data, which lists the data prefix); the whole Glue group
 * once one of its keys is there. A half-present group is an error rather than a skipped check.
 */
export function verifyOutputKeys(outputs: Record<string, string>, checkData: boolean): PipelineOutputKey[] {
  const has = (key: PipelineOutputKey) => outputValue(outputs, key) !== undefined;
  const keys = new Set<PipelineOutputKey>(REQUIRED_PIPELINE_OUTPUT_KEYS);
  if (checkData || ['DeliveryStreamName', 'DataBucketName', 'DataPrefix'].some((k) => has(k as PipelineOutputKey))) {
    DATA_LAKE_OUTPUT_KEYS.forEach((k) => keys.add(k));
  }
  if (['GlueDatabaseName', 'GlueTableName', 'TableColumns'].some((k) => has(k as PipelineOutputKey))) {
    GLUE_TABLE_OUTPUT_KEYS.forEach((k) => keys.add(k));
  }
  return PIPELINE_OUTPUT_KEYS.filter((k) => keys.has(k));
}

/**
 * The outputs of one stack from `cdk deploy --outputs-file outputs.json`
 * (`{ "<StackName>": { "<OutputKey>": "value" } }`). With several stacks, `stackName` picks one.
 */
export function readStackOutputs(
  file: string,
  stackName?: string,
): { stackName: string; outputs: Record<string, string> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read --outputs-file ${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(
      `--outputs-file ${file} must hold { "<StackName>": { "<OutputKey>": "value" } }, as written by cdk deploy --outputs-file`,
    );
  }
  const stacks = parsed as Record<string, Record<string, string>>;
  const names = Object.keys(stacks);
  const name = stackName ?? (names.length === 1 ? names[0] : undefined);
  if (!name) {
    throw new CliError(
      `--outputs-file ${file} holds ${names.length} stacks (${names.join(', ') || 'none'}); pass --stack-name`,
    );
  }
  if (!stacks[name])
    throw new CliError(`--stack-name '${name}' is not in ${file}. Received stacks: ${names.join(', ')}`);
  return { stackName: name, outputs: stacks[name] };
}

/**
 * The outputs of a deployed stack, read with CloudFormation's DescribeStacks: what
 * `cdk deploy --outputs-file` would have written, for users who did not keep that file.
 */
export async function describeStackOutputs(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<{ stackName: string; outputs: Record<string, string> }> {
  let stacks;
  try {
    stacks = (await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
  } catch (error) {
    const e = error as Error;
    throw new CliError(`cannot describe stack '${stackName}': ${e.message} (${e.name})`);
  }
  if (stacks.length !== 1)
    throw new CliError(`stack '${stackName}' not found (DescribeStacks returned ${stacks.length})`);
  const outputs: Record<string, string> = {};
  for (const output of stacks[0].Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  }
  return { stackName: stacks[0].StackName ?? stackName, outputs };
}

/**
 * An output by key. CfnOutputs nested in constructs get their path and a hash in their logical id
 * (a StreamingPipeline with id 'Pipeline' emits `PipelineStreamName1A2B3C4D`), so such keys are
 * accepted too. A key belongs to the longest pipeline key it ends with: `PipelineDeliveryStreamName…`
 * is DeliveryStreamName, not StreamName.
 */
export function outputValue(outputs: Record<string, string>, key: PipelineOutputKey): string | undefined {
  if (outputs[key] !== undefined) return outputs[key];
  const suffixed = Object.keys(outputs).filter((k) => suffixedKeyOf(k) === key);
  return suffixed.length === 1 ? outputs[suffixed[0]] : undefined;
}

/** The pipeline key a hash-suffixed output key stands for, if any. */
function suffixedKeyOf(outputKey: string): PipelineOutputKey | undefined {
  const match = /^(\w*?)([0-9A-F]{8})$/.exec(outputKey);
  if (!match) return undefined;
  const keys = PIPELINE_OUTPUT_KEYS.filter((k) => match[1].endsWith(k));
  return keys.sort((a, b) => b.length - a.length)[0];
}

/** Every key of `keys`, or an error naming the missing ones; `source` names where they were read. */
export function requireOutputs(
  outputs: Record<string, string>,
  keys: readonly PipelineOutputKey[],
  source: string,
): Record<PipelineOutputKey, string> {
  const missing = keys.filter((key) => outputValue(outputs, key) === undefined);
  if (missing.length > 0) {
    throw new CliError(
      `${source} lacks the stack outputs ${missing.join(', ')}. Received keys: ${Object.keys(outputs).join(', ') || 'none'}`,
    );
  }
  return Object.fromEntries(keys.map((key) => [key, outputValue(outputs, key)!])) as Record<PipelineOutputKey, string>;
}
