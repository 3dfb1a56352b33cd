/** The pure functions behind the rules: prefix grammar, Hive types, the metric catalog, projection layouts. */
import * as fc from 'fast-check';
import { isDateTimePattern, numericTimeField, parsePrefix } from '../../lib/checks/private/firehose-prefix';
import { isHiveType } from '../../lib/checks/private/hive-type';
import { lookupMetric } from '../../lib/checks/private/metric-catalog';
import { layoutMismatches } from '../../lib/checks/private/projection';
import { flatten } from '../../lib/checks/private/template';

describe('Firehose prefix grammar (s3-prefixes documentation)', () => {
  test.each([
    'data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/',
    "raw/!{timestamp:yyyy-MM-dd'T'HH}/!{firehose:random-string}/",
    'errors/!{firehose:error-output-type}/',
    'data/!{partitionKeyFromQuery:customer_id}/!{partitionKeyFromLambda:tenant}/',
    'no-expressions/',
    '',
  ])('accepts %j', (prefix) => {
    expect(parsePrefix(prefix).problems).toEqual([]);
  });

  test.each([
    ['data/!{timestamp:yyyy', /unclosed/],
    ['data/!{timestamp:yy!{x}}', /unclosed/],
    ['data/!{yyyy}/', /no namespace:value/],
    ['data/!{time:yyyy}/', /unknown namespace time/],
    ['data/!{firehose:uuid}/', /unknown firehose value uuid/],
    ['data/!{timestamp:}/', /invalid timestamp pattern/],
    ['data/!{timestamp:yyyy-bb}/', /invalid timestamp pattern/],
    ["data/!{timestamp:yyyy'T}/", /invalid timestamp pattern/],
    ['data/!{partitionKeyFromLambda:}/', /without a key name/],
  ])('rejects %j', (prefix, problem) => {
    expect(parsePrefix(prefix).problems.join('; ')).toMatch(problem);
  });

  test('any sequence of valid text and expressions parses without problems and back to the same text', () => {
    const text = fc.stringMatching(/^[a-z0-9=/_-]{0,8}$/);
    const expression = fc.constantFrom(
      '!{timestamp:yyyy}',
      '!{timestamp:MM}',
      "!{timestamp:yyyy-MM-dd'T'HH}",
      '!{firehose:random-string}',
      '!{partitionKeyFromLambda:tenant}',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(text, expression), { maxLength: 12 }), (parts) => {
        const prefix = parts.join('');
        const parsed = parsePrefix(prefix);
        expect(parsed.problems).toEqual([]);
        const printed = parsed.tokens.map((t) => t.text ?? `!{${t.namespace}:${t.value}}`).join('');
        expect(printed).toBe(prefix);
      }),
      { seed: 17, numRuns: 300 },
    );
  });

  test.each([
    ['yyyy', true],
    ['yyyy/MM/dd', true],
    ["yyyy-MM-dd'T'HH", true],
    ['EEE', true],
    ['', false],
    ['bb', false],
    ['yyyy{', false],
  ])('DateTimeFormatter pattern %j: %s', (pattern, valid) => {
    expect(isDateTimePattern(pattern)).toBe(valid);
  });

  test('numeric time fields: values and printed width', () => {
    expect(numericTimeField('HH')).toEqual({ lowest: 0, highest: 23, width: 2, isYear: false });
    expect(numericTimeField('d')).toEqual({ lowest: 1, highest: 31, width: undefined, isYear: false });
    expect(numericTimeField('yyyy')).toMatchObject({ width: 4, isYear: true });
    expect(numericTimeField('MMM')).toBeUndefined(); // 'Jan': text, not a number
    expect(numericTimeField('yyyy-MM')).toBeUndefined();
  });
});

describe('Hive types', () => {
  test.each([
    'int',
    'BIGINT',
    'double precision',
    'decimal',
    'decimal(38, 9)',
    'varchar(255)',
    'timestamp',
    'array<string>',
    'map<string,array<int>>',
    'struct<a:int, b:struct<c:string>>',
    'uniontype<int,string>',
  ])('accepts %s', (type) => expect(isHiveType(type)).toBe(true));

  test.each([
    'long',
    'text',
    'datetime',
    'varchar',
    'array<>',
    'map<string>',
    'struct<a int>',
    'int int',
    'decimal(10,',
  ])('rejects %s', (type) => expect(isHiveType(type)).toBe(false));
});

describe('metric catalog', () => {
  test.each([
    ['AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', ['StreamName'], true],
    ['AWS/Kinesis', 'IteratorAgeMilliseconds', ['StreamName', 'ShardId'], true],
    ['AWS/Kinesis', 'IteratorAgeMilliseconds', ['StreamName'], false],
    ['AWS/Kinesis', 'SubscribeToShardEvent.MillisBehindLatest', ['ConsumerName', 'StreamName'], true],
    ['AWS/Kinesis', 'IncomingBytes', [], false],
    ['AWS/Lambda', 'Errors', [], true],
    ['AWS/Lambda', 'Errors', ['FunctionName', 'Resource'], true],
    ['AWS/Lambda', 'DroppedEventCount', ['EventSourceMappingUUID'], true],
    ['AWS/Lambda', 'IteratorAge', ['EventSourceMappingUUID'], false],
    ['AWS/Lambda', 'OnFailureDestinationDeliveredEventCount', ['FunctionName'], false],
    ['AWS/Firehose', 'DeliveryToS3.DataFreshness', ['DeliveryStreamName'], true],
    ['AWS/Firehose', 'DeliveryToSplunk.Success', ['DeliveryStreamName'], true],
    ['AWS/Firehose', 'PutRecordBatch.Latency', [], true],
    ['AWS/Firehose', 'DeliveryToS3.Freshness', ['DeliveryStreamName'], false],
  ] as const)('%s %s %j: published %s', (namespace, name, dimensions, published) => {
    expect(lookupMetric(namespace, name, dimensions).published).toBe(published);
  });

  test('families that need a delivery stream feature say which', () => {
    expect(lookupMetric('AWS/Firehose', 'FailedConversion.Records', ['DeliveryStreamName'])).toEqual({
      published: true,
      requires: 'conversion',
    });
  });
});

describe('projection layout against the Firehose prefix', () => {
  const hourly = {
    'projection.enabled': 'true',
    ...Object.fromEntries(
      (
        [
          ['year', '2020,2099', '4'],
          ['month', '1,12', '2'],
          ['day', '1,31', '2'],
          ['hour', '0,23', '2'],
        ] as const
      ).flatMap(([k, range, digits]) => [
        [`projection.${k}.type`, 'integer'],
        [`projection.${k}.range`, range],
        [`projection.${k}.digits`, digits],
      ]),
    ),
  };
  const keys = ['year', 'month', 'day', 'hour'];
  const prefix = 'data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';

  test('the default Hive layout under the table location matches', () => {
    expect(layoutMismatches({ parameters: hourly, partitionKeys: keys, location: 's3://lake/data', prefix })).toEqual(
      [],
    );
  });

  test('a template through Fn::Sub with ${!key} escapes matches', () => {
    const template = flatten({
      'Fn::Sub': 's3://${Bucket}/data/year=${!year}/month=${!month}/day=${!day}/hour=${!hour}/',
    });
    expect(
      layoutMismatches({
        parameters: { ...hourly, 'storage.location.template': template },
        partitionKeys: keys,
        location: undefined,
        prefix,
        bucket: '«Bucket»',
      }),
    ).toEqual([]);
  });

  test('each mismatch is named', () => {
    const problems = layoutMismatches({
      parameters: { ...hourly, 'projection.month.digits': '1', 'projection.hour.range': '0,11' },
      partitionKeys: keys,
      location: 's3://lake/data/',
      prefix: prefix.replace('day=', 'dt='),
      bucket: 'other',
    });
    expect(problems).toEqual([
      'the table is in bucket lake, Firehose writes to other',
      "month: the prefix writes 2 digits ('MM'), the projection 1 digits",
      "'/day=' in the template, '/dt=' in the prefix",
      'hour: the projection covers 0..11, the prefix writes 0..23',
    ]);
  });
});
