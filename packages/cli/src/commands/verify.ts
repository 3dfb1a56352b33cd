import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { resolveAwsSettings, type AwsClientSettings } from '../aws-settings';
import { UsageError, type CliIo } from '../cli-io';
import {
  describeStackOutputs,
  outputValue,
  readStackOutputs,
  requireOutputs,
  verifyOutputKeys,
  type PipelineOutputKey,
} from '../stack-outputs';
import { AWS_OPTIONS, AWS_OPTIONS_HELP, awsFlags } from './common-options';

export const VERIFY_HELP = `Usage: cdk-kinesis-pipeline verify (--outputs-file <file> | --stack-name <name>) [options]

Checks a deployed pipeline (a StreamingPipeline's stack outputs) read from the file that
cdk deploy --outputs-file outputs.json wrote, or from the deployed stack itself
(CloudFormation DescribeStacks) when only --stack-name is given:
the stream and the delivery stream are ACTIVE, the Glue table (when the data lake has a
schema) has the expected columns and partition keys, the alarm topic and failure buckets
exist, and (with --check-data) objects arrived under today's Hive prefix (UTC;
year=/month=/day= as far as the PartitionKeys output has them).

Options:
  --outputs-file <file>        outputs written by cdk deploy --outputs-file
  --stack-name <name>          the stack in that file (default: the only one); without
                               --outputs-file, the deployed stack to describe
  --check-data                 also require objects under <DataPrefix>year=YYYY/month=MM/day=DD/ (UTC)
${AWS_OPTIONS_HELP}`;

export interface VerifyClients {
  readonly kinesis: KinesisClient;
  readonly firehose: FirehoseClient;
  readonly glue: GlueClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      'outputs-file': { type: 'string' },
      'stack-name': { type: 'string' },
      'check-data': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...AWS_OPTIONS,
    },
  });
  if (values.help) {
    io.stdout.write(`${VERIFY_HELP}\n`);
    return 0;
  }
  const file = values['outputs-file'] ? path.resolve(io.cwd, values['outputs-file']) : undefined;
  if (!file && !values['stack-name']) {
    throw new UsageError(
      'verify needs --outputs-file <file> (from cdk deploy --outputs-file) or --stack-name <name> (a deployed stack)',
    );
  }
  const aws = resolveAwsSettings(awsFlags(values), io);
  const { stackName, outputs } = file
    ? readStackOutputs(file, values['stack-name'])
    : await describeDeployedStack(values['stack-name']!, aws);
  requireOutputs(outputs, verifyOutputKeys(outputs, values['check-data'] === true), file ?? `stack ${stackName}`);
  const clients: VerifyClients = {
    kinesis: new KinesisClient(aws),
    firehose: new FirehoseClient(aws),
    glue: new GlueClient(aws),
    s3: new S3Client(aws),
    sns: new SNSClient(aws),
  };
  try {
    io.stdout.write(`verifying stack ${stackName} in ${aws.region}\n`);
    const checks = await verifyPipeline(outputs, clients, {
      checkData: values['check-data'] === true,
      now: new Date(io.now()),
    });
    for (const check of checks) io.stdout.write(`${check.ok ? '✔' : '✘'} ${check.name}: ${check.detail}\n`);
    const failed = checks.filter((c) => !c.ok).length;
    io.stdout.write(
      failed === 0 ? `all ${checks.length} checks passed\n` : `${failed} of ${checks.length} checks failed\n`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

async function describeDeployedStack(
  stackName: string,
  aws: AwsClientSettings,
): Promise<{ stackName: string; outputs: Record<string, string> }> {
  const cloudFormation = new CloudFormationClient(aws);
  try {
    return await describeStackOutputs(cloudFormation, stackName);
  } finally {
    cloudFormation.destroy();
  }
}

/** Runs every check; a failing check never stops the others. */
export async function verifyPipeline(
  outputs: Record<string, string>,
  clients: VerifyClients,
  options: { readonly checkData: boolean; readonly now: Date },
): Promise<Check[]> {
  const get = (key: PipelineOutputKey) => outputValue(outputs, key) ?? '';
  const has = (key: PipelineOutputKey) => outputValue(outputs, key) !== undefined;
  const checks: Promise<Check>[] = [
    check(`stream ${get('StreamName')} is ACTIVE`, async () => {
      const out = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: get('StreamName') }));
      const s = out.StreamDescriptionSummary;
      const mode = s?.StreamModeDetails?.StreamMode ?? 'PROVISIONED';
      return [
        s?.StreamStatus === 'ACTIVE',
        `${s?.StreamStatus}, ${mode}, ${s?.OpenShardCount} open shards, encryption ${s?.EncryptionType}`,
      ];
    }),
  ];
  if (has('DeliveryStreamName')) {
    checks.push(
      check(`delivery stream ${get('DeliveryStreamName')} is ACTIVE`, async () => {
        const out = await clients.firehose.send(
          new DescribeDeliveryStreamCommand({ DeliveryStreamName: get('DeliveryStreamName') }),
        );
        const d = out.DeliveryStreamDescription;
        return [d?.DeliveryStreamStatus === 'ACTIVE', `${d?.DeliveryStreamStatus}, source ${d?.DeliveryStreamType}`];
      }),
    );
  }
  if (has('GlueTableName')) {
    checks.push(
      check(`Glue table ${get('GlueDatabaseName')}.${get('GlueTableName')} has the expected schema`, async () => {
        const out = await clients.glue.send(
          new GetTableCommand({ DatabaseName: get('GlueDatabaseName'), Name: get('GlueTableName') }),
        );
        const actualColumns = (out.Table?.StorageDescriptor?.Columns ?? []).map((c) => `${c.Name}:${c.Type}`);
        const actualKeys = (out.Table?.PartitionKeys ?? []).map((k) => k.Name ?? '');
        return compareSchema(
          parseColumns(get('TableColumns')),
          actualColumns,
          splitList(get('PartitionKeys')),
          actualKeys,
        );
      }),
    );
  }
  const topic = outputValue(outputs, 'AlarmTopicArn');
  if (topic) {
    checks.push(
      check(`alarm topic ${topic} exists`, async () => {
        const out = await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topic }));
        return [true, `${out.Attributes?.SubscriptionsConfirmed ?? '0'} confirmed subscriptions`];
      }),
    );
  }
  for (const bucket of splitList(outputValue(outputs, 'FailureBucketNames') ?? '')) {
    checks.push(
      check(`failure bucket ${bucket} exists`, async () => {
        await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
        return [true, 'reachable'];
      }),
    );
  }
  if (options.checkData) {
    const prefix = `${get('DataPrefix')}${hivePrefix(options.now, splitList(get('PartitionKeys')))}`;
    checks.push(
      check(`objects under s3://${get('DataBucketName')}/${prefix}`, async () => {
        const out = await clients.s3.send(
          new ListObjectsV2Command({ Bucket: get('DataBucketName'), Prefix: prefix, MaxKeys: 5 }),
        );
        const keys = (out.Contents ?? []).map((o) => o.Key);
        return [
          keys.length > 0,
          keys.length > 0 ? `found e.g. ${keys[0]}` : 'none yet (Firehose buffers up to its buffering interval)',
        ];
      }),
    );
  }
  return Promise.all(checks);
}

async function check(name: string, run: () => Promise<[boolean, string]>): Promise<Check> {
  try {
    const [ok, detail] = await run();
    return { name, ok, detail };
  } catch (error) {
    const e = error as Error;
    return { name, ok: false, detail: `${e.name}: ${e.message}` };
  }
}

/**
 * Today's (UTC) prefix below the data root, from the leading partition keys: `year=YYYY/`,
 * `month=MM/`, `day=DD/`, stopping at the first other key (hour, or a record field).
 */
export function hivePrefix(now: Date, partitionKeys: readonly string[] = ['year', 'month', 'day']): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const values: Record<string, string> = {
    year: String(now.getUTCFullYear()),
    month: pad(now.getUTCMonth() + 1),
    day: pad(now.getUTCDate()),
  };
  let prefix = '';
  for (const key of partitionKeys) {
    if (values[key] === undefined) break;
    prefix += `${key}=${values[key]}/`;
  }
  return prefix;
}

/** Splits `a:int,b:struct<x:int,y:string>,c:decimal(10,2)` at top-level commas only. */
export function parseColumns(spec: string): string[] {
  const columns: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of spec) {
    if (ch === '<' || ch === '(') depth++;
    if (ch === '>' || ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      columns.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) columns.push(current.trim());
  return columns.map((c) => c.replace(/\s+/g, '').toLowerCase());
}

function splitList(spec: string): string[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function compareSchema(
  expectedColumns: string[],
  actualColumns: string[],
  expectedKeys: string[],
  actualKeys: string[],
): [boolean, string] {
  const actual = actualColumns.map((c) => c.replace(/\s+/g, '').toLowerCase());
  const missing = expectedColumns.filter((c) => !actual.includes(c));
  const extra = actual.filter((c) => !expectedColumns.includes(c));
  const keysOk = expectedKeys.join(',') === actualKeys.join(',');
  const problems = [
    missing.length ? `missing columns ${missing.join(', ')}` : '',
    extra.length ? `unexpected columns ${extra.join(', ')}` : '',
    keysOk ? '' : `partition keys ${actualKeys.join(',') || '(none)'}, expected ${expectedKeys.join(',')}`,
  ].filter(Boolean);
  return problems.length === 0
    ? [true, `${actual.length} columns, partitioned by ${actualKeys.join(', ')}`]
    : [false, problems.join('; ')];
}
