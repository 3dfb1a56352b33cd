/**
 * The pure parts of the local Firehose: prefix evaluation against the examples of the Firehose
 * documentation, and the JSON SerDe step against the documented OpenX/Hive rules.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
 * @see https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html
 */
import {
  ConversionError,
  deserializeRow,
  type DeserializerOptions,
  splitJsonObjects,
} from '../../packages/cli/src/local/firehose/json-deserializer';
import { evaluateDataPrefix, evaluateErrorPrefix, PrefixError } from '../../packages/cli/src/local/firehose/prefix';

// "Evaluated prefix (at 10:30 AM UTC on Aug 27, 2018)" in the documentation's examples.
const AT = Date.UTC(2018, 7, 27, 10, 30);

describe('prefixes, as in the Firehose documentation examples', () => {
  test('Hive-style timestamp keys', () => {
    expect(
      evaluateDataPrefix(
        'myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
        { timestampMs: AT },
        false,
      ),
    ).toBe('myPrefix/year=2018/month=08/day=27/hour=10/');
  });

  test('quoted literals inside one timestamp pattern, and the error output type', () => {
    expect(
      evaluateErrorPrefix(
        "myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}",
        'ignored/',
        { timestampMs: AT, errorOutputType: 'processing-failed' },
      ),
    ).toBe('myErrorPrefix/year=2018/month=08/day=27/hour=10/processing-failed');
  });

  test('random-string is 11 characters, new at every use', () => {
    const prefix = 'myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/rand=!{firehose:random-string}';
    const a = evaluateDataPrefix(prefix, { timestampMs: AT }, false);
    expect(a).toMatch(/^myFirehose\/DeliveredYear=2018\/anyMonth\/rand=.{11}$/);
    expect(evaluateDataPrefix(prefix, { timestampMs: AT }, false)).not.toBe(a);
  });

  test('a prefix without a timestamp expression gets yyyy/MM/dd/HH/ appended (not with dynamic partitioning)', () => {
    expect(evaluateDataPrefix('', { timestampMs: AT }, false)).toBe('2018/08/27/10/');
    expect(evaluateDataPrefix('raw/', { timestampMs: AT }, false)).toBe('raw/2018/08/27/10/');
    expect(
      evaluateDataPrefix(
        'tenant=!{partitionKeyFromLambda:tenant}/',
        { timestampMs: AT, partitionKeysFromLambda: { tenant: 'a' } },
        true,
      ),
    ).toBe('tenant=a/');
  });

  test('partition keys from the transform and from the query; a missing one cannot be evaluated', () => {
    const values = { timestampMs: AT, partitionKeysFromLambda: { t: 'x' }, partitionKeysFromQuery: { c: '42' } };
    expect(evaluateDataPrefix('t=!{partitionKeyFromLambda:t}/c=!{partitionKeyFromQuery:c}/', values, true)).toBe(
      't=x/c=42/',
    );
    expect(() => evaluateDataPrefix('u=!{partitionKeyFromLambda:u}/', values, true)).toThrow(PrefixError);
    expect(() => evaluateDataPrefix('data/!{firehose:error-output-type}/', { timestampMs: AT }, false)).toThrow(
      /only allowed in the ErrorOutputPrefix/,
    );
  });
});

const OPENX: DeserializerOptions = {
  deserializer: 'OPENX',
  caseInsensitive: true,
  convertDotsInJsonKeysToUnderscores: false,
  columnToJsonKeyMappings: {},
};
const HIVE: DeserializerOptions = { ...OPENX, deserializer: 'HIVE' };
const COLUMNS = [
  { name: 'status', type: 'int' },
  { name: 'bytes', type: 'bigint' },
  { name: 'event_time', type: 'timestamp' },
  { name: 'path', type: 'string' },
];

describe('the JSON SerDe step of format conversion', () => {
  test('OpenX: keys case-insensitive, numeric strings read as numbers, missing keys NULL, unknown keys ignored', () => {
    expect(deserializeRow('{"STATUS":"503","Path":"/a","other":1}', COLUMNS, OPENX)).toEqual({
      status: 503,
      bytes: null,
      event_time: null,
      path: '/a',
    });
  });

  test('OpenX timestamp forms: ISO with Z, SQL with a fraction, epoch seconds and milliseconds', () => {
    const at = (value: unknown) =>
      (deserializeRow(JSON.stringify({ event_time: value }), COLUMNS, OPENX).event_time as Date).toISOString();
    expect(at('2017-02-07T15:13:01.39256Z')).toBe('2017-02-07T15:13:01.392Z');
    expect(at('2017-02-07 15:13:01.14')).toBe('2017-02-07T15:13:01.140Z');
    expect(at(1518033528)).toBe('2018-02-07T19:58:48.000Z');
    expect(at(1518033528123)).toBe('2018-02-07T19:58:48.123Z');
    expect(at(1518033528.123)).toBe('2018-02-07T19:58:48.123Z');
  });

  test('a value outside its column type fails conversion: bigint beyond 2^63, int beyond 2^31', () => {
    expect(() => deserializeRow('{"bytes":99999999999999999999}', COLUMNS, OPENX)).toThrow(ConversionError);
    expect(() => deserializeRow('{"status":2147483648}', COLUMNS, OPENX)).toThrow(/out of range/);
    expect(deserializeRow('{"bytes":9007199254740991}', COLUMNS, OPENX).bytes).toBe(9007199254740991n);
  });

  test('Hive: numbers in strings and epoch timestamps are errors', () => {
    expect(() => deserializeRow('{"status":"200"}', COLUMNS, HIVE)).toThrow(/not an integer/);
    expect(() => deserializeRow('{"event_time":1518033528}', COLUMNS, HIVE)).toThrow(/java.sql.Timestamp/);
    expect(deserializeRow('{"event_time":"2017-02-07 15:13:01"}', COLUMNS, HIVE).event_time).toEqual(
      new Date('2017-02-07T15:13:01Z'),
    );
  });

  test('records hold newline-delimited or concatenated JSON objects, and nothing else', () => {
    expect(splitJsonObjects('{"a":"}{"}\n{"b":2}{"c":3}\n')).toEqual(['{"a":"}{"}', '{"b":2}', '{"c":3}']);
    expect(() => splitJsonObjects('{"a":1} trailing')).toThrow(ConversionError);
    expect(() => splitJsonObjects('{"a":1')).toThrow(ConversionError);
  });
});
