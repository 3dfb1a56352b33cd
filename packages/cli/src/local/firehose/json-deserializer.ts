/**
 * The deserializing step of Firehose's record format conversion: the transformed record's JSON
 * objects read with the Glue table's columns, as the OpenX or Hive JSON SerDe would. A record
 * whose JSON or values do not fit fails conversion (format-conversion-failed), whole.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html
 * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_OpenXJsonSerDe.html
 */
import type { GlueColumn } from '../pipeline-model';

export interface DeserializerOptions {
  readonly deserializer: 'OPENX' | 'HIVE';
  readonly caseInsensitive: boolean;
  readonly convertDotsInJsonKeysToUnderscores: boolean;
  readonly columnToJsonKeyMappings: Readonly<Record<string, string>>;
}

export type ColumnValue = string | number | bigint | boolean | Date | null;
export type TableRow = Record<string, ColumnValue>;

export class ConversionError extends Error {}

/** The scalar Glue types the local run converts; others are reported as not emulated. */
export function unsupportedColumnType(type: string): boolean {
  return !/^(string|varchar\(\d+\)|char\(\d+\)|tinyint|smallint|int|integer|bigint|float|double|decimal(\(\d+,\s*\d+\))?|boolean|timestamp|date)$/.test(
    type.toLowerCase(),
  );
}

/** Splits newline-delimited or concatenated JSON objects, as Firehose's conversion accepts them. */
export function splitJsonObjects(text: string): string[] {
  const objects: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 125 /* } */) {
      depth--;
      if (depth === 0) objects.push(text.slice(start, i + 1));
      if (depth < 0) throw new ConversionError('unbalanced } in the record');
    } else if (depth === 0 && c !== 10 && c !== 13 && c !== 32 && c !== 9) {
      throw new ConversionError(`the record is not JSON objects: unexpected '${text[i]}' at ${i}`);
    }
  }
  if (depth !== 0 || inString) throw new ConversionError('the record ends inside a JSON object');
  return objects;
}

/** One JSON object → a row of the table's columns (missing keys are NULL, unknown keys ignored). */
export function deserializeRow(json: string, columns: readonly GlueColumn[], options: DeserializerOptions): TableRow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new ConversionError(`not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConversionError('not a JSON object');
  const byKey = new Map<string, unknown>();
  const openx = options.deserializer === 'OPENX';
  for (const [jsonKey, value] of Object.entries(parsed as Record<string, unknown>)) {
    let key = jsonKey;
    if (openx && options.convertDotsInJsonKeysToUnderscores) key = key.replace(/\./g, '_');
    if (openx && options.caseInsensitive) key = key.toLowerCase();
    byKey.set(key, value);
  }
  const row: TableRow = {};
  for (const column of columns) {
    const jsonKey = (openx && options.columnToJsonKeyMappings[column.name]) || column.name;
    const lookup = openx && options.caseInsensitive ? jsonKey.toLowerCase() : jsonKey;
    row[column.name] = convert(byKey.get(lookup), column, openx);
  }
  return row;
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  tinyint: [-128n, 127n],
  smallint: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

function convert(value: unknown, column: GlueColumn, openx: boolean): ColumnValue {
  if (value === undefined || value === null) return null;
  const type = column.type.toLowerCase();
  const fail = (why: string): never => {
    throw new ConversionError(
      `column '${column.name}' (${column.type}): ${why}, got ${JSON.stringify(value)?.slice(0, 60)}`,
    );
  };
  if (type === 'string' || type.startsWith('varchar') || type.startsWith('char')) {
    if (typeof value === 'string') return value;
    // OpenX writes other JSON values as their JSON text; the Hive SerDe does not convert nested JSON.
    if (!openx && typeof value === 'object') fail('nested JSON is not a string for the Hive SerDe');
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  if (type in INT_RANGES) {
    let n: bigint;
    if (typeof value === 'number' && Number.isInteger(value)) {
      if (!Number.isSafeInteger(value) && Math.abs(value) >= 2 ** 63) fail('out of range');
      n = BigInt(value);
    } else if (openx && typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
      n = BigInt(value.trim());
    } else {
      return fail('not an integer');
    }
    const [min, max] = INT_RANGES[type];
    if (n < min || n > max) fail('out of range');
    return type === 'bigint' ? n : Number(n);
  }
  if (type === 'float' || type === 'double' || type.startsWith('decimal')) {
    if (typeof value === 'number') return value;
    if (openx && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      return Number(value);
    return fail('not a number');
  }
  if (type === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (openx && (value === 'true' || value === 'false')) return value === 'true';
    return fail('not a boolean');
  }
  if (type === 'timestamp') {
    const millis = parseTimestamp(value, openx);
    if (millis === undefined)
      fail(openx ? 'not a timestamp the OpenX SerDe reads' : 'not a java.sql.Timestamp (yyyy-mm-dd hh:mm:ss[.f])');
    return new Date(millis!);
  }
  if (type === 'date') {
    const m = typeof value === 'string' ? /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value) : null;
    if (!m) fail('not a date (yyyy-MM-dd)');
    return new Date(Date.UTC(Number(m![1]), Number(m![2]) - 1, Number(m![3])));
  }
  return fail('type not emulated');
}

// OpenX: yyyy-MM-dd'T'HH:mm:ss[.S]'Z' and yyyy-[M]M-[d]d HH:mm:ss[.S] (fraction up to 9 digits),
// epoch seconds, epoch milliseconds, fractional epoch seconds. Hive: java.sql.Timestamp.valueOf.
const ISO_Z = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const SQL = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

function parseTimestamp(value: unknown, openx: boolean): number | undefined {
  if (typeof value === 'number') {
    if (!openx) return undefined;
    // Epoch seconds (with or without a fraction) vs milliseconds: told apart by magnitude, as
    // 10-digit seconds and 13-digit milliseconds are today.
    return Number.isInteger(value) && Math.abs(value) >= 1e11 ? value : Math.round(value * 1000);
  }
  if (typeof value !== 'string') return undefined;
  const m = (openx ? (ISO_Z.exec(value) ?? SQL.exec(value)) : SQL.exec(value)) ?? undefined;
  if (!m) {
    if (openx && /^-?\d+(\.\d+)?$/.test(value)) return parseTimestamp(Number(value), openx);
    return undefined;
  }
  const [, y, mo, d, h, mi, s, fraction] = m;
  if (
    Number(mo) < 1 ||
    Number(mo) > 12 ||
    Number(d) < 1 ||
    Number(d) > 31 ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  return Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number((fraction ?? '0').padEnd(3, '0').slice(0, 3)),
  );
}
