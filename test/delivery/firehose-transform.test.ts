import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { decodePayload } from '../../packages/runtime/src/kinesis-batch/decode-payload';
import {
  compileRowCoercer,
  drop,
  fail,
  formatColumnType,
  ok,
  parseColumnType,
  processFirehoseRecords,
  transformFirehoseRecords,
  MAX_RESPONSE_BYTES,
  type FirehoseTransformationEvent,
} from '../../packages/runtime/src/firehose-transform';
import { createApacheLogTransform, WEB_LOG_COLUMNS } from '../../packages/runtime/src/apache-log';
import { formatTimestampMillis } from '../../packages/runtime/src/firehose-transform/scalar-coercion';
import { loadSampleEvent } from '../support/fixtures';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (data: string) => Buffer.from(data, 'base64').toString('utf8');

function eventOf(payloads: string[]): FirehoseTransformationEvent {
  return {
    invocationId: 'inv-1',
    records: payloads.map((p, i) => ({ recordId: `r${i}`, data: b64(p), approximateArrivalTimestamp: 1700000000000 })),
  };
}

describe('transformFirehoseRecords on the AWS sample events', () => {
  test.each([
    'aws-lambda-go__events-testdata__kinesis-firehose-event.json',
    'powertools-ts__parser-tests-events-kinesis__firehose.json',
    'powertools-ts__parser-tests-events-kinesis__firehose-put.json',
  ])('%s: every recordId answered once, in order, with base64 data', async (file) => {
    const event = loadSampleEvent<FirehoseTransformationEvent>(file);
    const response = await transformFirehoseRecords(event, (text) => ({ message: text }));
    expect(response.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
    for (const [i, r] of response.records.entries()) {
      expect(r.result).toBe('Ok');
      expect(unb64(r.data)).toBe(`${JSON.stringify({ message: unb64(event.records[i].data) })}\n`);
    }
  });

  test('the SAM Apache log template, rendered with a real line', async () => {
    const template = JSON.stringify(
      loadSampleEvent('aws-sam-cli__generated_sample_events-kinesis__KinesisFirehoseApachelog.template.json'),
    );
    const line = '192.168.1.23 - - [23/Mar/2018:12:31:01 +0000] "GET /api/config HTTP/1.1" 200 28 "-" "libcurl"';
    const event = JSON.parse(template.replace('{{{data}}}', b64(line)).replace('{{{region}}}', 'us-east-1'));
    const response = await transformFirehoseRecords(event, (text) => ({ line: text }));
    expect(response.records).toEqual([
      { recordId: event.records[0].recordId, result: 'Ok', data: b64(`${JSON.stringify({ line })}\n`) },
    ]);
  });
});

describe('record outcomes', () => {
  test('ok, drop, fail, throw, null, arrays and promises', async () => {
    const failures: string[] = [];
    const report = await processFirehoseRecords(
      eventOf(['a', 'b', 'c', 'd', 'e', 'f', 'g']),
      async (text) => {
        switch (text) {
          case 'a':
            return ok({ v: 1 }, { tenant: 't1' });
          case 'b':
            return drop('not wanted');
          case 'c':
            return fail('bad input');
          case 'd':
            throw new Error('boom');
          case 'e':
            return null;
          case 'f':
            return [{ v: 1 }, { v: 2 }];
          default:
            return ok([]);
        }
      },
      { onFailure: (f) => failures.push(`${f.recordId}:${f.reason}`) },
    );
    const r = report.response.records;
    expect(r.map((x) => x.result)).toEqual([
      'Ok',
      'Dropped',
      'ProcessingFailed',
      'ProcessingFailed',
      'Dropped',
      'Ok',
      'Dropped',
    ]);
    expect(r[0].metadata).toEqual({ partitionKeys: { tenant: 't1' } });
    // ProcessingFailed keeps the source data so that Firehose writes it under the error prefix.
    expect(r[2].data).toBe(b64('c'));
    expect(unb64(r[5].data)).toBe('{"v":1}\n{"v":2}\n');
    expect(failures).toEqual(['r2:bad input', 'r3:boom']);
    expect(report.counts).toEqual({ ok: 2, dropped: 3, failed: 2, rows: 3 });
    expect(report.responseBytes).toBe(Buffer.byteLength(JSON.stringify(report.response)));
  });

  test('partitionKeyFields: partition keys from a row field; rows that disagree fail the record', async () => {
    const report = await processFirehoseRecords(
      eventOf(['a', 'b', 'mixed', 'none']),
      (text) => {
        if (text === 'mixed') return [{ kind: 'x' }, { kind: 'y' }];
        if (text === 'none') return { kind: null };
        return [{ kind: text }, { kind: text }];
      },
      { columns: [{ name: 'kind', type: 'string' }], partitionKeyFields: { k: 'kind' } },
    );
    const r = report.response.records;
    expect(r.map((x) => x.result)).toEqual(['Ok', 'Ok', 'ProcessingFailed', 'ProcessingFailed']);
    expect(r[0].metadata).toEqual({ partitionKeys: { k: 'a' } });
    expect(report.failures.map((f) => f.reason)).toEqual([
      "rows of one record span partitions: 'k' is 'x' and 'y'",
      "partition key 'k': field 'kind' is empty in a row",
    ]);
  });

  test('a transform returning a number fails the record with a reason', async () => {
    const report = await processFirehoseRecords(eventOf(['x']), () => 42 as never);
    expect(report.failures[0].reason).toMatch(/returned number/);
  });
});

describe('coercion to the table columns', () => {
  const columns = [
    { name: 'name', type: 'string' },
    { name: 'status', type: 'int' },
    { name: 'bytes', type: 'bigint' },
    { name: 'ratio', type: 'double' },
    { name: 'bot', type: 'boolean' },
    { name: 'at', type: 'timestamp' },
    { name: 'day', type: 'date' },
    { name: 'price', type: 'decimal(10,2)' },
    { name: 'tags', type: 'array<string>' },
    { name: 'attrs', type: 'map<string,int>' },
    { name: 'geo', type: 'struct<lat:double,lon:double>' },
  ];
  const coercer = compileRowCoercer(columns);

  test('keys become the lowercase columns, in column order, missing ones null, values coerced', () => {
    const row = coercer.coerce({
      Status: '404',
      NAME: 7,
      bytes: '9007199254740991',
      ratio: '0.5',
      bot: 'TRUE',
      at: '2024-02-29T23:59:59.123+02:00',
      day: new Date(Date.UTC(2024, 0, 2)),
      price: '12.50',
      tags: ['a', 1],
      attrs: { a: '1' },
      geo: { LAT: 1, lon: '2' },
    });
    expect(JSON.stringify(row)).toBe(
      JSON.stringify({
        name: '7',
        status: 404,
        bytes: 9007199254740991,
        ratio: 0.5,
        bot: true,
        at: '2024-02-29 21:59:59.123',
        day: '2024-01-02',
        price: 12.5,
        tags: ['a', '1'],
        attrs: { a: 1 },
        geo: { lat: 1, lon: 2 },
      }),
    );
    expect(coercer.coerce({})).toEqual(Object.fromEntries(columns.map((c) => [c.name, null])));
  });

  test.each([
    [{ status: 'abc' }, /status: expected int, received "abc"/],
    [{ status: 2 ** 31 }, /status: expected int \(-2147483648\.\.2147483647\), received 2147483648/],
    [{ status: 1.5 }, /status: expected int/],
    [{ bytes: 2 ** 60 }, /bytes: expected bigint/],
    [{ ratio: 'NaN' }, /ratio: expected a finite double/],
    [{ bot: 'yes' }, /bot: expected boolean, received "yes"/],
    [{ at: '2021-02-30 10:00:00' }, /at: expected timestamp/],
    [{ day: '2021-13-01' }, /day: expected date/],
    [{ price: '123456789.5' }, /price: decimal\(10,2\) allows 8 integer digits, received "123456789.5"/],
    [{ price: '99999999.995' }, /price: decimal\(10,2\) allows 8 integer digits/], // rounds up to 9 digits
    [{ price: '0x1A' }, /price: expected decimal\(10,2\), received "0x1A"/],
    [{ tags: 'a' }, /tags: expected an array/],
    [{ attrs: { a: 'x' } }, /attrs\.a: expected int/],
    [{ geo: { alt: 1 } }, /geo\.alt: no such struct field/],
    [{ extra: 1 }, /extra: no column 'extra' in the table/],
    [{ status: 1, STATUS: 2 }, /two keys map to column 'status'/],
  ])('rejects %j', (row, message) => {
    expect(() => coercer.coerce(row as Record<string, unknown>)).toThrow(message);
  });

  test('toJson equals JSON.stringify(coerce()); omitNulls leaves null columns out', () => {
    const row = { status: '200', name: 'x', tags: ['a'], price: '1.50', at: 0 };
    expect(coercer.toJson(row)).toBe(JSON.stringify(coercer.coerce(row)));
    expect(coercer.toJson({ NAME: 'y' })).toBe(JSON.stringify(coercer.coerce({ NAME: 'y' })));
    const omit = compileRowCoercer(columns, { omitNulls: true });
    expect(omit.toJson(row)).toBe('{"name":"x","status":200,"at":"1970-01-01 00:00:00.000","price":1.5,"tags":["a"]}');
    expect(omit.toJson({})).toBe('{}');
    expect(omit.toJson({ Status: 1 })).toBe('{"status":1}');
    expect(() => omit.toJson({ status: 'x' })).toThrow(/status: expected int/);
  });

  test('property: toJson always equals JSON.stringify(coerce())', () => {
    const simple = compileRowCoercer(columns.slice(0, 7), { unknownKeys: 'ignore' });
    fc.assert(
      fc.property(
        fc.record(
          {
            name: fc.oneof(fc.string(), fc.integer()),
            status: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
            bytes: fc.maxSafeInteger(),
            ratio: fc.double({ noNaN: true, noDefaultInfinity: true }),
            bot: fc.boolean(),
            at: fc.integer({ min: 0, max: 4102444800000 }),
            day: fc.constantFrom('2024-02-29', '1999-12-31'),
          },
          { requiredKeys: [] },
        ),
        (row) => {
          expect(simple.toJson(row)).toBe(JSON.stringify(simple.coerce(row)));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('timestamps format like toISOString, on any millisecond of years 0..9999 (Date and ISO text)', () => {
    const at = compileRowCoercer([{ name: 'at', type: 'timestamp' }]);
    fc.assert(
      fc.property(fc.integer({ min: -62167219200000, max: 253402300799999 }), (millis) => {
        const iso = new Date(millis).toISOString();
        const expected = `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
        expect(at.coerce({ at: new Date(millis) }).at).toBe(expected);
        if (millis >= 0) expect(at.coerce({ at: iso }).at).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  test('unknownKeys: ignore leaves unknown keys out', () => {
    expect(compileRowCoercer([{ name: 'a', type: 'int' }], { unknownKeys: 'ignore' }).coerce({ a: 1, b: 2 })).toEqual({
      a: 1,
    });
  });

  test('a row that does not fit fails its record, with the reason', async () => {
    const report = await processFirehoseRecords(eventOf(['1', 'x']), (text) => ({ status: text }), {
      columns: [{ name: 'status', type: 'int' }],
    });
    expect(report.response.records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed']);
    expect(report.failures).toEqual([{ recordId: 'r1', reason: 'status: expected int, received "x"' }]);
  });

  test('column type strings parse and format back', () => {
    for (const t of ['string', 'decimal(38,10)', 'array<map<string,struct<a:int,b:array<date>>>>', 'timestamp']) {
      expect(formatColumnType(parseColumnType(t))).toBe(t);
    }
    expect(() => parseColumnType('varchar2')).toThrow(/invalid column type 'varchar2': unknown type/);
    expect(() => parseColumnType('decimal(40,2)')).toThrow(/precision must be 1\.\.38/);
    expect(() => parseColumnType('map<array<int>,int>')).toThrow(/map keys must be a primitive/);
    expect(() => parseColumnType('array<int')).toThrow(/expected '>'/);
  });

  test('property: coerced rows always hold exactly the columns, in order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('name', 'NAME', 'status', 'ratio', 'bot'), fc.jsonValue()), (row) => {
        try {
          const out = compileRowCoercer(columns, { unknownKeys: 'ignore' }).coerce(row);
          expect(Object.keys(out)).toEqual(columns.map((c) => c.name));
        } catch (error) {
          expect((error as Error).name).toBe('RowCoercionError');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the response contract (property-based)', () => {
  const arbEvent = fc
    .array(fc.tuple(fc.string({ maxLength: 200 }), fc.constantFrom('ok', 'many', 'drop', 'fail', 'throw')), {
      maxLength: 60,
    })
    .map((items) => ({
      invocationId: 'p',
      // Real events always carry approximateArrivalTimestamp (it is why the fallback fits).
      records: items.map(([text, action], i) => ({
        recordId: `id-${i}`,
        approximateArrivalTimestamp: 1700000000000 + i,
        data: b64(`${action}:${text}`),
      })),
    }));

  const transform = (text: string) => {
    const [action, rest] = [text.slice(0, text.indexOf(':')), text.slice(text.indexOf(':') + 1)];
    if (action === 'ok') return { text: rest };
    if (action === 'many') return Array.from({ length: 20 }, (_, i) => ({ i, text: rest }));
    if (action === 'drop') return drop();
    if (action === 'fail') return fail('asked to');
    throw new Error('thrown');
  };

  test('every recordId is answered exactly once, in input order, with a valid result', async () => {
    await fc.assert(
      fc.asyncProperty(arbEvent, async (event) => {
        const { response } = await processFirehoseRecords(event, transform);
        expect(response.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
        for (const r of response.records) {
          expect(['Ok', 'Dropped', 'ProcessingFailed']).toContain(r.result);
          expect(Buffer.from(r.data, 'base64').toString('base64')).toBe(r.data);
        }
      }),
      { numRuns: 100 },
    );
  });

  test('the response never exceeds the budget, and records over it fail (not vanish)', async () => {
    await fc.assert(
      fc.asyncProperty(arbEvent, fc.integer({ min: 0, max: 20_000 }), async (event, extra) => {
        // The budget always fits the request (as Firehose guarantees for 6 MB), plus some room.
        const budget = Buffer.byteLength(JSON.stringify(event)) + extra;
        const report = await processFirehoseRecords(event, transform, { maxResponseBytes: budget });
        const bytes = Buffer.byteLength(JSON.stringify(report.response));
        expect(bytes).toBe(report.responseBytes);
        expect(bytes).toBeLessThanOrEqual(budget);
        expect(report.response.records).toHaveLength(event.records.length);
      }),
      { numRuns: 100 },
    );
  });

  test('a batch whose output would pass 6 MB answers the tail ProcessingFailed with the source data', async () => {
    // 1,000 records of 3 KB each (4 KB base64 in the request): output ~ 2.6x, over 6 MB in total.
    const big = 'x'.repeat(3000);
    const event = eventOf(Array.from({ length: 1000 }, () => big));
    const report = await processFirehoseRecords(event, (text) =>
      Array.from({ length: 2 }, () => ({ a: text, b: text.length })),
    );
    const bytes = Buffer.byteLength(JSON.stringify(report.response));
    expect(bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(report.counts.ok).toBeGreaterThan(0);
    expect(report.counts.failed).toBeGreaterThan(0);
    const failed = report.response.records.filter((r) => r.result === 'ProcessingFailed');
    expect(failed.every((r, i) => r.data === event.records[report.counts.ok + i].data)).toBe(true);
    expect(report.failures[0].reason).toMatch(/response size limit/);
  });
});

describe('bytes that are not UTF-8 text (issue 16, fix 1)', () => {
  const raw = (bytes: Buffer) => ({
    invocationId: 'i',
    records: [{ recordId: 'r0', data: bytes.toString('base64'), approximateArrivalTimestamp: 1 }],
  });
  const echo = (text: string) => ({ message: text });

  test.each([
    ['gzip (CloudWatch Logs data with cloudWatchLogs off)', gzipSync('hello'), /gzip-compressed/],
    ['UTF-16LE with byte order mark', Buffer.from('\uFEFFhello', 'utf16le'), /UTF-16 \(byte order mark FF FE\)/],
    [
      'UTF-16LE without byte order mark',
      Buffer.from('hello', 'utf16le'),
      /NUL \(U\+0000\) characters.*first at byte 1/,
    ],
    ['Latin-1', Buffer.from('caf\u00e9 ol\u00e9', 'latin1'), /not valid UTF-8 \(first invalid byte at offset 3\)/],
    ['a lone continuation byte', Buffer.from([0x61, 0x80, 0x62]), /offset 1/],
    ['a UTF-16 surrogate encoded in UTF-8', Buffer.from([0xed, 0xa0, 0x80]), /offset 0/],
  ])('%s is ProcessingFailed with the reason, and keeps the source bytes', async (_name, bytes, reason) => {
    const event = raw(bytes);
    const report = await processFirehoseRecords(event, echo, { cloudWatchLogs: 'off' });
    expect(report.response.records).toEqual([
      { recordId: 'r0', result: 'ProcessingFailed', data: event.records[0].data },
    ]);
    expect(report.failures[0].reason).toMatch(reason);
    // the same bytes, the same verdict and reason on the Kinesis side
    expect(() => decodePayload(bytes, 'text')).toThrow(report.failures[0].reason);
  });

  test('a UTF-8 byte order mark is dropped; a genuine U+FFFD is text', async () => {
    const report = await processFirehoseRecords(
      raw(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a\uFFFDb')])),
      echo,
    );
    expect(unb64(report.response.records[0].data)).toBe('{"message":"a\uFFFDb"}\n');
    expect(decodePayload(Buffer.from('\uFEFFa\uFFFDb'), 'text')).toBe('a\uFFFDb');
  });

  test('property: on any bytes, Firehose fails a record exactly when the Kinesis side refuses it, with the same reason', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }),
          fc.string({ unit: 'binary', maxLength: 20 }).map((s) => new Uint8Array(Buffer.from(s))),
        ),
        async (array) => {
          const bytes = Buffer.from(array);
          const report = await processFirehoseRecords(raw(bytes), echo, { cloudWatchLogs: 'off' });
          let kinesisReason: string | undefined;
          try {
            decodePayload(bytes, 'text');
          } catch (error) {
            kinesisReason = (error as Error).message;
          }
          expect(report.failures[0]?.reason).toBe(kinesisReason);
          if (kinesisReason === undefined) {
            // accepted text round-trips to the same bytes (less a byte order mark)
            const text = JSON.parse(unb64(report.response.records[0].data)).message as string;
            expect(Buffer.from(text, 'utf8').equals(bytes.subarray(bytes.indexOf('\uFEFF') === 0 ? 3 : 0))).toBe(true);
          } else {
            expect(report.response.records[0].data).toBe(bytes.toString('base64'));
          }
        },
      ),
      { numRuns: 300, seed: 16 },
    );
  });
});

describe('one coercion path: values that are not what the column says fail the record (issue 16, fixes 2 and 3)', () => {
  const stringColumn = compileRowCoercer([{ name: 's', type: 'string' }]);

  test.each([
    ['a function', () => 1, /s: expected string, received a function/],
    ['a Symbol', Symbol('x'), /s: expected string, received a Symbol/],
    ['an object whose toJSON() returns undefined', { toJSON: () => undefined }, /s: toJSON\(\) returned undefined/],
    ['an object holding a function', { a: () => 1 }, /s\.a: a function is not a JSON value/],
    ['an object holding NaN', { a: NaN }, /s\.a: NaN is not a JSON number/],
    ['NaN', NaN, /s: expected string, received NaN/],
    ['an invalid Date', new Date(NaN), /s: expected string/],
  ])('a string column given %s fails, in coerce and in toJson alike', async (_name, value, reason) => {
    expect(() => stringColumn.coerce({ s: value })).toThrow(reason);
    expect(() => stringColumn.toJson({ s: value })).toThrow(reason);
    const report = await processFirehoseRecords(eventOf(['x']), () => ({ s: value }), {
      columns: [{ name: 's', type: 'string' }],
    });
    expect(report.response.records[0].result).toBe('ProcessingFailed');
    expect(report.failures[0].reason).toMatch(reason);
  });

  test('without columns, rows JSON cannot represent fail too (no "undefined", no dropped keys)', async () => {
    const report = await processFirehoseRecords(eventOf(['a', 'b', 'c']), (text) =>
      text === 'a' ? { f: () => 1 } : text === 'b' ? { n: Infinity } : { ok: [1, 'x', { y: null }] },
    );
    expect(report.response.records.map((r) => r.result)).toEqual(['ProcessingFailed', 'ProcessingFailed', 'Ok']);
    expect(report.failures.map((f) => f.reason)).toEqual([
      'row.f: a function is not a JSON value',
      'row.n: Infinity is not a JSON number',
    ]);
  });

  test('property: on any value, toJson is JSON.stringify(coerce()), or both fail with the same reason; output is always JSON', () => {
    const columns = [
      'string',
      'int',
      'bigint',
      'double',
      'boolean',
      'timestamp',
      'date',
      'decimal(12,3)',
      'array<string>',
      'map<string,int>',
      'struct<a:string,b:double>',
    ].map((type, i) => ({ name: `c${i}`, type }));
    const coercer = compileRowCoercer(columns, { unknownKeys: 'ignore' });
    const value = fc.oneof(
      fc.anything({ withBigInt: true, withDate: true, withBoxedValues: true, withNullPrototype: true }),
      fc.constantFrom<unknown>(() => 1, Symbol('s'), { toJSON: () => undefined }, NaN, '0x1A', '1e3', ' 7', '4e-7'),
      fc.double(),
      fc.bigInt(),
      fc.stringMatching(/^[+-]?\d{0,20}(\.\d{0,6})?(e[+-]?\d{1,2})?$/),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...columns.map((c) => c.name)), value), (row) => {
        let json: string | Error;
        let viaCoerce: string | Error;
        try {
          json = coercer.toJson(row);
        } catch (error) {
          json = error as Error;
        }
        try {
          viaCoerce = JSON.stringify(coercer.coerce(row));
        } catch (error) {
          viaCoerce = error as Error;
        }
        if (json instanceof Error || viaCoerce instanceof Error) {
          expect(json).toBeInstanceOf(Error);
          expect((viaCoerce as Error).message).toBe((json as Error).message);
          expect((json as Error).name).toBe('RowCoercionError');
        } else {
          expect(json).toBe(viaCoerce);
          expect(Object.keys(JSON.parse(json))).toEqual(columns.map((c) => c.name));
        }
      }),
      { numRuns: 400, seed: 1616 },
    );
  });

  test.each(['0x1A', '0b101', '0o7', '1_000', ' 12', '12 ', '', 'Infinity', '-', '.', '1e'])(
    'the text %j is not a number for int, bigint, double, decimal or timestamp',
    (text) => {
      const all = compileRowCoercer([
        { name: 'i', type: 'int' },
        { name: 'b', type: 'bigint' },
        { name: 'd', type: 'double' },
        { name: 'p', type: 'decimal(10,2)' },
        { name: 't', type: 'timestamp' },
      ]);
      for (const key of ['i', 'b', 'd', 'p', 't'])
        expect(() => all.coerce({ [key]: text })).toThrow(`${key}: expected`);
    },
  );

  test('timestamps are written as Date writes them, for every instant of years 0000..9999 (computed without Date)', () => {
    const iso = (millis: number) => new Date(millis).toISOString().replace('T', ' ').slice(0, 23);
    fc.assert(
      fc.property(
        fc.date({ min: new Date(-62_167_219_200_000), max: new Date(253_402_300_799_999), noInvalidDate: true }),
        (date) => {
          const millis = date.getTime();
          expect(formatTimestampMillis(millis)).toBe(iso(millis));
        },
      ),
      { numRuns: 2000, seed: 20261202 },
    );
    // day boundaries, leap days, the first and last instants
    for (const millis of [
      0, -1, 86_399_999, 951_782_400_000, 4_107_542_400_000, -62_167_219_200_000, 253_402_300_799_999,
    ]) {
      expect(formatTimestampMillis(millis)).toBe(iso(millis));
    }
  });

  describe('epoch numbers: the unit follows from the magnitude (documented rule)', () => {
    const at = compileRowCoercer([
      { name: 'at', type: 'timestamp' },
      { name: 'day', type: 'date' },
    ]);
    test.each([
      [1700000000, '2023-11-14 22:13:20.000'], // seconds, not January 1970
      [1700000000.5, '2023-11-14 22:13:20.500'],
      [1700000000.123, '2023-11-14 22:13:20.123'], // from the decimal text, no binary rounding to .122
      ['1700000000', '2023-11-14 22:13:20.000'],
      [1700000000123, '2023-11-14 22:13:20.123'], // milliseconds
      [1700000000123456, '2023-11-14 22:13:20.123'], // microseconds
      [1700000000123456789n, '2023-11-14 22:13:20.123'], // nanoseconds
      ['1700000000123456789', '2023-11-14 22:13:20.123'],
      [0, '1970-01-01 00:00:00.000'],
      [-86400, '1969-12-31 00:00:00.000'],
      [9999999999, '2286-11-20 17:46:39.000'], // the largest seconds value
      [10000000000, '1970-04-26 17:46:40.000'], // the smallest milliseconds value
    ])('%p → %s', (value, expected) => {
      expect(at.coerce({ at: value }).at).toBe(expected);
      expect(at.coerce({ day: value }).day).toBe(expected.slice(0, 10));
    });

    test('property: the same instant in seconds, millis, micros and nanos is the same timestamp', () => {
      fc.assert(
        fc.property(fc.integer({ min: 10_000_000, max: 9_999_999_999 }), fc.integer({ min: 0, max: 999 }), (s, ms) => {
          const expected = new Date(s * 1000 + ms).toISOString().replace('T', ' ').slice(0, 23);
          const seconds = `${s}.${String(ms).padStart(3, '0')}`;
          for (const v of [
            seconds,
            Number(seconds),
            s * 1000 + ms,
            BigInt(s * 1000 + ms) * 1000n + 999n,
            BigInt(s * 1000 + ms) * 1_000_000n,
          ]) {
            expect(at.coerce({ at: v }).at).toBe(expected);
          }
        }),
        { numRuns: 300, seed: 3 },
      );
    });
  });

  describe('decimals: rounded half away from zero to the scale, the same for every representation', () => {
    const price = compileRowCoercer([{ name: 'p', type: 'decimal(10,2)' }]);
    test.each([
      [0.1 + 0.2, 0.3],
      [4e-7, 0],
      ['4e-7', 0],
      [1.005, 1.01], // String(1.005) is '1.005': rounded up, where toFixed(2) gives 1.00
      ['1.005', 1.01],
      [-1.005, -1.01],
      ['-0.004', 0],
      ['1.5e3', 1500],
      [12345678n, 12345678],
      ['99999999.994', 99999999.99],
    ])('%p → %p', (value, expected) => {
      expect(price.coerce({ p: value }).p).toBe(expected);
      expect(price.toJson({ p: value })).toBe(`{"p":${expected}}`);
    });

    test('property: a number, its String() text and that text with an exponent give the same decimal', () => {
      fc.assert(
        fc.property(
          fc.double({ min: -99999999, max: 99999999, noNaN: true }),
          fc.integer({ min: -3, max: 3 }),
          (n, e) => {
            const text = String(n);
            const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text)!;
            const mantissa = `${m[1]}${m[2]}${m[3] ?? ''}`;
            const exponent = Number(m[4] ?? 0) - (m[3]?.length ?? 0) - e;
            const shifted = `${mantissa}e${exponent + e}`; // the same value written with another exponent
            const out = price.toJson({ p: n });
            expect(price.toJson({ p: text })).toBe(out);
            expect(price.toJson({ p: shifted })).toBe(out);
          },
        ),
        { numRuns: 300, seed: 4 },
      );
    });
  });
});

describe('the 6 MiB response at any transform buffer the construct allows (issue 16, fix 4)', () => {
  const size = (report: { response: unknown }) => Buffer.byteLength(JSON.stringify(report.response));

  /** Records of `length` bytes whose rows are `factor` times as large. */
  function expandingEvent(lengths: number[]) {
    return eventOf(lengths.map((length, i) => `${i % 10}`.repeat(length)));
  }
  const expand = (factors: number[]) => (text: string, record: { recordId: string }) => {
    const factor = factors[Number(record.recordId.slice(1))];
    return factor === 0 ? drop() : { t: 'x'.repeat(Math.round(text.length * factor)) };
  };

  test('property (scaled 1:64): never over budget; a record fails for size only when its rows truly do not fit', async () => {
    // The construct allows 0.2..3 MB of source data per invocation; scaled down 64 times
    // (budget 96 KiB, batches up to 47 KiB) so that a run takes milliseconds. The rule is linear.
    const budget = MAX_RESPONSE_BYTES / 64;
    let runsWithSizeFailures = 0;
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(
            fc.tuple(
              fc.integer({ min: 100, max: 1500 }),
              fc.oneof(
                { weight: 1, arbitrary: fc.constant(0) },
                { weight: 4, arbitrary: fc.integer({ min: 1, max: 80 }).map((tenths) => tenths / 10) },
              ),
            ),
            { minLength: 1, maxLength: 60, size: 'max' },
          )
          // at most 3 MB / 64 of source data, as Firehose sends at most transformBufferSize
          .map((items) => {
            let total = 0;
            return items.filter(([length]) => (total += length) <= 3_000_000 / 64);
          })
          .filter((items) => items.length > 0),
        async (items) => {
          const event = expandingEvent(items.map(([l]) => l));
          const factors = items.map(([, f]) => f);
          const report = await processFirehoseRecords(event, expand(factors), { maxResponseBytes: budget });
          expect(size(report)).toBe(report.responseBytes);
          expect(report.responseBytes).toBeLessThanOrEqual(budget);
          expect(report.response.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
          // Each record failed for size could not have been answered Ok in this response.
          const full = await processFirehoseRecords(event, expand(factors), { maxResponseBytes: Infinity });
          if (report.failures.length > 0) runsWithSizeFailures++;
          for (const [i, r] of report.response.records.entries()) {
            if (r.result !== 'ProcessingFailed') {
              expect(r).toEqual(full.response.records[i]);
              continue;
            }
            expect(r.data).toBe(event.records[i].data);
            const okBytes = Buffer.byteLength(JSON.stringify(full.response.records[i]));
            const failBytes = Buffer.byteLength(JSON.stringify(r));
            expect(report.responseBytes - failBytes + okBytes).toBeGreaterThan(budget);
          }
        },
      ),
      { numRuns: 100, seed: 6 },
    );
    expect(runsWithSizeFailures).toBeGreaterThan(20); // the budget binds in many runs
  });

  test('a record that expands is not failed to make room for later records that end up Dropped', async () => {
    // 11 records of 400 KB (a 5.9 MB request): the first expands 2.5x, the other ten are dropped.
    // Reserving room for the later records' source data would fail the first; it fits.
    const event = eventOf(Array.from({ length: 11 }, (_, i) => `${i}`.repeat(400_000)));
    const report = await processFirehoseRecords(event, (text, record) =>
      record.recordId === 'r0' ? { t: text.repeat(2) + text.slice(0, 200_000) } : drop(),
    );
    expect(report.response.records.map((r) => r.result)).toEqual(['Ok', ...Array(10).fill('Dropped')]);
    expect(report.responseBytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  });

  test('rows larger than the whole response can hold fail at once, with the reason; the other records are answered', async () => {
    // 3,109 characters of rows: their base64 alone (4,148 bytes) is larger than a 4,096-byte response.
    const report = await processFirehoseRecords(
      eventOf(['a', 'b']),
      (text) => ({ t: text === 'a' ? 'x'.repeat(3100) : 'y' }),
      { maxResponseBytes: 4096 },
    );
    expect(report.response.records.map((r) => r.result)).toEqual(['ProcessingFailed', 'Ok']);
    expect(report.failures[0].reason).toBe(
      'response size limit: the rows of this record (3109 characters of JSON) are larger than the 4096-byte response can hold',
    );
  });

  test('rows over the budget but smaller than their source data stay Ok: failing them would not make the response smaller', async () => {
    // 6,000 bytes of source data (8,000 of base64) whose rows are 1,609 characters, 2,000-byte budget.
    const report = await processFirehoseRecords(eventOf(['a'.repeat(6000)]), (text) => ({ m: text.slice(0, 1600) }), {
      maxResponseBytes: 2000,
    });
    expect(report.response.records.map((r) => r.result)).toEqual(['Ok']);
  });

  test('a record whose data is not text fails with the reason; the others are answered', async () => {
    const event = eventOf(['a', 'b']);
    (event.records[0] as { data: unknown }).data = 5;
    const report = await processFirehoseRecords(event, (text) => ({ t: text }));
    expect(report.response.records.map((r) => [r.result, r.data])).toEqual([
      ['ProcessingFailed', ''],
      ['Ok', Buffer.from('{"t":"b"}\n').toString('base64')],
    ]);
    expect(report.failures[0].reason).toBe('record data is number, not base64 text');
    expect(report.responseBytes).toBe(Buffer.byteLength(JSON.stringify(report.response)));
  });

  test('3 MB of health-check lines through the reference transform: under 6 MiB, and only the records that cannot fit fail', async () => {
    const line = '10.0.1.17 - - [02/Oct/2017:20:22:07 +0000] "GET /health HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0"';
    const record = Array.from({ length: 70 }, () => line).join('\n');
    const count = Math.floor(3_000_000 / record.length); // the construct's largest transformBufferSize
    const event = eventOf(Array.from({ length: count }, () => record));
    const report = await processFirehoseRecords(event, createApacheLogTransform(), { columns: WEB_LOG_COLUMNS });
    expect(report.responseBytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(size(report)).toBe(report.responseBytes);
    expect(report.counts.failed).toBeGreaterThan(0); // 3 MB of such lines make ~8 MB of rows: some cannot fit
    // All records are alike: the most Ok answers that fit beside source-data answers for the rest.
    const okCost = Buffer.byteLength(JSON.stringify(report.response.records.find((r) => r.result === 'Ok')));
    const failCost = Buffer.byteLength(
      JSON.stringify(report.response.records.find((r) => r.result === 'ProcessingFailed')),
    );
    const room = MAX_RESPONSE_BYTES - report.responseBytes;
    expect(room).toBeLessThan(okCost - failCost + 2); // not one more record would fit
    expect(report.counts.failed).toBe(count - report.counts.ok);
    expect(report.failures[0].reason).toMatch(/^response size limit/);
  });
});
