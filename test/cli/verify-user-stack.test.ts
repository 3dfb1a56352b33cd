/**
 * `verify` on a user's StreamingPipeline stack, not the reference one: the stack is synthesized,
 * its outputs are handed to the CLI as DescribeStacks would return them (each Ref replaced by a
 * physical name), and the mocked services answer with what the template deploys.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ColumnType, StreamingPipeline, TableSchema } from '../../lib';
import { createTestApp } from '../support/app';
import { LOCAL_ENV, runCliForTest } from './cli-harness';

const cloudFormation = mockClient(CloudFormationClient);
const kinesis = mockClient(KinesisClient);
const firehose = mockClient(FirehoseClient);
const glue = mockClient(GlueClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);

/** A CloudFormation value as deployed: a Ref becomes '<logical id>-physical', joins are joined. */
function deployed(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref) return `${v.Ref}-physical`;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(deployed).join(v['Fn::Join'][0]);
  throw new Error(`unexpected output value ${JSON.stringify(value)}`);
}

/** Synthesizes the stack and makes the services answer as its template would deploy. */
function deploy(stack: Stack): void {
  const template = Template.fromStack(stack).toJSON();
  const outputs = Object.entries(template.Outputs ?? {}).map(([OutputKey, o]: [string, any]) => ({
    OutputKey,
    OutputValue: deployed(o.Value),
  }));
  cloudFormation.on(DescribeStacksCommand, { StackName: stack.stackName }).resolves({
    Stacks: [
      { StackName: stack.stackName, CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: outputs },
    ],
  });
  const resources = Object.entries(template.Resources) as Array<[string, any]>;
  for (const [id] of resources.filter(([, r]) => r.Type === 'AWS::Kinesis::Stream')) {
    kinesis.on(DescribeStreamSummaryCommand, { StreamName: `${id}-physical` }).resolves({
      StreamDescriptionSummary: { StreamStatus: 'ACTIVE', OpenShardCount: 1, EncryptionType: 'KMS' } as never,
    });
  }
  for (const [id] of resources.filter(([, r]) => r.Type === 'AWS::KinesisFirehose::DeliveryStream')) {
    firehose.on(DescribeDeliveryStreamCommand, { DeliveryStreamName: `${id}-physical` }).resolves({
      DeliveryStreamDescription: {
        DeliveryStreamStatus: 'ACTIVE',
        DeliveryStreamType: 'KinesisStreamAsSource',
      } as never,
    });
  }
  for (const [id, r] of resources.filter(([, r]) => r.Type === 'AWS::Glue::Table')) {
    const input = r.Properties.TableInput;
    glue.on(GetTableCommand, { DatabaseName: deployed(r.Properties.DatabaseName), Name: `${id}-physical` }).resolves({
      Table: {
        Name: `${id}-physical`,
        StorageDescriptor: { Columns: input.StorageDescriptor.Columns },
        PartitionKeys: input.PartitionKeys,
      },
    });
  }
  s3.on(HeadBucketCommand).resolves({});
  sns.on(GetTopicAttributesCommand).resolves({ Attributes: { SubscriptionsConfirmed: '1' } });
}

function consumerFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout: Duration.minutes(1),
  });
}

beforeEach(() => {
  for (const mock of [cloudFormation, kinesis, firehose, glue, s3, sns]) mock.reset();
});

test('an orders pipeline with a schema and a consumer: every part is found and checked', async () => {
  const stack = new Stack(createTestApp(), 'Orders');
  new StreamingPipeline(stack, 'Orders', {
    dataLakeProps: {
      schema: TableSchema.fromColumns([
        { name: 'order_id', type: ColumnType.STRING },
        { name: 'amount', type: ColumnType.decimalOf(10, 2) },
        { name: 'items', type: ColumnType.arrayOf(ColumnType.STRING) },
      ]),
    },
    consumers: { Billing: { handler: consumerFunction(stack, 'BillingFn') } },
  });
  deploy(stack);

  const run = await runCliForTest(['verify', '--stack-name', 'Orders'], { env: LOCAL_ENV });
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/✔ stream OrdersStream\w+-physical is ACTIVE/);
  expect(run.stdout).toMatch(/✔ delivery stream OrdersDataLake\w+-physical is ACTIVE/);
  expect(run.stdout).toMatch(
    /✔ Glue table .* has the expected schema: 3 columns, partitioned by year, month, day, hour/,
  );
  expect(run.stdout).toMatch(/✔ alarm topic .* exists/);
  expect(run.stdout).toMatch(/✔ failure bucket OrdersBilling\w+-physical exists/);
  expect(run.stdout).toMatch(/all 5 checks passed/);
  expect(run.code).toBe(0);
});

test('a pipeline with no props (no Glue table, no consumer): stream, delivery and topic are checked', async () => {
  const stack = new Stack(createTestApp(), 'Clicks');
  new StreamingPipeline(stack, 'Pipeline');
  deploy(stack);

  const run = await runCliForTest(['verify', '--stack-name', 'Clicks'], { env: LOCAL_ENV });
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/✔ stream PipelineStream\w+-physical is ACTIVE/);
  expect(run.stdout).toMatch(/✔ delivery stream PipelineDataLake\w+-physical is ACTIVE/);
  expect(run.stdout).not.toMatch(/Glue table/);
  expect(run.stdout).toMatch(/all 3 checks passed/);
  expect(glue.commandCalls(GetTableCommand)).toHaveLength(0);
  expect(run.code).toBe(0);
});
