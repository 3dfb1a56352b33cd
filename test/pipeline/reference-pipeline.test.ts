import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import { buildReferenceApp } from '../../bin/reference-app';
import { outputValue, PIPELINE_OUTPUT_KEYS } from '../../packages/cli/src/stack-outputs';
import { createTestApp } from '../support/app';
import { walkAlarms } from '../monitoring/alarm-walk';
import { readTemplate, synthWithNag, type NagFinding } from '../support/nag';

// Synthesized once for the whole file: the reference app as bin/ builds it, with both cdk-nag packs
// (AwsSolutions and StreamingChecks). It runs with the repository's cdk.json, which turns
// aws-cdk-lib's CloudFormation validation on.
const app = createTestApp({ builtinValidation: true, context: { stackName: 'ReferencePipeline' } });
const stack = buildReferenceApp(app);
const { findings, outdir } = synthWithNag(app);
const template = Template.fromJSON(readTemplate(outdir, stack.artifactId));
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: any; Metadata?: any }>;

function logicalIdOf(type: string, predicate: (props: any) => boolean = () => true): string {
  const ids = Object.entries(resources)
    .filter(([, r]) => r.Type === type && predicate(r.Properties ?? {}))
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('cdk-nag AwsSolutions and StreamingChecks', () => {
  test('the reference stack has no unacknowledged finding of either pack', () => {
    const describe = (f: NagFinding) => `${f.rule} (${f.severity}) ${f.paths.join(', ')}: ${f.description}`;
    expect(findings.map(describe)).toEqual([]);
  });

  test('every acknowledgment carries a reason', () => {
    const acknowledgments = Object.values(resources).flatMap(
      (r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Array<{ id: string; reason?: string }>,
    );
    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const ack of acknowledgments) {
      expect(ack.reason ?? '').toMatch(/\w+( \w+){3,}/);
    }
  });

  test('the reference app acknowledges no StreamingChecks rule', () => {
    const acknowledged = Object.values(resources).flatMap((r) =>
      ((r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Array<{ id: string }>).map((ack) => ack.id),
    );
    expect(acknowledged.filter((id) => id.startsWith('Streaming'))).toEqual([]);
  });

  test('bin/ registers StreamingChecks: a consumer that would lose records, added to the app, is reported', () => {
    // A passing pack leaves no trace in the report, so prove it runs with a finding it must make.
    const probe = createTestApp();
    const probeStack = buildReferenceApp(probe);
    const unsafe = new lambda.Function(probeStack, 'UnsafeConsumer', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
      timeout: Duration.minutes(1),
    });
    unsafe.addEventSource(
      new sources.KinesisEventSource(probeStack.pipeline.stream, { startingPosition: lambda.StartingPosition.LATEST }),
    );
    const rules = synthWithNag(probe).findings.map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['Streaming-EsmOnFailureDestination', 'Streaming-EsmRetryAttempts']));
  });
});

describe('bin/ reads the context, the constructs do not', () => {
  test('stackName names the stack', () => {
    expect(stack.stackName).toBe('ReferencePipeline');
  });

  test('alarmEmail is passed to the pipeline as a prop and subscribed to the alarm topic', () => {
    const withEmail = createTestApp({ context: { alarmEmail: 'oncall@example.com' } });
    const subscriptions = buildReferenceApp(withEmail)
      .pipeline.monitoring!.alarmTopic.node.findAll()
      .filter((c): c is sns.Subscription => c instanceof sns.Subscription);
    expect(subscriptions.map((c) => (c.node.defaultChild as sns.CfnSubscription).endpoint)).toEqual([
      'oncall@example.com',
    ]);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('wiring', () => {
  test('the stream is KMS-encrypted', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamEncryption: { EncryptionType: 'KMS', KeyId: Match.anyValue() },
    });
  });

  test('one enhanced fan-out consumer is registered on the stream', () => {
    const streamId = logicalIdOf('AWS::Kinesis::Stream');
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 1);
    template.hasResourceProperties('AWS::Kinesis::StreamConsumer', {
      StreamARN: { 'Fn::GetAtt': [streamId, 'Arn'] },
    });
  });

  test('one event source mapping reads the stream, one reads the EFO consumer', () => {
    const streamId = logicalIdOf('AWS::Kinesis::Stream');
    const consumerId = logicalIdOf('AWS::Kinesis::StreamConsumer');
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    const safe = {
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: Match.anyValue(),
      MaximumRecordAgeInSeconds: Match.anyValue(),
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    };
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [streamId, 'Arn'] },
      ...safe,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [consumerId, 'ConsumerARN'] },
      ...safe,
    });
  });

  test('the on-failure destinations are S3 buckets, so failed payloads are kept', () => {
    const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    for (const mapping of mappings) {
      const destination = JSON.stringify(mapping.Properties.DestinationConfig.OnFailure.Destination);
      const bucketId = /"(\w+)","Arn"/.exec(destination)?.[1];
      expect(bucketId && resources[bucketId].Type).toBe('AWS::S3::Bucket');
    }
  });

  test('Firehose reads the stream, transforms with Lambda and writes Parquet under Hive prefixes with backup', () => {
    const streamId = logicalIdOf('AWS::Kinesis::Stream');
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: { 'Fn::GetAtt': [streamId, 'Arn'] } },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
        ErrorOutputPrefix: Match.stringLikeRegexp('^errors/!\\{firehose:error-output-type\\}/year='),
        CompressionFormat: 'UNCOMPRESSED',
        S3BackupMode: 'Enabled',
        S3BackupConfiguration: Match.objectLike({ Prefix: 'raw/' }),
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [Match.objectLike({ Type: 'Lambda' })],
        },
        DataFormatConversionConfiguration: Match.objectLike({
          Enabled: true,
          InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: Match.anyValue() } },
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: Match.anyValue() } },
          SchemaConfiguration: Match.objectLike({ VersionId: 'LATEST' }),
        }),
      }),
    });
  });

  test('the Glue table is Parquet, partitioned year/month/day/hour, with partition projection', () => {
    template.resourceCountIs('AWS::Glue::Database', 1);
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        PartitionKeys: [
          Match.objectLike({ Name: 'year' }),
          Match.objectLike({ Name: 'month' }),
          Match.objectLike({ Name: 'day' }),
          Match.objectLike({ Name: 'hour' }),
        ],
        Parameters: Match.objectLike({ 'projection.enabled': 'true', 'storage.location.template': Match.anyValue() }),
        StorageDescriptor: Match.objectLike({
          OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        }),
      }),
    });
  });

  test('every alarm notifies on ALARM and OK', () => {
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(10);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
    }
  });

  test('a shard autoscaler runs every minute, without reserved concurrency (deploys in accounts at the initial quota)', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MAX_CALLS_PER_24_HOURS: '10' }) },
      ReservedConcurrentExecutions: Match.absent(),
    });
    for (const fn of Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
    });
  });

  test('the outputs that `cdk-kinesis-pipeline verify` reads are present, found by the CLI', () => {
    const outputs = template.toJSON().Outputs ?? {};
    // The CLI's lookup, on the values as DescribeStacks would return them (here: the literals).
    const values = Object.fromEntries(
      Object.entries(outputs).map(([k, o]: [string, any]) => [k, JSON.stringify(o.Value)]),
    );
    for (const key of PIPELINE_OUTPUT_KEYS) expect([key, outputValue(values, key)]).toEqual([key, expect.any(String)]);
    // verify compares these literals with the Glue table, so they must not be tokens.
    expect(JSON.parse(outputValue(values, 'TableColumns')!)).toMatch(
      /^([a-z_0-9]+:[a-z<>(),:0-9_]+,)+[a-z_0-9]+:[a-z<>(),:0-9_]+$/,
    );
    expect(JSON.parse(outputValue(values, 'PartitionKeys')!)).toBe('year,month,day,hour');
    expect(JSON.parse(outputValue(values, 'DataPrefix')!)).toBe('data/');
  });
});

test('normalized snapshot of the reference stack', () => {
  expect(template.toJSON()).toMatchSnapshot();
});

describe('alarms of the reference pipeline', () => {
  test('each identifies its resource, notifies, treats missing data and uses its metric unit', () => {
    const { count, problems } = walkAlarms(template);
    expect(count).toBeGreaterThanOrEqual(20);
    expect(problems).toEqual([]);
  });
});

describe('README "Teardown and cost"', () => {
  test('lists every resource type that cdk destroy keeps (DeletionPolicy Retain), and no other', () => {
    const readme = require('node:fs').readFileSync(require('node:path').resolve(__dirname, '../../README.md'), 'utf8');
    const section = readme.split('\n## Teardown and cost\n')[1].split('\n## ')[0] as string;
    const listed = new Set([...section.matchAll(/^\|[^|]*\| `(AWS::[\w:]+)` \|/gm)].map((m) => m[1]));
    const retained = new Set(
      Object.values(resources)
        .filter((r: any) => r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'RetainExceptOnCreate')
        .map((r) => r.Type),
    );
    expect([...listed].sort()).toEqual([...retained].sort());
  });
});
