import fc from 'fast-check';
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
    [{ price: '123456789.5' }, /price: decimal\(10,2\) allows 8 integer and 2 fraction digits, received "123456789.5"/],
    [{ price: '1.234' }, /price: decimal\(10,2\)/],
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

  test('timestamps format like toISOString, on any millisecond', () => {
    const at = compileRowCoercer([{ name: 'at', type: 'timestamp' }]);
    fc.assert(
      fc.property(fc.integer({ min: -62167219200000, max: 253402300799999 }), (millis) => {
        const iso = new Date(millis).toISOString();
        expect(at.coerce({ at: millis }).at).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 23)}`);
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
