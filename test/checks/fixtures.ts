/**
 * A small pipeline written with L1 resources that passes every StreamingChecks rule: a Kinesis
 * stream, a toolkit consumer (standard and enhanced fan-out mappings), alarms notifying an
 * encrypted topic, and a Firehose delivery converting to Parquet through a projected Glue table.
 * Rule tests break one property of it at a time.
 */
import { App, Aws, CfnResource, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { NagRuleCompliance } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { StreamingChecks, type StreamingChecksProps } from '../../lib';
import { STREAMING_RULES } from '../../lib/checks/private/rules';
import { TemplateCache } from '../../lib/checks/private/template';

/** The rule ids StreamingChecks reports on `scope`, sorted (validated directly, without a synth). */
export function ruleIds(scope: IConstruct, props?: StreamingChecksProps): string[] {
  const report = new StreamingChecks(undefined, props).validateScope(scope);
  return report.violations.map((v) => v.ruleName).sort();
}

/**
 * What one rule (id without the pack prefix) says of each resource it looks at under `scope`:
 * lets a test tell a rule that passed from one that did not apply.
 */
export function outcomes(scope: IConstruct, ruleId: string): NagRuleCompliance[] {
  const rule = STREAMING_RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  const templates = new TemplateCache();
  return scope.node
    .findAll()
    .filter(CfnResource.isCfnResource)
    .filter((c) => rule.resourceTypes.includes(c.cfnResourceType))
    .map((c) => {
      const found = templates.lookup(c)!;
      return rule.evaluate(found.resource, found.template, { toolkitTimeoutMarginMs: 5000 });
    });
}

export const HOURLY_PREFIX =
  'data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';

const lambdaTrust = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

export class CompliantPipeline {
  public readonly stack: Stack;
  public readonly stream: kinesis.CfnStream;
  public readonly efoConsumer: kinesis.CfnStreamConsumer;
  public readonly consumerFunction: lambda.CfnFunction;
  public readonly failureBucket: s3.CfnBucket;
  public readonly mapping: lambda.CfnEventSourceMapping;
  public readonly efoMapping: lambda.CfnEventSourceMapping;
  public readonly alarmKey: kms.CfnKey;
  public readonly alarmTopic: sns.CfnTopic;
  public readonly alarmTopicPolicy: sns.CfnTopicPolicy;
  public readonly failureDestinationAlarm: cloudwatch.CfnAlarm;
  public readonly iteratorAgeAlarm: cloudwatch.CfnAlarm;
  public readonly freshnessAlarm: cloudwatch.CfnAlarm;
  public readonly conversionAlarm: cloudwatch.CfnAlarm;
  public readonly errorsAlarm: cloudwatch.CfnAlarm;
  public readonly deliveryRole: iam.CfnRole;
  public readonly deliveryPolicy: iam.CfnPolicy;
  public readonly table: glue.CfnTable;
  public readonly delivery: firehose.CfnDeliveryStream;

  constructor(stack = new Stack(new App(), 'Checks')) {
    this.stack = stack;
    this.stream = new kinesis.CfnStream(stack, 'Stream', {
      shardCount: 1,
      retentionPeriodHours: 24,
      streamModeDetails: { streamMode: 'PROVISIONED' },
      streamEncryption: { encryptionType: 'KMS', keyId: 'alias/aws/kinesis' },
    });
    this.efoConsumer = new kinesis.CfnStreamConsumer(stack, 'EfoConsumer', {
      streamArn: this.stream.attrArn,
      consumerName: 'aggregates',
    });

    const consumerRole = new iam.CfnRole(stack, 'ConsumerRole', { assumeRolePolicyDocument: lambdaTrust });
    this.failureBucket = new s3.CfnBucket(stack, 'FailureBucket');
    this.consumerFunction = new lambda.CfnFunction(stack, 'ConsumerFunction', {
      role: consumerRole.attrArn,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      code: { zipFile: 'exports.handler = async () => ({ batchItemFailures: [] });' },
      timeout: 60,
      environment: {
        variables: {
          QUARANTINE_BUCKET_NAME: this.failureBucket.ref,
          POWERTOOLS_METRICS_NAMESPACE: 'CdkKinesisPipeline',
        },
      },
    });
    const safeMapping = {
      functionName: this.consumerFunction.ref,
      startingPosition: 'TRIM_HORIZON',
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 10,
      maximumRecordAgeInSeconds: 3600,
      destinationConfig: { onFailure: { destination: this.failureBucket.attrArn } },
      functionResponseTypes: ['ReportBatchItemFailures'],
      metricsConfig: { metrics: ['EventCount'] },
    };
    this.mapping = new lambda.CfnEventSourceMapping(stack, 'Mapping', {
      ...safeMapping,
      eventSourceArn: this.stream.attrArn,
    });
    this.efoMapping = new lambda.CfnEventSourceMapping(stack, 'EfoMapping', {
      ...safeMapping,
      eventSourceArn: this.efoConsumer.attrConsumerArn,
    });

    this.alarmKey = new kms.CfnKey(stack, 'AlarmKey', {
      keyPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${Aws.ACCOUNT_ID}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ],
      },
    });
    this.alarmTopic = new sns.CfnTopic(stack, 'AlarmTopic', { kmsMasterKeyId: this.alarmKey.attrArn });
    this.alarmTopicPolicy = new sns.CfnTopicPolicy(stack, 'AlarmTopicPolicy', {
      topics: [this.alarmTopic.ref],
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: this.alarmTopic.ref,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: this.alarmTopic.ref,
            Condition: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
          },
        ],
      },
    });

    const transformFunction = new lambda.CfnFunction(stack, 'TransformFunction', {
      role: consumerRole.attrArn,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      code: { zipFile: 'exports.handler = async (e) => ({ records: [] });' },
      timeout: 60,
    });
    const lakeBucket = new s3.CfnBucket(stack, 'LakeBucket');
    this.deliveryRole = new iam.CfnRole(stack, 'DeliveryRole', {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'firehose.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
    });
    this.deliveryPolicy = new iam.CfnPolicy(stack, 'DeliveryPolicy', {
      policyName: 'delivery',
      roles: [this.deliveryRole.ref],
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['kinesis:DescribeStream', 'kinesis:GetRecords'], Resource: this.stream.attrArn },
          { Effect: 'Allow', Action: ['s3:PutObject'], Resource: `${lakeBucket.attrArn}/*` },
        ],
      },
    });
    const database = new glue.CfnDatabase(stack, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: 'lake' },
    });
    this.table = new glue.CfnTable(stack, 'Table', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: database.ref,
      tableInput: {
        name: 'web_logs',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: ['year', 'month', 'day', 'hour'].map((name) => ({ name, type: 'int' })),
        parameters: {
          'projection.enabled': 'true',
          'projection.year.type': 'integer',
          'projection.year.range': '2020,2099',
          'projection.year.digits': '4',
          'projection.month.type': 'integer',
          'projection.month.range': '1,12',
          'projection.month.digits': '2',
          'projection.day.type': 'integer',
          'projection.day.range': '1,31',
          'projection.day.digits': '2',
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
          'storage.location.template': `s3://${lakeBucket.ref}/data/year=\${year}/month=\${month}/day=\${day}/hour=\${hour}/`,
        },
        storageDescriptor: {
          location: `s3://${lakeBucket.ref}/data/`,
          columns: [
            { name: 'event_time', type: 'timestamp' },
            { name: 'status', type: 'int' },
            { name: 'path', type: 'string' },
            { name: 'bytes', type: 'bigint' },
            { name: 'headers', type: 'map<string,string>' },
            { name: 'price', type: 'decimal(10,2)' },
          ],
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });
    this.delivery = new firehose.CfnDeliveryStream(stack, 'Delivery', {
      deliveryStreamType: 'KinesisStreamAsSource',
      kinesisStreamSourceConfiguration: { kinesisStreamArn: this.stream.attrArn, roleArn: this.deliveryRole.attrArn },
      extendedS3DestinationConfiguration: {
        bucketArn: lakeBucket.attrArn,
        roleArn: this.deliveryRole.attrArn,
        prefix: HOURLY_PREFIX,
        errorOutputPrefix: 'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/',
        bufferingHints: { sizeInMBs: 128, intervalInSeconds: 300 },
        compressionFormat: 'UNCOMPRESSED',
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'Lambda',
              parameters: [
                { parameterName: 'LambdaArn', parameterValue: transformFunction.attrArn },
                { parameterName: 'RoleArn', parameterValue: this.deliveryRole.attrArn },
                { parameterName: 'BufferSizeInMBs', parameterValue: '1' },
                { parameterName: 'BufferIntervalInSeconds', parameterValue: '60' },
              ],
            },
          ],
        },
        dataFormatConversionConfiguration: {
          enabled: true,
          inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
          outputFormatConfiguration: { serializer: { parquetSerDe: {} } },
          schemaConfiguration: {
            catalogId: Aws.ACCOUNT_ID,
            databaseName: database.ref,
            tableName: this.table.ref,
            region: Aws.REGION,
            roleArn: this.deliveryRole.attrArn,
          },
        },
        s3BackupMode: 'Enabled',
        s3BackupConfiguration: { bucketArn: lakeBucket.attrArn, roleArn: this.deliveryRole.attrArn, prefix: 'raw/' },
      },
    });
    this.delivery.addResourceDependency(this.deliveryPolicy);

    const alarm = (id: string, namespace: string, metricName: string, dimensions: Record<string, string>) =>
      new cloudwatch.CfnAlarm(stack, id, {
        namespace,
        metricName,
        dimensions: Object.entries(dimensions).map(([name, value]) => ({ name, value })),
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        alarmActions: [this.alarmTopic.ref],
        okActions: [this.alarmTopic.ref],
      });
    this.failureDestinationAlarm = alarm(
      'FailureDestinationAlarm',
      'AWS/Lambda',
      'OnFailureDestinationDeliveredEventCount',
      {
        EventSourceMappingUUID: this.mapping.ref,
      },
    );
    this.iteratorAgeAlarm = alarm('IteratorAgeAlarm', 'AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', {
      StreamName: this.stream.ref,
    });
    this.freshnessAlarm = alarm('FreshnessAlarm', 'AWS/Firehose', 'DeliveryToS3.DataFreshness', {
      DeliveryStreamName: this.delivery.ref,
    });
    this.conversionAlarm = alarm('ConversionAlarm', 'AWS/Firehose', 'FailedConversion.Records', {
      DeliveryStreamName: this.delivery.ref,
    });
    this.errorsAlarm = alarm('ErrorsAlarm', 'AWS/Lambda', 'Errors', { FunctionName: this.consumerFunction.ref });
  }
}
