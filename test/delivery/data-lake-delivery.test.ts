import { CfnParameter, Duration, Size, Stack } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ColumnType,
  DataLakeDelivery,
  JsonDeserializer,
  OutputFormat,
  PartitionKey,
  Partitioning,
  TableSchema,
  type DataLakeDeliveryProps,
} from '../../lib/delivery';
import { createTestStack } from '../support/app';
import { createApacheLogTransform } from '../../packages/runtime/src/apache-log/web-log';
import { processFirehoseRecords } from '../../packages/runtime/src/firehose-transform/transform';

const HOURLY = 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';

let stack: Stack;
let stream: kinesis.Stream;
beforeEach(() => {
  stack = createTestStack();
  stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS });
});

/**
 * Most tests here are about the reference web-log delivery (WEB_LOG table, reference transform,
 * Parquet): it is asked for unless the test gives its own transform or schema.
 */
function deliver(props: Partial<DataLakeDeliveryProps> = {}): { delivery: DataLakeDelivery; template: Template } {
  const reference = props.transform || props.schema ? {} : { referenceTransform: true };
  const delivery = new DataLakeDelivery(stack, 'Delivery', { stream, ...reference, ...props });
  return { delivery, template: Template.fromStack(stack) };
}

function customFunction(): lambda.Function {
  return new lambda.Function(stack, 'MyTransform', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ records: [] })'),
  });
}

describe('defaults: no schema, no transform', () => {
  // One synth: what a team gets from `new DataLakeDelivery(this, 'Lake', { stream })`.
  const s = createTestStack('NoSchema');
  const source = new kinesis.Stream(s, 'Stream');
  const delivery = new DataLakeDelivery(s, 'Delivery', { stream: source });
  const template = Template.fromStack(s);
  const destination = Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties
    .ExtendedS3DestinationConfiguration;

  test('GZIP-compressed JSON under the Hive prefixes, with the error prefix, 5 MiB buffers', () => {
    expect(destination).toMatchObject({
      Prefix: `data/${HOURLY}`,
      ErrorOutputPrefix: `errors/!{firehose:error-output-type}/${HOURLY}`,
      CompressionFormat: 'GZIP',
      BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
    });
    expect(destination.DataFormatConversionConfiguration).toBeUndefined();
    expect(delivery.outputFormat).toBe(OutputFormat.JSON);
    expect(delivery.conversionFormat).toBeUndefined();
  });

  test('source record backup to raw/ is still on', () => {
    expect(destination).toMatchObject({ S3BackupMode: 'Enabled', S3BackupConfiguration: { Prefix: 'raw/' } });
  });

  test('no Lambda: Firehose only appends a newline to each record (JSON Lines)', () => {
    expect(destination.ProcessingConfiguration).toEqual({
      Enabled: true,
      Processors: [{ Type: 'AppendDelimiterToRecord', Parameters: [] }],
    });
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(delivery.transformFunction).toBeUndefined();
    expect(delivery.lambdaProcessing).toBe(false);
  });

  test('no Glue database or table: there are no columns to declare', () => {
    template.resourceCountIs('AWS::Glue::Database', 0);
    template.resourceCountIs('AWS::Glue::Table', 0);
    expect(delivery.schema).toBeUndefined();
    expect(delivery.table).toBeUndefined();
    expect(delivery.database).toBeUndefined();
    expect(delivery.tableLocationPrefix).toBe('data/');
  });
});

describe('defaults with a schema and no transform', () => {
  const s = createTestStack('SchemaOnly');
  const source = new kinesis.Stream(s, 'Stream');
  const schema = TableSchema.fromColumns([
    { name: 'order_id', type: ColumnType.STRING },
    { name: 'amount', type: ColumnType.decimalOf(10, 2) },
  ]);
  const delivery = new DataLakeDelivery(s, 'Delivery', { stream: source, schema });
  const template = Template.fromStack(s);
  const destination = Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties
    .ExtendedS3DestinationConfiguration;

  test("Parquet through the Glue table of the schema; the producers' JSON is converted as it arrives", () => {
    expect(delivery.outputFormat).toBe(OutputFormat.PARQUET);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CompressionFormat: 'UNCOMPRESSED',
        BufferingHints: Match.objectLike({ SizeInMBs: 128 }),
        DataFormatConversionConfiguration: Match.objectLike({
          Enabled: true,
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: Match.anyValue() } },
          SchemaConfiguration: Match.objectLike({ TableName: s.resolve(delivery.table!.tableName) }),
        }),
      }),
    });
    // Conversion reads concatenated JSON objects; no processor, no Lambda.
    expect(destination.ProcessingConfiguration).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        StorageDescriptor: Match.objectLike({
          Columns: [
            { Name: 'order_id', Type: 'string' },
            { Name: 'amount', Type: 'decimal(10,2)' },
          ],
        }),
      }),
    });
  });
});

describe('the reference web-log delivery (referenceTransform)', () => {
  // One synth for every default assertion keeps this file fast.
  let delivery: DataLakeDelivery;
  let template: Template;
  let defaultStack: Stack;
  beforeAll(() => {
    defaultStack = createTestStack('Defaults');
    const s = new kinesis.Stream(defaultStack, 'Stream', { encryption: kinesis.StreamEncryption.KMS });
    delivery = new DataLakeDelivery(defaultStack, 'Delivery', { stream: s, referenceTransform: true });
    template = Template.fromStack(defaultStack);
  });
  beforeEach(() => {
    stack = defaultStack;
    stream = delivery.node.scope!.node.findChild('Stream') as kinesis.Stream;
  });

  test('ExtendedS3 destination: Hive data prefix, error prefix, buffer, compression, logging', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: stack.resolve(stream.streamArn) },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: stack.resolve(delivery.bucket.bucketArn),
        Prefix: `data/${HOURLY}`,
        ErrorOutputPrefix: `errors/!{firehose:error-output-type}/${HOURLY}`,
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 128 },
        CompressionFormat: 'UNCOMPRESSED',
        CloudWatchLoggingOptions: Match.objectLike({ Enabled: true }),
      }),
    });
    expect(delivery.dataOutputPrefix).toBe(`data/${HOURLY}`);
    expect(delivery.bufferingInterval.toSeconds()).toBe(300);
  });

  test('ProcessingConfiguration: the Lambda transform with its buffer hints', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'Lambda',
              Parameters: Match.arrayWith([
                { ParameterName: 'LambdaArn', ParameterValue: stack.resolve(delivery.transformFunction!.functionArn) },
                { ParameterName: 'BufferSizeInMBs', ParameterValue: '1' },
                { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '60' },
              ]),
            },
          ],
        },
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Description: Match.stringLikeRegexp('reference transform'),
    });
  });

  test('DataFormatConversion: OpenX JSON in, Parquet out, schema from the Glue table, LATEST', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        DataFormatConversionConfiguration: {
          Enabled: true,
          InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: {} } },
          SchemaConfiguration: Match.objectLike({
            DatabaseName: stack.resolve(delivery.database!.databaseName),
            TableName: stack.resolve((delivery.table!.node.defaultChild as glue.CfnTable).ref),
            VersionId: 'LATEST',
          }),
        },
      }),
    });
  });

  test('source record backup: Enabled, to raw/ in the same bucket, with a Glacier lifecycle rule', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        S3BackupMode: 'Enabled',
        S3BackupConfiguration: Match.objectLike({
          BucketARN: stack.resolve(delivery.bucket.bucketArn),
          Prefix: 'raw/',
        }),
      }),
    });
    expect(delivery.backupBucket).toBe(delivery.bucket);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'raw/', Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 30 }] }),
        ]),
      },
    });
  });

  test('the bucket has secure defaults and is retained', () => {
    const bucketId = stack.resolve(delivery.bucket.bucketName).Ref as string;
    const bucket = template.toJSON().Resources[bucketId];
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: expect.anything(),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('the Glue table: web-log columns, Parquet, partition keys, projection, location template', () => {
    expect(delivery.schema).toBe(TableSchema.WEB_LOG);
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        PartitionKeys: ['year', 'month', 'day', 'hour'].map((Name) => ({ Name, Type: 'int' })),
        StorageDescriptor: Match.objectLike({
          Columns: TableSchema.WEB_LOG.columns.map((c) => Match.objectLike({ Name: c.name, Type: c.type })),
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          Location: { 'Fn::Join': ['', ['s3://', stack.resolve(delivery.bucket.bucketName), '/data/']] },
        }),
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.year.type': 'integer',
          'projection.year.range': '2020,2099',
          'projection.month.digits': '2',
          'projection.hour.range': '0,23',
          'storage.location.template': {
            'Fn::Join': [
              '',
              [
                's3://',
                stack.resolve(delivery.bucket.bucketName),
                '/data/year=${year}/month=${month}/day=${day}/hour=${hour}/',
              ],
            ],
          },
        }),
      }),
    });
  });

  test('has_encrypted_data is false: Athena reads it for client-side encryption only, Firehose writes SSE objects', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({ Parameters: Match.objectLike({ has_encrypted_data: false }) }),
    });
  });

  test('conversionFormat names the format Firehose converts to (for the FailedConversion alarm)', () => {
    expect(delivery.conversionFormat).toBe('Parquet');
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('IAM is scoped to what Firehose uses', () => {
  function destinationPolicyStatements(delivery: DataLakeDelivery, template: Template): Array<Record<string, unknown>> {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [stack.resolve(delivery.destinationRole.roleName)] },
    });
    expect(Object.keys(policies)).not.toHaveLength(0);
    return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
  }

  test('glue:GetTable* on the catalog, database and table; lambda:InvokeFunction on the exact transform ARN', () => {
    const { delivery, template } = deliver();
    const statements = destinationPolicyStatements(delivery, template);
    const glueStatement = statements.find((s) => JSON.stringify(s.Action).includes('glue:GetTable'));
    expect(glueStatement?.Action).toEqual(['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions']);
    expect(JSON.stringify(glueStatement?.Resource)).toContain(
      JSON.stringify(stack.resolve((delivery.table!.node.defaultChild as glue.CfnTable).ref)),
    );
    const invoke = statements.find((s) => JSON.stringify(s.Action).includes('lambda:InvokeFunction'));
    expect(invoke).toEqual({
      Action: ['lambda:GetFunctionConfiguration', 'lambda:InvokeFunction'],
      Effect: 'Allow',
      Resource: stack.resolve(delivery.transformFunction!.functionArn),
    });
  });

  test('Kinesis read on the stream plus kms:Decrypt on its customer key', () => {
    const { template } = deliver();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['kinesis:GetRecords', 'kinesis:GetShardIterator']),
            Resource: stack.resolve(stream.streamArn),
          }),
          { Action: 'kms:Decrypt', Effect: 'Allow', Resource: stack.resolve(stream.encryptionKey!.keyArn) },
        ]),
      },
    });
  });

  test('an imported stream with a customer key gets kms:Decrypt; one without gets none', () => {
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/abcd');
    const imported = kinesis.Stream.fromStreamAttributes(stack, 'Imported', {
      streamArn: 'arn:aws:kinesis:eu-west-1:111111111111:stream/logs',
      encryptionKey: key,
    });
    const { template } = deliver({ stream: imported });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'kms:Decrypt', Effect: 'Allow', Resource: 'arn:aws:kms:eu-west-1:111111111111:key/abcd' },
        ]),
      },
    });

    const plainStack = createTestStack('Plain');
    const plain = kinesis.Stream.fromStreamArn(plainStack, 'S', 'arn:aws:kinesis:eu-west-1:111111111111:stream/logs');
    new DataLakeDelivery(plainStack, 'Delivery', { stream: plain });
    expect(JSON.stringify(Template.fromStack(plainStack).findResources('AWS::IAM::Policy'))).not.toContain(
      'kms:Decrypt',
    );
  });

  test('the reference transform role writes only to its own log group (no managed policy)', () => {
    const { template } = deliver();
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
    });
  });
});

describe('one partitioning definition drives the prefix, the Glue keys and the projection', () => {
  const layouts: Array<[string, Partitioning]> = [
    ['hourly', Partitioning.hourly()],
    ['daily', Partitioning.daily({ startYear: 2024 })],
    [
      'custom with a record field',
      Partitioning.custom([
        PartitionKey.timestamp('yr', 'yyyy'),
        PartitionKey.timestamp('mo', 'MM'),
        PartitionKey.fromRecordField('log_kind', { values: ['access', 'error'] }),
      ]),
    ],
    [
      'hourly plus an injected record field',
      Partitioning.hourly({ recordFields: [PartitionKey.fromRecordField('tenant')] }),
    ],
    ['hourly by event time', Partitioning.hourly({ eventTimeField: 'event_time' })],
    [
      'daily by event time plus a record field',
      Partitioning.daily({ eventTimeField: 'event_time', recordFields: [PartitionKey.fromRecordField('tenant')] }),
    ],
  ];

  test.each(layouts)('%s', (_name, partitioning) => {
    const props: Partial<DataLakeDeliveryProps> = partitioning.isDynamic
      ? {
          partitioning,
          bufferingInterval: Duration.seconds(60),
          schema: TableSchema.fromColumns([
            { name: 'message', type: ColumnType.STRING },
            { name: 'event_time', type: ColumnType.TIMESTAMP },
          ]),
          transform: customFunction(),
        }
      : { partitioning };
    const { delivery, template } = deliver(props);
    const destination = Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties
      .ExtendedS3DestinationConfiguration;
    const table = Object.values(template.findResources('AWS::Glue::Table'))[0].Properties.TableInput;

    const fromPrefix = [...(destination.Prefix as string).matchAll(/([a-z_]+)=!\{[^}]+\}\//g)].map((m) => m[1]);
    const fromGlue = (table.PartitionKeys as Array<{ Name: string }>).map((k) => k.Name);
    const template_ = JSON.stringify(table.Parameters['storage.location.template']);
    const fromTemplate = [...template_.matchAll(/([a-z_]+)=\$\{([a-z_]+)\}\//g)].map((m) => {
      expect(m[1]).toBe(m[2]);
      return m[1];
    });
    const projected = Object.keys(table.Parameters)
      .filter((k) => k.endsWith('.type'))
      .map((k) => k.split('.')[1]);

    expect(fromPrefix).toEqual(partitioning.keys.map((k) => k.name));
    expect(fromGlue).toEqual(fromPrefix);
    expect(fromTemplate).toEqual(fromPrefix);
    expect(projected).toEqual(fromPrefix);
    // the data root is the same in the prefix and the template
    expect(destination.Prefix.startsWith(delivery.tableLocationPrefix)).toBe(true);
    expect(template_).toContain(`/${delivery.tableLocationPrefix}${fromPrefix[0]}=`);
    // the error prefix carries the time keys only (arrival time), never a record value
    expect(destination.ErrorOutputPrefix).not.toContain('partitionKeyFrom');
    const timeKeys = partitioning.keys.filter((k) => k.errorExpression !== undefined).map((k) => k.name);
    expect(
      [...(destination.ErrorOutputPrefix as string).matchAll(/([a-z_]+)=!\{timestamp:/g)].map((m) => m[1]),
    ).toEqual(timeKeys);
    // a time key's digits match the width of its format (arrival time or event time)
    for (const key of partitioning.keys.filter((k) => k.errorExpression !== undefined)) {
      const format = /!\{timestamp:([^}]+)\}/.exec(key.errorExpression!)![1];
      expect(table.Parameters[`projection.${key.name}.digits`]).toBe(String(format.length));
      expect(table.Parameters[`projection.${key.name}.type`]).toBe('integer');
    }
    // every partitionKeyFromQuery key has its jq query, and no other
    const processors =
      (destination.ProcessingConfiguration.Processors as Array<{ Type: string; Parameters: any[] }>) ?? [];
    const extraction = processors.find((p) => p.Type === 'MetadataExtraction');
    const fromQuery = [...(destination.Prefix as string).matchAll(/!\{partitionKeyFromQuery:([a-z_]+)\}/g)].map(
      (m) => m[1],
    );
    if (fromQuery.length > 0) {
      const query = extraction!.Parameters.find((p) => p.ParameterName === 'MetadataExtractionQuery').ParameterValue;
      expect(Object.keys(JSON.parse(jqObjectKeys(query)))).toEqual(fromQuery);
    } else {
      expect(extraction).toBeUndefined();
    }
    if (partitioning.isDynamic) {
      expect(destination.DynamicPartitioningConfiguration).toEqual({ Enabled: true });
    } else {
      expect(destination.DynamicPartitioningConfiguration).toBeUndefined();
    }
  });

  test('record-field keys: enum or injected projection, and the reference transform learns the field', () => {
    const { template } = deliver({
      partitioning: Partitioning.hourly({
        recordFields: [
          PartitionKey.fromRecordField('kind', { field: 'log_type', values: ['access', 'error', 'unparsed'] }),
        ],
      }),
      bufferingInterval: Duration.seconds(60),
    });
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Parameters: Match.objectLike({
          'projection.kind.type': 'enum',
          'projection.kind.values': 'access,error,unparsed',
        }),
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PARTITION_KEY_FIELDS: 'kind:log_type' }) },
    });
  });
});

/** The keys of a jq object construction `{"a":q1,"b":q2}` as a JSON object of nulls (for comparing key order). */
function jqObjectKeys(query: string): string {
  return `{${[...query.matchAll(/(?:^\{|,)("[a-z_]+"):/g)].map((m) => `${m[1]}:null`).join(',')}}`;
}

describe('event-time partitioning', () => {
  let destination: any;
  let template: Template;
  beforeAll(() => {
    const s = createTestStack('EventTime');
    const source = new kinesis.Stream(s, 'Stream');
    new DataLakeDelivery(s, 'Delivery', {
      stream: source,
      referenceTransform: true,
      partitioning: Partitioning.hourly({ eventTimeField: 'event_time' }),
      bufferingInterval: Duration.seconds(60),
    });
    template = Template.fromStack(s);
    destination = Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties
      .ExtendedS3DestinationConfiguration;
  });

  test('prefix from the row time (partitionKeyFromQuery), error prefix from the arrival time, dynamic partitioning on', () => {
    expect(destination.Prefix).toBe(
      'data/year=!{partitionKeyFromQuery:year}/month=!{partitionKeyFromQuery:month}/day=!{partitionKeyFromQuery:day}/hour=!{partitionKeyFromQuery:hour}/',
    );
    expect(destination.ErrorOutputPrefix).toBe(`errors/!{firehose:error-output-type}/${HOURLY}`);
    expect(destination.DynamicPartitioningConfiguration).toEqual({ Enabled: true });
  });

  test('lines are split before the transform, keys are parsed by jq 1.6 after it', () => {
    const processors = destination.ProcessingConfiguration.Processors as Array<{ Type: string; Parameters: any[] }>;
    expect(processors.map((p) => p.Type)).toEqual(['RecordDeAggregation', 'Lambda', 'MetadataExtraction']);
    expect(processors[0].Parameters).toEqual([
      { ParameterName: 'SubRecordType', ParameterValue: 'DELIMITED' },
      { ParameterName: 'Delimiter', ParameterValue: Buffer.from('\n').toString('base64') },
    ]);
    expect(processors[2].Parameters).toEqual(
      expect.arrayContaining([{ ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' }]),
    );
  });

  test('the reference transform is not asked for the time keys (Firehose parses them)', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('reference transform'),
      Environment: { Variables: Match.objectLike({ PARTITION_KEY_FIELDS: Match.absent() }) },
    });
  });

  // jq 1.6 is Firehose's engine (JsonParsingEngine JQ-1.6). Run the synthesized query on rows the
  // reference transform writes from real Apache lines on both sides of an hour boundary.
  const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' });
  const jqAvailable = jq.status === 0 && /^jq-1\.6/.test(jq.stdout.trim());
  if (!jqAvailable) {
    console.warn('event-time jq test skipped: jq 1.6 is not installed (apt-get install jq)');
  }
  (jqAvailable ? test : test.skip)('the query puts each row in the UTC hour of its own time (jq 1.6)', async () => {
    const query = destination.ProcessingConfiguration.Processors[2].Parameters.find(
      (p: any) => p.ParameterName === 'MetadataExtractionQuery',
    ).ParameterValue as string;
    const lines = [
      // 23:59:59 at +0200 is 21:59:59 UTC; the next second is 22:00:00 UTC, another partition.
      '203.0.113.9 - - [31/Mar/2024:23:59:59 +0200] "GET /a HTTP/1.1" 200 12 "-" "curl/8.0"',
      '203.0.113.9 - - [01/Apr/2024:00:00:00 +0200] "GET /b HTTP/1.1" 200 12 "-" "curl/8.0"',
      // An error-log line carries no offset: its time is taken as UTC.
      '[Tue Dec 31 23:30:00.000000 2024] [core:error] [pid 1] AH00124: end of year',
      'a line that is neither access nor error log',
    ];
    const event = {
      invocationId: 'i',
      records: lines.map((line, i) => ({ recordId: String(i), data: Buffer.from(line).toString('base64') })),
    };
    const report = await processFirehoseRecords(event as never, createApacheLogTransform());
    const rows = report.response.records.map((r) => Buffer.from(r.data, 'base64').toString('utf8'));
    const keys = rows.map((row) => {
      const out = spawnSync('jq', ['-c', query], { input: row, encoding: 'utf8' });
      expect(out.stderr).toBe('');
      return JSON.parse(out.stdout) as Record<string, string>;
    });
    expect(keys[0]).toEqual({ year: '2024', month: '03', day: '31', hour: '21' });
    expect(keys[1]).toEqual({ year: '2024', month: '03', day: '31', hour: '22' });
    expect(keys[2]).toEqual({ year: '2024', month: '12', day: '31', hour: '23' });
    // A row without event_time: the time Firehose processes it (UTC).
    const now = new Date().toISOString();
    expect(`${keys[3].year}-${keys[3].month}-${keys[3].day}T${keys[3].hour}`).toBe(now.slice(0, 13));
  });
});

describe('the delivery stream waits for its source role policy in every import mode', () => {
  // Firehose checks at creation that its role may read the stream ("not authorized to perform
  // kinesis:DescribeStream"); without the dependency, CloudFormation may create it first.
  const ARN = 'arn:aws:kinesis:eu-west-1:111111111111:stream/logs';
  const modes: Array<[string, (s: Stack) => kinesis.IStream, { account: string; region: string } | undefined]> = [
    ['a stream of the same stack', (s) => new kinesis.Stream(s, 'Source'), undefined],
    [
      'same account, literal ARN',
      (s) => kinesis.Stream.fromStreamArn(s, 'Source', ARN),
      { account: '111111111111', region: 'eu-west-1' },
    ],
    [
      'token ARN',
      (s) => kinesis.Stream.fromStreamArn(s, 'Source', new CfnParameter(s, 'Arn').valueAsString),
      undefined,
    ],
    ['literal ARN in an environment-agnostic stack', (s) => kinesis.Stream.fromStreamArn(s, 'Source', ARN), undefined],
    [
      'cross-account',
      (s) => kinesis.Stream.fromStreamArn(s, 'Source', ARN),
      { account: '222222222222', region: 'eu-west-1' },
    ],
  ];
  test.each(modes)('%s', (_name, source, env) => {
    const s = createTestStack('Import', { env });
    const delivery = new DataLakeDelivery(s, 'Delivery', { stream: source(s) });
    const resources = Template.fromStack(s).toJSON().Resources as Record<string, any>;
    const readPolicies = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes('kinesis:GetRecords'))
      .map(([id]) => id);
    expect(readPolicies).toHaveLength(1);
    const deliveryId = s.getLogicalId(delivery.deliveryStream.node.defaultChild as firehose.CfnDeliveryStream);
    expect(resources[deliveryId].DependsOn).toEqual(expect.arrayContaining(readPolicies));
  });
});

describe('options', () => {
  test('existing bucket, separate backup bucket, own transform, named database and table', () => {
    const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'my-lake');
    const backupBucket = s3.Bucket.fromBucketName(stack, 'Backup', 'my-raw');
    const transform = customFunction();
    const schema = TableSchema.fromColumns([{ name: 'message', type: ColumnType.STRING }]);
    const { delivery, template } = deliver({
      bucket,
      backupBucket,
      transform,
      schema,
      databaseName: 'lake',
      tableName: 'events',
    });
    expect(delivery.transformFunction).toBe(transform);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Description: Match.stringLikeRegexp('reference') },
      0,
    );
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-lake']] },
        S3BackupConfiguration: Match.objectLike({
          BucketARN: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-raw']] },
        }),
      }),
    });
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'lake' } });
    template.hasResourceProperties('AWS::Glue::Table', { TableInput: Match.objectLike({ Name: 'events' }) });
  });

  test('ORC output and the Hive JSON deserializer', () => {
    const { delivery, template } = deliver({ outputFormat: OutputFormat.ORC, jsonDeserializer: JsonDeserializer.HIVE });
    expect(delivery.conversionFormat).toBe('ORC');
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        DataFormatConversionConfiguration: Match.objectLike({
          InputFormatConfiguration: { Deserializer: { HiveJsonSerDe: {} } },
          OutputFormatConfiguration: { Serializer: { OrcSerDe: {} } },
        }),
      }),
    });
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        StorageDescriptor: Match.objectLike({ InputFormat: 'org.apache.hadoop.hive.ql.io.orc.OrcInputFormat' }),
      }),
    });
  });

  test('JSON output: no conversion, compression allowed, small buffers', () => {
    const { delivery, template } = deliver({
      outputFormat: OutputFormat.JSON,
      compression: firehose.Compression.GZIP,
      bufferingSize: Size.mebibytes(5),
    });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CompressionFormat: 'GZIP',
        DataFormatConversionConfiguration: Match.absent(),
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
      }),
    });
    expect(delivery.conversionFormat).toBeUndefined();
  });

  test('dotted column names: OpenX converts dots to underscores and Glue gets the underscore name', () => {
    const schema = TableSchema.fromColumns([{ name: 'http.status', type: ColumnType.INT }]);
    const { template } = deliver({ schema, transform: customFunction() });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        DataFormatConversionConfiguration: Match.objectLike({
          InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: { ConvertDotsInJsonKeysToUnderscores: true } } },
        }),
      }),
    });
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        StorageDescriptor: Match.objectLike({ Columns: [{ Name: 'http_status', Type: 'int' }] }),
      }),
    });
  });

  test('fractional transform buffer size and custom intervals', () => {
    const { template } = deliver({
      transformBufferSize: Size.kibibytes(512),
      transformBufferInterval: Duration.seconds(30),
      bufferingInterval: Duration.seconds(0),
    });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 128 },
        ProcessingConfiguration: Match.objectLike({
          Processors: [
            Match.objectLike({
              Parameters: Match.arrayWith([
                { ParameterName: 'BufferSizeInMBs', ParameterValue: '0.5' },
                { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '30' },
              ]),
            }),
          ],
        }),
      }),
    });
  });

  test('token values are not validated at synth', () => {
    const seconds = new CfnParameter(stack, 'Seconds', { type: 'Number' }).valueAsNumber;
    const mib = new CfnParameter(stack, 'MiB', { type: 'Number' }).valueAsNumber;
    expect(() =>
      deliver({
        bufferingInterval: Duration.seconds(seconds),
        bufferingSize: Size.mebibytes(mib),
        transformBufferSize: Size.mebibytes(mib),
        transformBufferInterval: Duration.seconds(seconds),
      }),
    ).not.toThrow();
  });
});

describe('metrics', () => {
  test.each([
    ['metricDataFreshness', 'DeliveryToS3.DataFreshness', 'Maximum'],
    ['metricDeliveryToS3Success', 'DeliveryToS3.Success', 'Average'],
    ['metricExecuteProcessingSuccess', 'ExecuteProcessing.Success', 'Average'],
    ['metricFailedConversionRecords', 'FailedConversion.Records', 'Sum'],
    ['metricThrottledGetRecords', 'ThrottledGetRecords', 'Sum'],
    ['metricKinesisMillisBehindLatest', 'KinesisMillisBehindLatest', 'Maximum'],
  ] as const)('%s: AWS/Firehose %s (%s) by DeliveryStreamName', (method, metricName, statistic) => {
    const { delivery } = deliver();
    const metric = delivery[method]();
    expect(metric.namespace).toBe('AWS/Firehose');
    expect(metric.metricName).toBe(metricName);
    expect(metric.statistic).toBe(statistic);
    expect(stack.resolve(metric.dimensions)).toEqual({
      DeliveryStreamName: stack.resolve(delivery.deliveryStream.deliveryStreamName),
    });
    expect(delivery[method]({ statistic: 'p99' }).statistic).toBe('p99');
  });
});
