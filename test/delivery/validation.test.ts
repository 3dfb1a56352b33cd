import { CfnParameter, Duration, Size, type Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
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
  OutputPrefixes,
  type DataLakeDeliveryProps,
} from '../../lib/delivery';
import { createTestStack } from '../support/app';

const HOURLY = 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';

let stack: Stack;
let stream: kinesis.IStream;
let transform: lambda.IFunction;
beforeEach(() => {
  stack = createTestStack();
  stream = kinesis.Stream.fromStreamArn(stack, 'Stream', 'arn:aws:kinesis:us-east-1:111111111111:stream/logs');
  transform = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:111111111111:function:t');
});

let counter = 0;
// A fresh id per call: a constructor that threw leaves its half-built scope behind. The reference
// web-log delivery unless the test gives its own transform or schema.
const build = (props: Partial<DataLakeDeliveryProps>) => () =>
  new DataLakeDelivery(stack, `D${counter++}`, {
    stream,
    ...(props.transform || props.schema ? {} : { referenceTransform: true }),
    ...props,
  });
// Exactly the props given: the construct's own defaults.
const buildBare = (props: Partial<DataLakeDeliveryProps>) => () =>
  new DataLakeDelivery(stack, `D${counter++}`, { stream, ...props });
const schemaOf = (...names: string[]) =>
  TableSchema.fromColumns(names.map((name) => ({ name, type: ColumnType.STRING })));

describe('buffering', () => {
  test('bufferingSize below 64 MiB with conversion', () => {
    expect(build({ bufferingSize: Size.mebibytes(32) })).toThrow(
      /^bufferingSize must be between 64 and 128 MiB \(whole MiB\) with PARQUET conversion\. Received 32$/,
    );
    expect(build({ bufferingSize: Size.mebibytes(129) })).toThrow(
      /bufferingSize must be between 64 and 128 MiB.*Received 129/,
    );
    expect(build({ bufferingSize: Size.mebibytes(64) })).not.toThrow();
  });

  test('bufferingSize with JSON output may be small, but not 0', () => {
    expect(build({ outputFormat: OutputFormat.JSON, bufferingSize: Size.mebibytes(1) })).not.toThrow();
    expect(build({ outputFormat: OutputFormat.JSON, bufferingSize: Size.kibibytes(512) })).toThrow(
      /bufferingSize must be between 1 and 128 MiB \(whole MiB\)\. Received 0\.5/,
    );
  });

  test('bufferingInterval outside 0..900 s', () => {
    expect(build({ bufferingInterval: Duration.seconds(901) })).toThrow(
      /^bufferingInterval must be between 0 and 900 seconds \(whole seconds\)\. Received 901 seconds$/,
    );
    expect(build({ bufferingInterval: Duration.minutes(16) })).toThrow(/bufferingInterval.*Received 960/);
  });

  test('bufferingInterval below 60 s with dynamic partitioning', () => {
    const partitioning = Partitioning.hourly({ recordFields: [PartitionKey.fromRecordField('tenant')] });
    expect(
      build({ partitioning, transform, schema: schemaOf('message'), bufferingInterval: Duration.seconds(30) }),
    ).toThrow(
      /bufferingInterval must be between 60 and 900 seconds \(whole seconds\) with dynamic partitioning\. Received 30 seconds/,
    );
  });

  test('transformBufferSize outside 0.2..3 MB', () => {
    expect(build({ transformBufferSize: Size.kibibytes(100) })).toThrow(
      /^transformBufferSize must be between 0\.2 and 3 MB\. Received 0\.09765625$/,
    );
    expect(build({ transformBufferSize: Size.mebibytes(4) })).toThrow(
      /transformBufferSize must be between 0\.2 and 3 MB\. Received 4/,
    );
  });

  test('NaN and infinite sizes name the prop (a range check x < min || x > max let NaN reach the template)', () => {
    expect(build({ bufferingSize: Size.mebibytes(NaN) })).toThrow(
      /^bufferingSize must be between 64 and 128 MiB .*Received NaN$/,
    );
    expect(build({ bufferingSize: Size.mebibytes(Infinity) })).toThrow(/^bufferingSize .*Received Infinity$/);
    expect(build({ transformBufferSize: Size.mebibytes(NaN) })).toThrow(
      /^transformBufferSize must be between 0\.2 and 3 MB\. Received NaN$/,
    );
  });

  test('names and prefixes outside what Glue, Athena and Firehose take', () => {
    expect(build({ tableName: 'Web Logs' })).toThrow(
      /^tableName must be 1 to 255 characters of a-z, 0-9 and '_'.*Received 'Web Logs'$/,
    );
    expect(build({ databaseName: '' })).toThrow(/^databaseName must be 1 to 255 characters.*Received ''$/);
    expect(build({ errorOutputPrefix: `errors/!{firehose:error-output-type}/${'e'.repeat(1024)}/` })).toThrow(
      /^errorOutputPrefix must be at most 1024 characters\. Received 'errors\/.*\(1062 characters\)$/,
    );
  });

  test('Durations that are NaN, infinite or not whole seconds/days name the prop (aws-cdk-lib would not)', () => {
    expect(build({ bufferingInterval: Duration.seconds(NaN) })).toThrow(
      /^bufferingInterval must be between 0 and 900 seconds \(whole seconds\)\. Received NaN seconds$/,
    );
    expect(build({ bufferingInterval: Duration.millis(1500) })).toThrow(/bufferingInterval.*Received 1\.5 seconds/);
    expect(build({ transformBufferInterval: Duration.minutes(Infinity) })).toThrow(
      /transformBufferInterval.*Received Infinity seconds/,
    );
    expect(build({ rawBackupGlacierTransitionAfter: Duration.hours(36) })).toThrow(
      /^rawBackupGlacierTransitionAfter must be at least 0 days \(whole days\)\. Received 1\.5 days$/,
    );
  });

  test('transformBufferInterval outside 0..900 s', () => {
    expect(build({ transformBufferInterval: Duration.seconds(1000) })).toThrow(
      /transformBufferInterval must be between 0 and 900 seconds \(whole seconds\)\. Received 1000 seconds/,
    );
  });

  test('compression together with conversion', () => {
    expect(build({ compression: firehose.Compression.GZIP })).toThrow(
      /compression can only be set with outputFormat JSON.*Received compression GZIP with outputFormat PARQUET/,
    );
    expect(build({ compression: firehose.Compression.UNCOMPRESSED, outputFormat: OutputFormat.ORC })).toThrow(
      /Received compression UNCOMPRESSED with outputFormat ORC/,
    );
  });
});

describe('prefixes', () => {
  test('a data prefix with expressions and no error prefix', () => {
    expect(build({ errorOutputPrefix: '' })).toThrow(
      `errorOutputPrefix is required when dataOutputPrefix uses expressions. Received dataOutputPrefix 'data/${HOURLY}' and an empty errorOutputPrefix`,
    );
    expect(() => OutputPrefixes.validate('data/!{timestamp:yyyy}/', undefined, false)).toThrow(
      /errorOutputPrefix is required.*Received dataOutputPrefix 'data\/!\{timestamp:yyyy\}\/' and no errorOutputPrefix/,
    );
  });

  test('an error prefix with expressions but no !{firehose:error-output-type}', () => {
    expect(build({ errorOutputPrefix: 'errors/!{timestamp:yyyy}/' })).toThrow(
      "errorOutputPrefix must contain !{firehose:error-output-type} when it uses expressions. Received 'errors/!{timestamp:yyyy}/'",
    );
  });

  test('!{firehose:error-output-type} in the data prefix', () => {
    expect(build({ dataOutputPrefix: `data/!{firehose:error-output-type}/${HOURLY}` })).toThrow(
      /^dataOutputPrefix must not contain !\{firehose:error-output-type\}\. Received 'data\/!\{firehose:error-output-type\}\//,
    );
  });

  test('partitionKeyFrom* in the error prefix', () => {
    expect(
      build({ errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{partitionKeyFromLambda:tenant}/' }),
    ).toThrow(
      /errorOutputPrefix must not use !\{partitionKeyFromLambda:…\} or !\{partitionKeyFromQuery:…\}\. Received 'errors\/!\{firehose:error-output-type\}\/!\{partitionKeyFromLambda:tenant\}\/'/,
    );
  });

  test('partitionKeyFrom* in the data prefix without dynamic partitioning', () => {
    expect(build({ dataOutputPrefix: `data/!{partitionKeyFromQuery:tenant}/${HOURLY}` })).toThrow(
      /dataOutputPrefix uses !\{partitionKeyFrom…\} but dynamic partitioning is off.*Received 'data\/!\{partitionKeyFromQuery:tenant\}\//,
    );
  });

  test('an unknown !{namespace:…}', () => {
    expect(build({ dataOutputPrefix: `data/!{timestmp:yyyy}/${HOURLY}` })).toThrow(
      /^dataOutputPrefix has an unknown expression !\{timestmp:yyyy\}: allowed are .*Received 'data\/!\{timestmp:yyyy\}\//,
    );
    expect(build({ errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{firehose:nope}/' })).toThrow(
      /errorOutputPrefix has an unknown expression !\{firehose:nope\}/,
    );
    expect(() => OutputPrefixes.validate('data/!{timestamp:yyyy/', 'e/', false)).toThrow(/unclosed !\{ expression/);
  });

  test('a data prefix that does not end with the partitioning layout, or has no fixed root', () => {
    expect(build({ dataOutputPrefix: 'data/dt=!{timestamp:yyyy-MM-dd}/' })).toThrow(
      /dataOutputPrefix must end with the partitioning layout 'year=.*Received 'data\/dt=!\{timestamp:yyyy-MM-dd\}\/'/,
    );
    expect(build({ dataOutputPrefix: HOURLY })).toThrow(/dataOutputPrefix must start with a fixed folder/);
  });

  test('a token data prefix fails (the table location derives from it); a token error prefix passes', () => {
    const prefix = (id: string) => new CfnParameter(stack, id).valueAsString;
    expect(build({ dataOutputPrefix: prefix('Data') })).toThrow(
      /^dataOutputPrefix must be a literal string \(the table location derives from it\)\. Received a token$/,
    );
    expect(build({ errorOutputPrefix: prefix('Errors') })).not.toThrow();
  });

  test('valid custom prefixes pass', () => {
    expect(
      build({
        dataOutputPrefix: `lake/web/${HOURLY}`,
        errorOutputPrefix: 'failed/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
      }),
    ).not.toThrow();
    expect(() => OutputPrefixes.validate('plain/', '', false)).not.toThrow();
    expect(() =>
      OutputPrefixes.validate('d/!{partitionKeyFromLambda:k}/', 'e/!{firehose:error-output-type}/', true),
    ).not.toThrow();
  });
});

describe('schema', () => {
  test('an empty schema', () => {
    expect(() => TableSchema.fromColumns([])).toThrow(/^schema must have at least one column\. Received 0 columns$/);
  });

  test('empty, uppercase, duplicate, odd-character column names', () => {
    expect(() => schemaOf('a', '')).toThrow("column name must not be empty. Received '' (column 1)");
    expect(() => schemaOf('Status')).toThrow(/column name must be lowercase.*Received 'Status'/);
    expect(() => schemaOf('status', 'status')).toThrow(/column names must be unique.*Received 'status' and 'status'/);
    expect(() => schemaOf('a.b', 'a_b')).toThrow(
      /column names must be unique \(a '\.' counts as '_'\)\. Received 'a_b' and 'a\.b'/,
    );
    expect(() => schemaOf('a-b')).toThrow(/column name may only contain a-z, 0-9, '_' and '\.'\. Received 'a-b'/);
  });

  test('an invalid column type', () => {
    expect(() => TableSchema.fromColumns([{ name: 'a', type: 'varchar' }])).toThrow(
      /column 'a' has an invalid type\. Received 'varchar'/,
    );
    expect(() => ColumnType.decimalOf(39, 2)).toThrow(/precision must be 1\.\.38/);
    expect(ColumnType.structOf([{ name: 'lat', type: ColumnType.DOUBLE }])).toBe('struct<lat:double>');
    expect(ColumnType.mapOf(ColumnType.STRING, ColumnType.arrayOf(ColumnType.BIGINT))).toBe(
      'map<string,array<bigint>>',
    );
  });

  test('a partition key that is also a column', () => {
    expect(build({ schema: schemaOf('message', 'hour'), transform })).toThrow(
      /^partition key 'hour' is also a column of the schema.*Received 'hour'$/,
    );
  });

  test('a record-field key the reference transform does not write', () => {
    const partitioning = Partitioning.hourly({ recordFields: [PartitionKey.fromRecordField('tenant')] });
    expect(build({ partitioning, bufferingInterval: Duration.seconds(60) })).toThrow(
      /partition key 'tenant' takes its value from field 'tenant', which the reference transform does not write.*Received 'tenant'/,
    );
  });

  test('the Hive JSON SerDe with a dotted column name', () => {
    expect(
      build({ schema: schemaOf('http.status', 'message'), transform, jsonDeserializer: JsonDeserializer.HIVE }),
    ).toThrow(/jsonDeserializer HIVE cannot read dotted keys; use OPENX.*Received column names http\.status/);
  });
});

describe('props for created resources only', () => {
  test('rawBackupGlacierTransitionAfter with a bucket or backupBucket of yours', () => {
    const bucket = s3.Bucket.fromBucketName(stack, 'Lake', 'my-lake');
    const backupBucket = s3.Bucket.fromBucketName(stack, 'Raw', 'my-raw');
    const rawBackupGlacierTransitionAfter = Duration.days(90);
    expect(build({ bucket, rawBackupGlacierTransitionAfter })).toThrow(
      /^rawBackupGlacierTransitionAfter only applies when the construct creates the bucket holding raw\/.* Received rawBackupGlacierTransitionAfter 90 days with bucket$/,
    );
    expect(build({ backupBucket, rawBackupGlacierTransitionAfter })).toThrow(/Received .* with backupBucket$/);
    expect(build({ rawBackupGlacierTransitionAfter })).not.toThrow();
  });

  test('databaseName with an existing database', () => {
    const database = glue.Database.fromDatabaseArn(stack, 'Db', 'arn:aws:glue:us-east-1:111111111111:database/lake');
    expect(build({ database, databaseName: 'other' })).toThrow(
      /^databaseName names the database the construct creates, not an existing one\. Received databaseName 'other' with database$/,
    );
    expect(build({ database })).not.toThrow();
  });
});

describe('partitioning', () => {
  test('token projection bounds are not checked at synth', () => {
    const year = (id: string) => new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber;
    expect(() => Partitioning.hourly({ startYear: year('Start'), endYear: year('End') })).not.toThrow();
  });

  test('invalid keys', () => {
    expect(() => PartitionKey.timestamp('year', 'yy')).toThrow(
      /format of partition key 'year' must be one of .*Received 'yy'/,
    );
    expect(() => PartitionKey.timestamp('Year', 'yyyy')).toThrow(
      /partition key name must be lowercase.*Received 'Year'/,
    );
    expect(() => PartitionKey.timestamp('year', 'yyyy', { min: 2030, max: 2020 })).toThrow(
      /min of partition key 'year' must not exceed max\. Received min 2030 and max 2020/,
    );
    expect(() => PartitionKey.timestamp('hour', 'HH', { max: 24 })).toThrow(
      /^max of partition key 'hour' \(HH\) must be an integer between 0 and 23\. Received 24$/,
    );
    // The year options are named as the user wrote them (they were reported as the year key's min/max).
    expect(() => Partitioning.daily({ startYear: 1969 })).toThrow(
      /^startYear must be an integer between 1970 and 9999\. Received 1969$/,
    );
    expect(() => Partitioning.daily({ endYear: Infinity })).toThrow(
      /^endYear must be an integer between 1970 and 9999\. Received Infinity$/,
    );
    expect(() => Partitioning.hourly({ startYear: 2100 })).toThrow(
      /^startYear must not exceed endYear \(2099 when unset\)\. Received startYear 2100 and endYear 2099$/,
    );
    expect(() => PartitionKey.timestamp('day', 'dd', { min: 1.5 })).toThrow(/Received 1\.5/);
    expect(() => PartitionKey.timestamp('minute', 'mm', { min: 0, max: 59 })).not.toThrow();
    expect(() => PartitionKey.fromRecordField('tenant', { values: [] })).toThrow(
      /values of partition key 'tenant' must not be empty/,
    );
    expect(() => Partitioning.custom([])).toThrow(/partitioning must have at least one key\. Received 0 keys/);
    expect(() => Partitioning.hourly({ recordFields: [PartitionKey.fromRecordField('hour')] })).toThrow(
      /partition key names must be unique\. Received 'hour' twice/,
    );
  });

  test('event-time keys: a time format jq can slice, a column name', () => {
    expect(() => PartitionKey.eventTime('minute', 'event_time', 'mm')).toThrow(
      /^format of event-time partition key 'minute' must be one of yyyy, MM, dd, HH\. Received 'mm'$/,
    );
    expect(() => PartitionKey.eventTime('hour', 'a"b', 'HH')).toThrow(
      /field of event-time partition key 'hour' must be a column name.*Received 'a"b'/,
    );
    expect(() => Partitioning.hourly({ eventTimeField: 'event_time', startYear: 1900 })).toThrow(
      /^startYear must be an integer between 1970 and 9999\. Received 1900$/,
    );
  });

  test('eventTimeField must be a timestamp column of the schema (or a date column without an hour key)', () => {
    const at = (type: string) =>
      TableSchema.fromColumns([
        { name: 'message', type: ColumnType.STRING },
        { name: 'at', type },
      ]);
    const props = (schema: TableSchema, partitioning: Partitioning) => ({
      schema,
      transform,
      partitioning,
      bufferingInterval: Duration.seconds(60),
    });
    expect(build(props(at(ColumnType.TIMESTAMP), Partitioning.hourly({ eventTimeField: 'when' })))).toThrow(
      /^event-time partition key 'year' reads field 'when', which is not a column of the schema: eventTimeField must name a timestamp or date column\. Received 'when'$/,
    );
    expect(build(props(at(ColumnType.STRING), Partitioning.daily({ eventTimeField: 'at' })))).toThrow(
      /^event-time partition key 'year' \(yyyy\) needs a timestamp column or a date column; field 'at' is string\. Received 'at'$/,
    );
    expect(build(props(at(ColumnType.DATE), Partitioning.hourly({ eventTimeField: 'at' })))).toThrow(
      /event-time partition key 'hour' \(HH\) needs a timestamp column; field 'at' is date/,
    );
    expect(build(props(at(ColumnType.DATE), Partitioning.daily({ eventTimeField: 'at' })))).not.toThrow();
    expect(build(props(at(ColumnType.TIMESTAMP), Partitioning.hourly({ eventTimeField: 'at' })))).not.toThrow();
    // Dynamic partitioning rules apply: at least 60 s of buffering.
    expect(
      build({
        ...props(at(ColumnType.TIMESTAMP), Partitioning.hourly({ eventTimeField: 'at' })),
        bufferingInterval: Duration.seconds(0),
      }),
    ).toThrow(
      /bufferingInterval must be between 60 and 900 seconds \(whole seconds\) with dynamic partitioning\. Received 0/,
    );
  });
});

describe('schema, transform and output format', () => {
  test('referenceTransform and transform are exclusive', () => {
    expect(buildBare({ referenceTransform: true, transform })).toThrow(
      /^provide transform or referenceTransform, not both\. Received a transform function and referenceTransform true$/,
    );
  });

  test('referenceTransform writes WEB_LOG rows only', () => {
    expect(buildBare({ referenceTransform: true, schema: schemaOf('id') })).toThrow(
      /referenceTransform writes TableSchema.WEB_LOG rows only: schema must be TableSchema.WEB_LOG\. Received a custom schema/,
    );
    expect(buildBare({ referenceTransform: true, schema: TableSchema.WEB_LOG })).not.toThrow();
  });

  test('Parquet and ORC need a schema (the Glue table Firehose converts through)', () => {
    for (const format of [OutputFormat.PARQUET, OutputFormat.ORC]) {
      expect(buildBare({ outputFormat: format })).toThrow(
        new RegExp(`^outputFormat ${format} needs a schema: .* Received outputFormat ${format} and no schema$`),
      );
    }
    expect(buildBare({ outputFormat: OutputFormat.JSON })).not.toThrow();
  });

  test('catalog props need a schema', () => {
    const database = glue.Database.fromDatabaseArn(stack, 'Db', 'arn:aws:glue:us-east-1:111111111111:database/lake');
    expect(buildBare({ tableName: 'events' })).toThrow(
      /^tableName needs a schema: .* Received tableName and no schema$/,
    );
    expect(buildBare({ databaseName: 'lake' })).toThrow(/^databaseName needs a schema/);
    expect(buildBare({ database })).toThrow(/^database needs a schema/);
    expect(buildBare({ database, schema: schemaOf('id') })).not.toThrow();
  });

  test('a custom schema needs no transform: producers write its rows and Firehose converts them', () => {
    expect(buildBare({ schema: schemaOf('id', 'amount') })).not.toThrow();
  });

  test('event-time keys need a schema; record-field keys need a transform', () => {
    expect(buildBare({ partitioning: Partitioning.hourly({ eventTimeField: 'ts' }) })).toThrow(
      /^event-time partition key 'year' reads field 'ts' .* Received eventTimeField 'ts' and no schema$/,
    );
    const byKind = Partitioning.hourly({
      recordFields: [PartitionKey.fromRecordField('kind', { field: 'kind', values: ['a'] })],
    });
    expect(buildBare({ partitioning: byKind })).toThrow(
      /^partition key 'kind' takes its value from the transform \(!\{partitionKeyFromLambda:kind\}\): give transform or referenceTransform\. Received no transform$/,
    );
    expect(buildBare({ partitioning: byKind, transform })).not.toThrow();
  });
});
