/** `verify --stack-name` without an outputs file reads the deployed stack's outputs (DescribeStacks). */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { LOCAL_ENV, runCliForTest } from './cli-harness';

const cloudFormation = mockClient(CloudFormationClient);
const kinesis = mockClient(KinesisClient);
const firehose = mockClient(FirehoseClient);
const glue = mockClient(GlueClient);

const OUTPUTS = {
  // StreamingPipeline's outputs sit inside a construct, so their keys carry a hash suffix.
  PipelineStreamName0A1B2C3D: 'clicks',
  DeliveryStreamName: 'clicks-lake',
  DataBucketName: 'lake',
  DataPrefix: 'data/',
  GlueDatabaseName: 'clicks',
  GlueTableName: 'events',
  TableColumns: 'id:string,amount:decimal(10,2)',
  PartitionKeys: 'year,month,day,hour',
};

beforeEach(() => {
  for (const mock of [cloudFormation, kinesis, firehose, glue]) mock.reset();
  kinesis.on(DescribeStreamSummaryCommand).resolves({
    StreamDescriptionSummary: { StreamStatus: 'ACTIVE', OpenShardCount: 2, EncryptionType: 'KMS' } as never,
  });
  firehose.on(DescribeDeliveryStreamCommand).resolves({
    DeliveryStreamDescription: { DeliveryStreamStatus: 'ACTIVE', DeliveryStreamType: 'KinesisStreamAsSource' } as never,
  });
  glue.on(GetTableCommand).resolves({
    Table: {
      Name: 'events',
      StorageDescriptor: {
        Columns: [
          { Name: 'id', Type: 'string' },
          { Name: 'amount', Type: 'decimal(10,2)' },
        ],
      },
      PartitionKeys: ['year', 'month', 'day', 'hour'].map((Name) => ({ Name, Type: 'string' })),
    },
  });
});

test('the outputs come from DescribeStacks of the named stack', async () => {
  cloudFormation.on(DescribeStacksCommand, { StackName: 'Clickstream' }).resolves({
    Stacks: [
      {
        StackName: 'Clickstream',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  const run = await runCliForTest(['verify', '--stack-name', 'Clickstream'], { env: LOCAL_ENV });
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/verifying stack Clickstream in us-east-1/);
  expect(run.stdout).toMatch(/✔ stream clicks is ACTIVE/);
  expect(run.stdout).toMatch(/✔ Glue table clicks.events has the expected schema/);
  expect(run.stdout).toMatch(/all 3 checks passed/);
  expect(run.code).toBe(0);
});

test('a stack that does not exist is a one-line error, exit 1', async () => {
  cloudFormation
    .on(DescribeStacksCommand)
    .rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' }));
  const run = await runCliForTest(['verify', '--stack-name', 'Nope'], { env: LOCAL_ENV });
  expect(run.stderr).toMatch(/cannot describe stack 'Nope': Stack with id Nope does not exist \(ValidationError\)/);
  expect(run.code).toBe(1);
});

test('a stack without the pipeline outputs names the missing keys', async () => {
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'Other', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }],
  });
  const run = await runCliForTest(['verify', '--stack-name', 'Other'], { env: LOCAL_ENV });
  expect(run.stderr).toMatch(/stack Other lacks the stack outputs StreamName\. Received keys: none/);
  expect(run.code).toBe(1);
});

test('verify without --outputs-file or --stack-name is a usage error', async () => {
  const run = await runCliForTest(['verify'], { env: LOCAL_ENV });
  expect(run.stderr).toMatch(/verify needs --outputs-file <file> .* or --stack-name <name>/);
  expect(run.code).toBe(2);
});
