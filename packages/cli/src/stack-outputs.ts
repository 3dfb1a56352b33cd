import * as fs from 'node:fs';
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CliError } from './cli-io';

/** The CfnOutput keys of the reference pipeline stack that `verify` cannot do without. */
export const REQUIRED_PIPELINE_OUTPUT_KEYS = [
  'StreamName',
  'DeliveryStreamName',
  'DataBucketName',
  'DataPrefix',
  'GlueDatabaseName',
  'GlueTableName',
  'TableColumns',
  'PartitionKeys',
] as const;
/** The CfnOutput keys the CLI reads: the required ones, plus those checked when present. */
export const PIPELINE_OUTPUT_KEYS = [...REQUIRED_PIPELINE_OUTPUT_KEYS, 'AlarmTopicArn', 'FailureBucketNames'] as const;
export type PipelineOutputKey = (typeof PIPELINE_OUTPUT_KEYS)[number];

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
 * An output by key. CfnOutputs nested in constructs get a hash suffix on their logical id
 * (e.g. `PipelineStreamNameA1B2C3D4`), so such keys are accepted too.
 */
export function outputValue(outputs: Record<string, string>, key: PipelineOutputKey): string | undefined {
  if (outputs[key] !== undefined) return outputs[key];
  const suffixed = Object.keys(outputs).filter((k) => new RegExp(`${key}[0-9A-F]{8}$`).test(k));
  return suffixed.length === 1 ? outputs[suffixed[0]] : undefined;
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
