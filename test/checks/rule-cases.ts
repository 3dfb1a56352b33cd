/**
 * Per rule of StreamingChecks: changes to the compliant L1 pipeline (fixtures.ts) that break
 * exactly that rule, and variants it must pass or leave alone.
 */
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { HOURLY_PREFIX, type CompliantPipeline } from './fixtures';

export type Change = [description: string, change: (p: CompliantPipeline) => void];

export interface RuleCase {
  readonly rule: string;
  readonly nonCompliant: Change[];
  /** Compliant variants beyond the compliant pipeline itself. */
  readonly compliant?: Change[];
  /** Variants the rule deliberately leaves alone. */
  readonly notApplicable?: Change[];
}

const S3 = 'ExtendedS3DestinationConfiguration';

export const RULE_CASES: RuleCase[] = [
  {
    rule: 'EsmBisectOnError',
    nonCompliant: [
      ['BisectBatchOnFunctionError false', (p) => p.mapping.addPropertyOverride('BisectBatchOnFunctionError', false)],
      [
        'BisectBatchOnFunctionError unset',
        (p) => p.efoMapping.addPropertyDeletionOverride('BisectBatchOnFunctionError'),
      ],
    ],
  },
  {
    rule: 'EsmRetryAttempts',
    nonCompliant: [
      [
        'MaximumRetryAttempts unset (Lambda default -1)',
        (p) => p.mapping.addPropertyDeletionOverride('MaximumRetryAttempts'),
      ],
      ['MaximumRetryAttempts -1', (p) => p.efoMapping.addPropertyOverride('MaximumRetryAttempts', -1)],
    ],
    compliant: [['MaximumRetryAttempts 0', (p) => p.mapping.addPropertyOverride('MaximumRetryAttempts', 0)]],
  },
  {
    rule: 'EsmRecordAge',
    nonCompliant: [
      ['MaximumRecordAgeInSeconds unset', (p) => p.mapping.addPropertyDeletionOverride('MaximumRecordAgeInSeconds')],
      ['MaximumRecordAgeInSeconds -1', (p) => p.mapping.addPropertyOverride('MaximumRecordAgeInSeconds', -1)],
      [
        'MaximumRecordAgeInSeconds equal to the 24 h retention',
        (p) => p.mapping.addPropertyOverride('MaximumRecordAgeInSeconds', 86_400),
      ],
      [
        'an EFO mapping whose record age exceeds the retention of the stream behind the consumer',
        (p) => {
          p.stream.addPropertyOverride('RetentionPeriodHours', 48);
          p.efoMapping.addPropertyOverride('MaximumRecordAgeInSeconds', 48 * 3600);
        },
      ],
    ],
    compliant: [
      ['1 hour below a 24 h default retention', (p) => p.stream.addPropertyDeletionOverride('RetentionPeriodHours')],
      [
        '7 days below a 30-day retention',
        (p) => {
          p.stream.addPropertyOverride('RetentionPeriodHours', 720);
          p.mapping.addPropertyOverride('MaximumRecordAgeInSeconds', 604_800);
        },
      ],
    ],
  },
  {
    rule: 'EsmOnFailureDestination',
    nonCompliant: [['no DestinationConfig', (p) => p.mapping.addPropertyDeletionOverride('DestinationConfig')]],
  },
  {
    rule: 'EsmOnFailureMetadataOnly',
    nonCompliant: [
      [
        'an SQS queue of the stack',
        (p) => {
          const queue = new sqs.CfnQueue(p.stack, 'Dlq');
          p.mapping.addPropertyOverride('DestinationConfig.OnFailure.Destination', queue.attrArn);
        },
      ],
      [
        'an SNS topic ARN',
        (p) =>
          p.efoMapping.addPropertyOverride(
            'DestinationConfig.OnFailure.Destination',
            'arn:aws:sns:eu-west-1:123456789012:failures',
          ),
      ],
    ],
    compliant: [
      [
        'an S3 bucket ARN',
        (p) => p.mapping.addPropertyOverride('DestinationConfig.OnFailure.Destination', 'arn:aws:s3:::failures'),
      ],
    ],
  },
  {
    rule: 'EsmReportBatchItemFailures',
    nonCompliant: [['no FunctionResponseTypes', (p) => p.mapping.addPropertyDeletionOverride('FunctionResponseTypes')]],
  },
  {
    rule: 'EsmToolkitTimeout',
    nonCompliant: [
      ["Lambda's default timeout (3 s)", (p) => p.consumerFunction.addPropertyDeletionOverride('Timeout')],
      ['a timeout equal to the 5 s margin', (p) => p.consumerFunction.addPropertyOverride('Timeout', 5)],
      ['a 9 s timeout, under twice the 5 s margin', (p) => p.consumerFunction.addPropertyOverride('Timeout', 9)],
    ],
    notApplicable: [
      [
        'a function without the toolkit environment',
        (p) => {
          p.consumerFunction.addPropertyDeletionOverride('Timeout');
          p.consumerFunction.addPropertyDeletionOverride('Environment');
        },
      ],
    ],
  },
  {
    rule: 'AlarmEsmMetricsConfig',
    nonCompliant: [['the mapping has no MetricsConfig', (p) => p.mapping.addPropertyDeletionOverride('MetricsConfig')]],
  },
  {
    rule: 'AlarmMetricPublished',
    nonCompliant: [
      [
        'the shard-level IteratorAgeMilliseconds per stream',
        (p) => p.iteratorAgeAlarm.addPropertyOverride('MetricName', 'IteratorAgeMilliseconds'),
      ],
      [
        'GetRecords.IteratorAgeMilliseconds per shard',
        (p) =>
          p.iteratorAgeAlarm.addPropertyOverride('Dimensions', [
            { Name: 'StreamName', Value: p.stream.ref },
            { Name: 'ShardId', Value: 'shardId-000000000000' },
          ]),
      ],
      [
        'a mapping metric per function',
        (p) =>
          p.failureDestinationAlarm.addPropertyOverride('Dimensions', [
            { Name: 'FunctionName', Value: p.consumerFunction.ref },
          ]),
      ],
      [
        'a function metric per mapping',
        (p) => p.failureDestinationAlarm.addPropertyOverride('MetricName', 'IteratorAge'),
      ],
      [
        'FailedConversion.Records of a delivery stream without format conversion',
        (p) => p.delivery.addPropertyDeletionOverride(`${S3}.DataFormatConversionConfiguration`),
      ],
      [
        'a misspelt Firehose metric',
        (p) => p.freshnessAlarm.addPropertyOverride('MetricName', 'DeliveryToS3.Freshness'),
      ],
      [
        'a metric-math alarm on an unpublished metric',
        (p) => {
          p.errorsAlarm.addPropertyDeletionOverride('MetricName');
          p.errorsAlarm.addPropertyDeletionOverride('Namespace');
          p.errorsAlarm.addPropertyDeletionOverride('Dimensions');
          p.errorsAlarm.addPropertyDeletionOverride('Statistic');
          p.errorsAlarm.addPropertyDeletionOverride('Period');
          p.errorsAlarm.addPropertyOverride('Metrics', [
            {
              Id: 'm1',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/Kinesis',
                  MetricName: 'SubscribeToShardEvent.MillisBehindLatest',
                  Dimensions: [{ Name: 'StreamName', Value: p.stream.ref }],
                },
                Period: 60,
                Stat: 'Maximum',
              },
            },
          ]);
        },
      ],
    ],
    compliant: [
      [
        'SubscribeToShardEvent.MillisBehindLatest per stream and consumer',
        (p) => {
          p.iteratorAgeAlarm.addPropertyOverride('MetricName', 'SubscribeToShardEvent.MillisBehindLatest');
          p.iteratorAgeAlarm.addPropertyOverride('Dimensions', [
            { Name: 'StreamName', Value: p.stream.ref },
            { Name: 'ConsumerName', Value: p.efoConsumer.attrConsumerName },
          ]);
        },
      ],
      ['a metric of another namespace', (p) => p.errorsAlarm.addPropertyOverride('Namespace', 'CdkKinesisPipeline')],
    ],
  },
  {
    rule: 'AlarmTopicPolicy',
    nonCompliant: [
      [
        "enforceSSL's policy alone (only the TLS Deny)",
        (p) =>
          p.alarmTopicPolicy.addPropertyOverride('PolicyDocument.Statement', [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Resource: p.alarmTopic.ref,
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ]),
      ],
      [
        "an Allow for the account's root only",
        (p) =>
          p.alarmTopicPolicy.addPropertyOverride('PolicyDocument.Statement', [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::123456789012:root' },
              Action: 'sns:Publish',
              Resource: p.alarmTopic.ref,
            },
          ]),
      ],
      [
        'an unconditional Deny of sns:* next to the Allow',
        (p) =>
          p.alarmTopicPolicy.addPropertyOverride('PolicyDocument.Statement', [
            { Effect: 'Deny', Principal: '*', Action: 'sns:*', Resource: '*' },
            {
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: p.alarmTopic.ref,
            },
          ]),
      ],
    ],
    compliant: [
      ['no topic policy (the default policy)', (p) => p.stack.node.tryRemoveChild(p.alarmTopicPolicy.node.id)],
      [
        'Principal "*" and SNS:* (IAM actions are case-insensitive)',
        (p) => {
          p.alarmTopicPolicy.addPropertyOverride('PolicyDocument.Statement.1.Principal', '*');
          p.alarmTopicPolicy.addPropertyOverride('PolicyDocument.Statement.1.Action', 'SNS:*');
        },
      ],
    ],
  },
  {
    rule: 'AlarmTopicKey',
    nonCompliant: [
      [
        'a key policy for the account only',
        (p) => p.alarmKey.addPropertyOverride('KeyPolicy.Statement', [p.alarmKey.keyPolicy.Statement[0]]),
      ],
      [
        'kms:Decrypt without kms:GenerateDataKey*',
        (p) => p.alarmKey.addPropertyOverride('KeyPolicy.Statement.1.Action', 'kms:Decrypt'),
      ],
    ],
    compliant: [
      ['kms:* for CloudWatch', (p) => p.alarmKey.addPropertyOverride('KeyPolicy.Statement.1.Action', 'kms:*')],
    ],
  },
  {
    rule: 'AlarmTopicManagedKey',
    nonCompliant: [
      ['alias/aws/sns', (p) => p.alarmTopic.addPropertyOverride('KmsMasterKeyId', 'alias/aws/sns')],
      [
        'the alias ARN of alias/aws/sns',
        (p) => p.alarmTopic.addPropertyOverride('KmsMasterKeyId', 'arn:aws:kms:eu-west-1:123456789012:alias/aws/sns'),
      ],
    ],
    compliant: [['an unencrypted topic', (p) => p.alarmTopic.addPropertyDeletionOverride('KmsMasterKeyId')]],
  },
  {
    rule: 'FirehoseBufferSize',
    nonCompliant: [
      ['5 MiB with Parquet conversion', (p) => p.delivery.addPropertyOverride(`${S3}.BufferingHints.SizeInMBs`, 5)],
      [
        '32 MiB with dynamic partitioning',
        (p) => {
          p.delivery.addPropertyDeletionOverride(`${S3}.DataFormatConversionConfiguration`);
          p.conversionAlarm.addPropertyOverride('MetricName', 'PartitionCount');
          p.delivery.addPropertyOverride(`${S3}.DynamicPartitioningConfiguration`, { Enabled: true });
          p.delivery.addPropertyOverride(`${S3}.BufferingHints.SizeInMBs`, 32);
        },
      ],
    ],
    notApplicable: [
      [
        '5 MiB without conversion or dynamic partitioning',
        (p) => {
          p.delivery.addPropertyDeletionOverride(`${S3}.DataFormatConversionConfiguration`);
          p.conversionAlarm.addPropertyOverride('MetricName', 'DeliveryToS3.Records');
          p.delivery.addPropertyOverride(`${S3}.BufferingHints.SizeInMBs`, 5);
        },
      ],
    ],
    compliant: [['exactly 64 MiB', (p) => p.delivery.addPropertyOverride(`${S3}.BufferingHints.SizeInMBs`, 64)]],
  },
  {
    rule: 'FirehoseErrorPrefix',
    nonCompliant: [
      [
        'no error prefix with an expression prefix',
        (p) => p.delivery.addPropertyDeletionOverride(`${S3}.ErrorOutputPrefix`),
      ],
      [
        'an expression error prefix without error-output-type',
        (p) => p.delivery.addPropertyOverride(`${S3}.ErrorOutputPrefix`, 'errors/!{timestamp:yyyy}/'),
      ],
    ],
    compliant: [['a fixed error prefix', (p) => p.delivery.addPropertyOverride(`${S3}.ErrorOutputPrefix`, 'errors/')]],
  },
  {
    rule: 'FirehosePrefixGrammar',
    nonCompliant: [
      [
        'an unknown DateTimeFormatter letter',
        (p) =>
          p.delivery.addPropertyOverride(
            `${S3}.ErrorOutputPrefix`,
            'errors/!{firehose:error-output-type}/!{timestamp:yyyy-bb}/',
          ),
      ],
      [
        'an unclosed expression',
        (p) =>
          p.delivery.addPropertyOverride(
            `${S3}.ErrorOutputPrefix`,
            'errors/!{firehose:error-output-type}/!{timestamp:yyyy/',
          ),
      ],
      [
        'an unknown firehose value',
        (p) =>
          p.delivery.addPropertyOverride(
            `${S3}.ErrorOutputPrefix`,
            'errors/!{firehose:error-output-type}/!{firehose:random}/',
          ),
      ],
      [
        'a partition key in the error prefix',
        (p) =>
          p.delivery.addPropertyOverride(
            `${S3}.ErrorOutputPrefix`,
            'errors/!{firehose:error-output-type}/!{partitionKeyFromLambda:tenant}/',
          ),
      ],
      [
        'error-output-type in the backup data prefix',
        (p) => {
          p.delivery.addPropertyOverride(`${S3}.S3BackupConfiguration.Prefix`, 'raw/!{firehose:error-output-type}/');
          p.delivery.addPropertyOverride(`${S3}.S3BackupConfiguration.ErrorOutputPrefix`, 'raw-errors/');
        },
      ],
      [
        'a partition key without dynamic partitioning',
        (p) => {
          p.delivery.addPropertyOverride(`${S3}.Prefix`, `${HOURLY_PREFIX}tenant=!{partitionKeyFromLambda:tenant}/`);
          p.table.addPropertyOverride('TableInput.Parameters.projection\\.enabled', 'false');
        },
      ],
      [
        'a query partition key without a MetadataExtraction processor',
        (p) => {
          p.delivery.addPropertyOverride(`${S3}.DynamicPartitioningConfiguration`, { Enabled: true });
          p.delivery.addPropertyOverride(`${S3}.Prefix`, `${HOURLY_PREFIX}tenant=!{partitionKeyFromQuery:tenant}/`);
          p.table.addPropertyOverride('TableInput.Parameters.projection\\.enabled', 'false');
        },
      ],
    ],
    compliant: [
      [
        'a Lambda partition key with dynamic partitioning and the Lambda processor',
        (p) => {
          p.delivery.addPropertyOverride(`${S3}.DynamicPartitioningConfiguration`, { Enabled: true });
          p.delivery.addPropertyOverride(`${S3}.Prefix`, `${HOURLY_PREFIX}tenant=!{partitionKeyFromLambda:tenant}/`);
          p.table.addPropertyOverride('TableInput.Parameters.projection\\.enabled', 'false');
        },
      ],
      [
        'quoted text and random-string',
        (p) => {
          p.delivery.addPropertyOverride(
            `${S3}.S3BackupConfiguration.Prefix`,
            "raw/!{timestamp:yyyy'h'HH}/!{firehose:random-string}/",
          );
          p.delivery.addPropertyOverride(`${S3}.S3BackupConfiguration.ErrorOutputPrefix`, 'raw-errors/');
        },
      ],
    ],
  },
  {
    rule: 'FirehoseProcessorBuffer',
    nonCompliant: [
      [
        'a 5 MB processor buffer',
        (p) =>
          p.delivery.addPropertyOverride(`${S3}.ProcessingConfiguration.Processors.0.Parameters.2.ParameterValue`, '5'),
      ],
      [
        'a 0.1 MB processor buffer',
        (p) =>
          p.delivery.addPropertyOverride(
            `${S3}.ProcessingConfiguration.Processors.0.Parameters.2.ParameterValue`,
            '0.1',
          ),
      ],
      [
        'a 901 s processor interval',
        (p) =>
          p.delivery.addPropertyOverride(
            `${S3}.ProcessingConfiguration.Processors.0.Parameters.3.ParameterValue`,
            '901',
          ),
      ],
    ],
    compliant: [
      [
        'a 0.2 MB processor buffer',
        (p) =>
          p.delivery.addPropertyOverride(
            `${S3}.ProcessingConfiguration.Processors.0.Parameters.2.ParameterValue`,
            '0.2',
          ),
      ],
    ],
  },
  {
    rule: 'FirehoseRolePolicies',
    nonCompliant: [['no DependsOn on the role policy', (p) => p.delivery.addDeletionOverride('DependsOn')]],
    compliant: [
      [
        'a dependency through another resource',
        (p) => {
          p.delivery.addDeletionOverride('DependsOn');
          p.delivery.addResourceDependency(p.table);
          p.table.addResourceDependency(p.deliveryPolicy);
        },
      ],
    ],
  },
  {
    rule: 'FirehoseProjectionLayout',
    nonCompliant: [
      [
        'HH written with 2 digits, projected without',
        (p) => p.table.addPropertyDeletionOverride('TableInput.Parameters.projection\\.hour\\.digits'),
      ],
      [
        'an hour range that misses hour 0',
        (p) => p.table.addPropertyOverride('TableInput.Parameters.projection\\.hour\\.range', '1,23'),
      ],
      [
        'a key named differently in the template',
        (p) =>
          p.table.addPropertyOverride('TableInput.Parameters.storage\\.location\\.template', {
            'Fn::Join': [
              '',
              ['s3://', { Ref: 'LakeBucket' }, '/data/year=${year}/month=${month}/day=${day}/hr=${hour}/'],
            ],
          }),
      ],
      [
        'the table in another bucket',
        (p) =>
          p.table.addPropertyOverride('TableInput.Parameters.storage\\.location\\.template', {
            'Fn::Join': [
              '',
              ['s3://', { Ref: 'FailureBucket' }, '/data/year=${year}/month=${month}/day=${day}/hour=${hour}/'],
            ],
          }),
      ],
      [
        'the table in another folder',
        (p) => p.delivery.addPropertyOverride(`${S3}.Prefix`, HOURLY_PREFIX.replace('data/', 'lake/')),
      ],
      [
        'no template and a layout without key= folders',
        (p) => {
          p.table.addPropertyDeletionOverride('TableInput.Parameters.storage\\.location\\.template');
          p.delivery.addPropertyOverride(
            `${S3}.Prefix`,
            'data/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/',
          );
        },
      ],
    ],
    compliant: [
      [
        'no template and Hive-style folders under the location',
        (p) => p.table.addPropertyDeletionOverride('TableInput.Parameters.storage\\.location\\.template'),
      ],
      [
        'a date projection matching one timestamp expression',
        (p) => {
          p.table.addPropertyOverride('TableInput.PartitionKeys', [{ Name: 'dt', Type: 'string' }]);
          p.table.addPropertyOverride('TableInput.Parameters', {
            'projection.enabled': 'true',
            'projection.dt.type': 'date',
            'projection.dt.range': '2020/01/01/00,NOW',
            'projection.dt.format': 'yyyy/MM/dd/HH',
            'projection.dt.interval': '1',
            'projection.dt.interval.unit': 'HOURS',
            'storage.location.template': { 'Fn::Join': ['', ['s3://', { Ref: 'LakeBucket' }, '/data/${dt}/']] },
          });
          p.delivery.addPropertyOverride(`${S3}.Prefix`, 'data/!{timestamp:yyyy/MM/dd/HH}/');
        },
      ],
    ],
  },
  {
    rule: 'GlueColumnNames',
    nonCompliant: [
      [
        'a camelCase column',
        (p) => p.table.addPropertyOverride('TableInput.StorageDescriptor.Columns.0.Name', 'eventTime'),
      ],
    ],
  },
  {
    rule: 'GlueColumnTypes',
    nonCompliant: [
      ['long', (p) => p.table.addPropertyOverride('TableInput.StorageDescriptor.Columns.3.Type', 'long')],
      [
        'an unclosed map',
        (p) => p.table.addPropertyOverride('TableInput.StorageDescriptor.Columns.4.Type', 'map<string,string'),
      ],
    ],
    compliant: [
      [
        'nested complex types',
        (p) =>
          p.table.addPropertyOverride(
            'TableInput.StorageDescriptor.Columns.4.Type',
            'array<struct<name:string, tags:map<string,array<varchar(20)>>, score:double>>',
          ),
      ],
    ],
  },
  {
    rule: 'GluePartitionKeyColumns',
    nonCompliant: [
      [
        'hour is a column too',
        (p) => p.table.addPropertyOverride('TableInput.StorageDescriptor.Columns.5', { Name: 'hour', Type: 'int' }),
      ],
    ],
  },
  {
    rule: 'GlueProjectionParameters',
    nonCompliant: [
      [
        'an integer key without range',
        (p) => p.table.addPropertyDeletionOverride('TableInput.Parameters.projection\\.month\\.range'),
      ],
      [
        'a key without a type',
        (p) => p.table.addPropertyDeletionOverride('TableInput.Parameters.projection\\.day\\.type'),
      ],
      [
        'an unknown type',
        (p) => p.table.addPropertyOverride('TableInput.Parameters.projection\\.day\\.type', 'number'),
      ],
    ],
    compliant: [
      [
        'an enum and an injected key',
        (p) => {
          p.table.addPropertyOverride('TableInput.PartitionKeys.4', { Name: 'tenant', Type: 'string' });
          p.table.addPropertyOverride('TableInput.Parameters.projection\\.tenant\\.type', 'injected');
          p.table.addPropertyOverride('TableInput.Parameters.projection\\.day\\.type', 'ENUM');
          p.table.addPropertyOverride('TableInput.Parameters.projection\\.day\\.values', '01,02');
          p.table.addPropertyOverride(
            'TableInput.Parameters.storage\\.location\\.template',
            's3://lake/data/year=${year}/month=${month}/day=${day}/hour=${hour}/tenant=${tenant}/',
          );
          p.delivery.addPropertyOverride(`${S3}.BucketARN`, 'arn:aws:s3:::lake');
          p.delivery.addPropertyOverride(`${S3}.DynamicPartitioningConfiguration`, { Enabled: true });
          p.delivery.addPropertyOverride(`${S3}.Prefix`, `${HOURLY_PREFIX}tenant=!{partitionKeyFromLambda:tenant}/`);
        },
      ],
    ],
  },
  {
    rule: 'StreamEncryption',
    nonCompliant: [['no StreamEncryption', (p) => p.stream.addPropertyDeletionOverride('StreamEncryption')]],
    compliant: [
      [
        "aws-cdk-lib's default: KMS unless the region has no Kinesis encryption",
        (p) =>
          p.stream.addPropertyOverride('StreamEncryption', {
            'Fn::If': [
              'KinesisEncryptionUnsupported',
              { Ref: 'AWS::NoValue' },
              { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
            ],
          }),
      ],
    ],
  },
  {
    rule: 'StreamOnDemandShardCount',
    nonCompliant: [
      ['ON_DEMAND with ShardCount', (p) => p.stream.addPropertyOverride('StreamModeDetails.StreamMode', 'ON_DEMAND')],
    ],
    compliant: [
      [
        'ON_DEMAND without ShardCount',
        (p) => {
          p.stream.addPropertyOverride('StreamModeDetails.StreamMode', 'ON_DEMAND');
          p.stream.addPropertyDeletionOverride('ShardCount');
        },
      ],
    ],
  },
  {
    rule: 'LambdaReservedConcurrency',
    nonCompliant: [
      [
        'ReservedConcurrentExecutions 1',
        (p) => p.consumerFunction.addPropertyOverride('ReservedConcurrentExecutions', 1),
      ],
    ],
    compliant: [
      [
        'ReservedConcurrentExecutions 0',
        (p) => p.consumerFunction.addPropertyOverride('ReservedConcurrentExecutions', 0),
      ],
    ],
  },
];
