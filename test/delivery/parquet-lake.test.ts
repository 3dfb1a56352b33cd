/**
 * End-to-end, locally: the reference transform's rows, written as Parquet with the Glue table's
 * column types under the paths the Firehose prefix yields, read back with Hive partitioning give
 * the same rows and partition values. Everything is taken from the synthesized template, so the
 * schema, the prefix, the partition keys and the projection template must agree.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { DataLakeDelivery } from '../../lib/delivery';
import { handler } from '../../lambda/reference-transform';
import { createTestStack } from '../support/app';
import { loadLogLines } from '../support/fixtures';

type GlueColumn = { Name: string; Type: string };
type Row = Record<string, unknown>;

const ARRIVALS = ['2024-01-31T22:59:59.000Z', '2024-01-31T23:30:00.000Z', '2024-02-01T00:00:01.000Z'].map(Date.parse);
const PARQUET_TYPE: Record<string, [string, string | null, string]> = {
  // Glue type: [Parquet physical type, converted type, hyparquet-writer basic type]
  string: ['BYTE_ARRAY', 'UTF8', 'STRING'],
  int: ['INT32', null, 'INT32'],
  bigint: ['INT64', null, 'INT64'],
  timestamp: ['INT64', 'TIMESTAMP_MILLIS', 'TIMESTAMP'],
};
// What java.sql.Timestamp.valueOf (the SerDes' default timestamp parser) accepts.
const JAVA_SQL_TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

let workDir: string;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lake-'));
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Firehose's `!{timestamp:…}` (UTC) for the formats the partitioning uses. */
function evaluatePrefix(prefix: string, arrival: number): string {
  const d = new Date(arrival);
  const fields: Record<string, string> = {
    yyyy: String(d.getUTCFullYear()),
    MM: String(d.getUTCMonth() + 1).padStart(2, '0'),
    dd: String(d.getUTCDate()).padStart(2, '0'),
    HH: String(d.getUTCHours()).padStart(2, '0'),
  };
  return prefix.replace(/!\{timestamp:([^}]+)\}/g, (_m, format: string) => {
    if (!(format in fields)) throw new Error(`format not simulated: ${format}`);
    return fields[format];
  });
}

/** The OpenX/Hive JSON SerDe step: a JSON value to the Glue column type, or an error. */
function deserialize(value: unknown, type: string, column: string): unknown {
  if (value === null) return null;
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw new Error(`${column}: not a string`);
      return value;
    case 'int':
      if (!Number.isInteger(value) || Math.abs(value as number) > 2 ** 31) throw new Error(`${column}: not an int`);
      return value;
    case 'bigint':
      if (!Number.isSafeInteger(value)) throw new Error(`${column}: not a bigint`);
      return BigInt(value as number);
    case 'timestamp': {
      const m = JAVA_SQL_TIMESTAMP.exec(String(value));
      if (!m) throw new Error(`${column}: '${String(value)}' is not a java.sql.Timestamp`);
      return new Date(
        Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3))),
      );
    }
    default:
      throw new Error(`type not simulated: ${type}`);
  }
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test('transform rows → Parquet with the Glue types under the Firehose prefix → read back with Hive partitioning', async () => {
  // 1. The one definition, as deployed.
  const stack = createTestStack('Lake');
  const stream = new kinesis.Stream(stack, 'Stream');
  new DataLakeDelivery(stack, 'Delivery', { stream, referenceTransform: true });
  const template = Template.fromStack(stack).toJSON();
  const find = (type: string) =>
    Object.values(template.Resources as Record<string, { Type: string; Properties: Row }>).find((r) => r.Type === type)!
      .Properties;
  const destination = (find('AWS::KinesisFirehose::DeliveryStream').ExtendedS3DestinationConfiguration as Row) ?? {};
  const tableInput = find('AWS::Glue::Table').TableInput as {
    StorageDescriptor: { Columns: GlueColumn[] };
    PartitionKeys: GlueColumn[];
    Parameters: Record<string, unknown>;
  };
  const columns = tableInput.StorageDescriptor.Columns;
  const partitionKeys = tableInput.PartitionKeys;
  const prefix = destination.Prefix as string;
  // 's3://<bucket>/data/year=${year}/…': resolve the bucket to our local lake directory.
  const join = tableInput.Parameters['storage.location.template'] as { 'Fn::Join': [string, unknown[]] };
  const locationTemplate = join['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'BUCKET')).join('');
  expect(locationTemplate.startsWith('s3://BUCKET/')).toBe(true);

  // 2. Real log lines arriving over three hours that cross a day and a month.
  const lines = [
    ...loadLogLines('elastic__examples__Common_Data_Formats__apache_logs__apache_logs').slice(0, 300),
    ...loadLogLines('elastic__beats__filebeat__module__apache__error__test__test.log'),
    ...loadLogLines('crowdsecurity__hub__.tests__apache2-logs__apache2-logs.log'),
    ...loadLogLines('tstack__lnav__test__logfile_bad_access_log.0'),
    ...loadLogLines('google__mtail__internal__mtail__testdata__apache-common.log'),
  ];
  const records = lines.map((line, i) => ({
    recordId: `r${i}`,
    approximateArrivalTimestamp: ARRIVALS[i % ARRIVALS.length],
    data: Buffer.from(line).toString('base64'),
  }));

  // 3. The reference transform, through its Lambda handler.
  const response = await handler({ invocationId: 'e2e', records });
  expect(response.records.every((r) => r.result === 'Ok')).toBe(true);

  // 4. "Firehose": group rows by the evaluated prefix and convert them through the Glue schema.
  const byPrefix = new Map<string, Row[]>();
  const expected: Row[] = [];
  response.records.forEach((answer, i) => {
    const key = evaluatePrefix(prefix, records[i].approximateArrivalTimestamp);
    const d = new Date(records[i].approximateArrivalTimestamp);
    const partition = {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
    };
    for (const line of Buffer.from(answer.data, 'base64').toString('utf8').split('\n').filter(Boolean)) {
      const json = JSON.parse(line) as Row;
      // keys are Glue columns in order; a missing key is NULL to the SerDe
      expect(columns.map((c) => c.Name).filter((n) => n in json)).toEqual(Object.keys(json));
      const row = Object.fromEntries(columns.map((c) => [c.Name, deserialize(json[c.Name] ?? null, c.Type, c.Name)]));
      byPrefix.set(key, [...(byPrefix.get(key) ?? []), row]);
      expected.push({ ...row, ...partition });
    }
  });
  expect([...byPrefix.keys()].sort()).toEqual([
    'data/year=2024/month=01/day=31/hour=22/',
    'data/year=2024/month=01/day=31/hour=23/',
    'data/year=2024/month=02/day=01/hour=00/',
  ]);

  const lake = path.join(workDir, 'BUCKET');
  const write = [...byPrefix].map(([key, rows]) => ({
    file: path.join(lake, key, 'delivery-1.parquet'),
    columns: columns.map((c) => ({
      name: c.Name,
      type: PARQUET_TYPE[c.Type][2],
      data: rows.map((r) => {
        const v = r[c.Name];
        return typeof v === 'bigint' ? { $bigint: v.toString() } : v instanceof Date ? { $date: v.getTime() } : v;
      }),
    })),
  }));

  // 5. Write the Parquet files, then read every file found under the table location back.
  execFileSync(process.execPath, [path.join(__dirname, 'support', 'parquet-io.js')], {
    input: JSON.stringify({ write, read: [] }),
  });
  const tableRoot = path.join(lake, 'data');
  const files = walk(tableRoot).filter((f) => f.endsWith('.parquet'));
  const output = JSON.parse(
    execFileSync(process.execPath, [path.join(__dirname, 'support', 'parquet-io.js')], {
      input: JSON.stringify({ write: [], read: files }),
    }).toString(),
  ) as { schemas: Record<string, string[][]>; rows: Record<string, Row[]> };

  // 6. Hive partitioning: key=value directories become partition columns of the Glue key types,
  //    at exactly the place the projection's storage.location.template points to.
  const actual: Row[] = [];
  for (const file of files) {
    const segments = path.relative(tableRoot, path.dirname(file)).split(path.sep);
    const partition: Row = {};
    for (const segment of segments) {
      const [name, value] = segment.split('=');
      const key = partitionKeys.find((k) => k.Name === name);
      expect(key).toBeDefined();
      const params = tableInput.Parameters;
      const [min, max] = String(params[`projection.${name}.range`]).split(',').map(Number);
      expect(value).toHaveLength(Number(params[`projection.${name}.digits`]));
      expect(Number(value)).toBeGreaterThanOrEqual(min);
      expect(Number(value)).toBeLessThanOrEqual(max);
      partition[name] = key!.Type === 'int' ? Number(value) : value;
    }
    expect(segments.map((s) => s.split('=')[0])).toEqual(partitionKeys.map((k) => k.Name));
    const projected = locationTemplate.replace(
      /\$\{([a-z_]+)\}/g,
      (_m, name: string) => segments.find((s) => s.startsWith(`${name}=`))!.split('=')[1],
    );
    expect(`s3://${path.relative(workDir, path.dirname(file)).split(path.sep).join('/')}/`).toBe(projected);

    // the Parquet columns carry the Glue types
    expect(output.schemas[file]).toEqual(
      columns.map((c) => [c.Name, PARQUET_TYPE[c.Type][0], PARQUET_TYPE[c.Type][1]]),
    );
    for (const row of output.rows[file]) {
      const typed = Object.fromEntries(
        Object.entries(row).map(([k, v]) => {
          const tagged = v as { $bigint?: string; $date?: number } | null;
          if (tagged && typeof tagged === 'object' && '$bigint' in tagged) return [k, BigInt(tagged.$bigint!)];
          if (tagged && typeof tagged === 'object' && '$date' in tagged) return [k, new Date(tagged.$date!)];
          return [k, v];
        }),
      );
      actual.push({ ...typed, ...partition });
    }
  }

  // 7. Same rows, same partition values.
  const canonical = (rows: Row[]) =>
    rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
  expect(actual).toHaveLength(lines.length);
  expect(canonical(actual)).toEqual(canonical(expected));
  expect(expected.filter((r) => r.log_type === 'error').length).toBe(5);
  expect(expected.filter((r) => r.log_type === 'unparsed').length).toBe(1);
});
