import { parseColumnType, type ColumnDefinition, type ColumnType } from './column-type';

/** A row value that does not fit its column. Carries the path to the value, e.g. `tags[2]`. */
export class RowCoercionError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'RowCoercionError';
  }
}

export interface RowCoercerOptions {
  /**
   * What to do with a row key that matches no column (case-insensitively): 'fail' makes the record
   * ProcessingFailed, so that no field disappears unnoticed; 'ignore' leaves it out of the row.
   * @default 'fail'
   */
  readonly unknownKeys?: 'fail' | 'ignore';
  /**
   * Leave null columns out of `toJson` rows. The OpenX and Hive JSON SerDes read a missing key as
   * NULL, so the table is the same and the rows are smaller. `coerce` always returns every column.
   * @default false
   */
  readonly omitNulls?: boolean;
}

/** Turns rows into the shape the Glue table expects. */
export interface RowCoercer {
  readonly columns: readonly ColumnDefinition[];
  /**
   * Returns a new row: keys are the lowercase column names in column order, every column present
   * (null when missing), values coerced to the column types. Throws RowCoercionError.
   */
  coerce(row: Record<string, unknown>): Record<string, unknown>;
  /**
   * The same row as one JSON object text (what `JSON.stringify(coerce(row))` gives, with decimals
   * and large bigints written exactly), built in one pass without the intermediate object.
   */
  toJson(row: Record<string, unknown>): string;
}

type Coerce = (value: unknown, path: string) => unknown;
/** JSON text of a non-null value of the type; throws RowCoercionError. */
type ToJson = (value: unknown, path: string) => string;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?$/;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

// Node 22 (the Lambda runtime) has JSON.rawJSON: decimals and bigints beyond 2^53 keep every digit.
const rawJson = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;

/** Compiles the columns once into a coercer; throws when a column type string is invalid. */
export function compileRowCoercer(columns: readonly ColumnDefinition[], options: RowCoercerOptions = {}): RowCoercer {
  const failUnknown = (options.unknownKeys ?? 'fail') === 'fail';
  const names = columns.map((c) => c.name);
  const types = columns.map((c) => parseColumnType(c.type));
  const coercers = types.map((t) => compileType(t, failUnknown));
  const writers = types.map((t, i) => compileJson(t, coercers[i]));
  const omitNulls = options.omitNulls ?? false;
  // '"a":': the key text before each value.
  const keyTexts = names.map((name) => `${JSON.stringify(name)}:`);
  const byLowerName = new Map(names.map((name, i) => [name.toLowerCase(), i]));
  const n = names.length;
  // Reused between calls: both methods are done with it before they return (no re-entrancy).
  const values: unknown[] = new Array(n);

  /** Fills `values` with the row's value per column, matching keys case-insensitively. */
  const collect = (row: Record<string, unknown>): void => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new RowCoercionError('row', `expected an object, received ${describe(row)}`);
    }
    let found = 0;
    for (let i = 0; i < n; i++) {
      const v = row[names[i]];
      values[i] = v;
      if (v !== undefined) found++;
    }
    let keys = 0;
    for (const key in row) if (Object.prototype.hasOwnProperty.call(row, key)) keys++;
    if (found === keys) return;
    // Slow path: keys in another case, or keys that match no column.
    for (const key of Object.keys(row)) {
      const index = byLowerName.get(key.toLowerCase());
      if (index === undefined) {
        if (failUnknown && row[key] !== undefined) {
          throw new RowCoercionError(key, `no column '${key.toLowerCase()}' in the table`);
        }
        continue;
      }
      if (key === names[index]) continue;
      if (values[index] !== undefined && row[key] !== undefined) {
        throw new RowCoercionError(key, `two keys map to column '${names[index]}'`);
      }
      values[index] = row[key];
    }
  };

  return {
    columns,
    coerce(row) {
      collect(row);
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const v = values[i];
        out[names[i]] = v === undefined || v === null ? null : coercers[i](v, names[i]);
      }
      return out;
    },
    toJson: compileToJson(
      names,
      types,
      writers,
      (row) => {
        collect(row);
        let text = '';
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (v === undefined || v === null) {
            if (!omitNulls) text += `,${keyTexts[i]}null`;
          } else {
            text += `,${keyTexts[i]}${writers[i](v, names[i])}`;
          }
        }
        return text === '' ? '{}' : `{${text.slice(1)}}`;
      },
      omitNulls,
    ),
  };
}

/**
 * Generates `toJson` for the common case (keys already the exact column names) as straight-line
 * code: named property loads and one string concatenation per row, about 2x faster than a loop
 * over the columns. Anything else (other key case, unknown keys, not an object) takes `slow`.
 * Column names enter the code only as JSON string literals.
 */
function compileToJson(
  names: readonly string[],
  types: readonly ColumnType[],
  writers: readonly ToJson[],
  slow: (row: Record<string, unknown>) => string,
  omitNulls: boolean,
): (row: Record<string, unknown>) => string {
  if (names.length === 0) return slow;
  const loads: string[] = [];
  const parts: string[] = [];
  names.forEach((name, i) => {
    const key = JSON.stringify(name);
    loads.push(`const v${i} = row[${key}]; if (v${i} !== undefined) found++;`);
    const write =
      types[i].kind === 'string'
        ? `(typeof v${i} === 'string' ? JSON.stringify(v${i}) : w[${i}](v${i}, ${key}))`
        : types[i].kind === 'int'
          ? `(typeof v${i} === 'number' && (v${i} | 0) === v${i} ? '' + v${i} : w[${i}](v${i}, ${key}))`
          : `w[${i}](v${i}, ${key})`;
    const keyText = JSON.stringify(`,${key}:`);
    parts.push(`(v${i} == null ? ${omitNulls ? "''" : `${keyText} + 'null'`} : ${keyText} + ${write})`);
  });
  const body = `
    return function toJson(row) {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) return slow(row);
      let found = 0;
      ${loads.join('\n      ')}
      let keys = 0;
      for (const k in row) keys++;
      if (found !== keys) return slow(row);
      const text = ${parts.join(' +\n        ')};
      return text === '' ? '{}' : '{' + text.slice(1) + '}';
    };`;
  return new Function('w', 'slow', body)(writers, slow) as (row: Record<string, unknown>) => string;
}

/** JSON writer of a column type: direct text for scalars, JSON.stringify of the coerced value otherwise. */
function compileJson(type: ColumnType, coerce: Coerce): ToJson {
  switch (type.kind) {
    case 'string':
      return (v) => JSON.stringify(typeof v === 'string' ? v : toStringValue(v));
    case 'int':
      return (v, path) => String(typeof v === 'number' && (v | 0) === v ? v : toInt(v, path));
    case 'double':
      return (v, path) => String(toDouble(v, path));
    case 'boolean':
      return (v, path) => (v === true ? 'true' : v === false ? 'false' : String(toBoolean(v, path)));
    case 'timestamp':
    case 'date': {
      // Digits, '-', ':', '.' and ' ' only: no escaping needed. Log rows often repeat a time.
      let lastInput: unknown;
      let lastText = '';
      return (v, path) => {
        if (v === lastInput && typeof v !== 'object') return lastText;
        const text = `"${coerce(v, path) as string}"`;
        lastInput = v;
        lastText = text;
        return text;
      };
    }
    case 'bigint':
      return (v, path) => (Number.isSafeInteger(v) ? String(v) : bigintText(v, path));
    case 'decimal':
      return (v, path) => decimalText(v, path, type.precision, type.scale);
    default:
      // Nested types: JSON.rawJSON (Node 22) keeps exact decimals inside; rare enough to stringify.
      return (v, path) => JSON.stringify(coerce(v, path));
  }
}

function compileType(type: ColumnType, failUnknown: boolean): Coerce {
  switch (type.kind) {
    case 'string':
      return toStringValue;
    case 'int':
      return toInt;
    case 'bigint':
      return toBigint;
    case 'double':
      return toDouble;
    case 'boolean':
      return toBoolean;
    case 'timestamp':
      return toTimestamp;
    case 'date':
      return toDate;
    case 'decimal':
      return (v, path) => toDecimal(v, path, type.precision, type.scale);
    case 'array': {
      const item = compileType(type.item, failUnknown);
      return (v, path) => {
        if (!Array.isArray(v)) throw new RowCoercionError(path, `expected an array, received ${describe(v)}`);
        return v.map((x, i) => (x === null || x === undefined ? null : item(x, `${path}[${i}]`)));
      };
    }
    case 'map': {
      const key = compileType(type.key, failUnknown);
      const value = compileType(type.value, failUnknown);
      return (v, path) => {
        if (!isPlainObject(v)) throw new RowCoercionError(path, `expected an object (map), received ${describe(v)}`);
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v)) {
          key(k, `${path}.key(${k})`);
          const x = v[k];
          out[k] = x === null || x === undefined ? null : value(x, `${path}.${k}`);
        }
        return out;
      };
    }
    case 'struct': {
      const fields = type.fields.map((f) => ({ name: f.name.toLowerCase(), coerce: compileType(f.type, failUnknown) }));
      const known = new Set(fields.map((f) => f.name));
      return (v, path) => {
        if (!isPlainObject(v)) throw new RowCoercionError(path, `expected an object (struct), received ${describe(v)}`);
        const lower: Record<string, unknown> = {};
        for (const k of Object.keys(v)) {
          const lk = k.toLowerCase();
          if (!known.has(lk)) {
            if (failUnknown && v[k] !== undefined) throw new RowCoercionError(`${path}.${k}`, 'no such struct field');
            continue;
          }
          lower[lk] = v[k];
        }
        const out: Record<string, unknown> = {};
        for (const f of fields) {
          const x = lower[f.name];
          out[f.name] = x === null || x === undefined ? null : f.coerce(x, `${path}.${f.name}`);
        }
        return out;
      };
    }
  }
}

function toStringValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  // Objects are kept as JSON text rather than '[object Object]'.
  return JSON.stringify(v);
}

function toInt(v: unknown, path: string): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && INTEGER_TEXT.test(v)) n = Number(v);
  else if (typeof v === 'bigint' && v >= BigInt(INT32_MIN) && v <= BigInt(INT32_MAX)) n = Number(v);
  else throw new RowCoercionError(path, `expected int, received ${describe(v)}`);
  if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) {
    throw new RowCoercionError(path, `expected int (${INT32_MIN}..${INT32_MAX}), received ${describe(v)}`);
  }
  return n;
}

function toBigint(v: unknown, path: string): unknown {
  const text = bigintText(v, path);
  const n = Number(text);
  if (Number.isSafeInteger(n)) return n;
  if (rawJson) return rawJson(text);
  throw new RowCoercionError(path, `bigint beyond 2^53 needs JSON.rawJSON (Node 22), received ${describe(v)}`);
}

/** The exact decimal digits of a bigint value. */
function bigintText(v: unknown, path: string): string {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return String(v);
    throw new RowCoercionError(
      path,
      `expected bigint (a safe integer when given as a number), received ${describe(v)}`,
    );
  }
  let big: bigint;
  if (typeof v === 'bigint') big = v;
  else if (typeof v === 'string' && INTEGER_TEXT.test(v)) big = BigInt(v);
  else throw new RowCoercionError(path, `expected bigint, received ${describe(v)}`);
  if (big < INT64_MIN || big > INT64_MAX)
    throw new RowCoercionError(path, `bigint out of range, received ${describe(v)}`);
  return big.toString();
}

function toDouble(v: unknown, path: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new RowCoercionError(path, `expected a finite double, received ${describe(v)}`);
  return n;
}

function toBoolean(v: unknown, path: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw new RowCoercionError(path, `expected boolean, received ${describe(v)}`);
}

/** Timestamps are written as 'yyyy-MM-dd HH:mm:ss.SSS' (UTC): both Firehose JSON SerDes read it. */
function toTimestamp(v: unknown, path: string): string {
  let millis: number;
  if (typeof v === 'number') millis = v;
  else if (v instanceof Date) millis = v.getTime();
  else if (typeof v === 'string') millis = parseTimestampText(v);
  else throw new RowCoercionError(path, `expected timestamp, received ${describe(v)}`);
  if (!Number.isFinite(millis) || millis < -62167219200000 || millis > 253402300799999) {
    throw new RowCoercionError(path, `expected timestamp (epoch millis, Date or ISO-8601), received ${describe(v)}`);
  }
  return formatTimestampMillis(millis);
}

const DAY_MILLIS = 86_400_000;
let cachedDay = NaN;
let cachedDate = '';

/** 'yyyy-MM-dd HH:mm:ss.SSS' (UTC) of epoch millis in years 0000..9999. */
export function formatTimestampMillis(epochMillis: number): string {
  const millis = Math.trunc(epochMillis); // as Date does
  const day = Math.floor(millis / DAY_MILLIS);
  // The date part changes once a day: format it with toISOString only then.
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * DAY_MILLIS).toISOString().slice(0, 10);
  }
  const inDay = millis - day * DAY_MILLIS;
  const h = Math.floor(inDay / 3_600_000);
  const m = Math.floor(inDay / 60_000) % 60;
  const sec = Math.floor(inDay / 1000) % 60;
  const ms = inDay % 1000;
  return `${cachedDate} ${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${sec < 10 ? '0' : ''}${sec}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
}

function parseTimestampText(text: string): number {
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) return NaN;
  const fraction = m[7] ? m[7].slice(0, 3).padEnd(3, '0') : '000';
  let zone = m[8] ?? 'Z';
  if (zone !== 'Z' && zone.length === 5) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const millis = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${fraction}${zone}`);
  // Date.parse accepts 2021-02-30; check the calendar date survived.
  return validCalendarDate(+m[1], +m[2], +m[3]) ? millis : NaN;
}

function toDate(v: unknown, path: string): string {
  if (typeof v === 'string') {
    const m = DATE_TEXT.exec(v);
    if (m && validCalendarDate(+m[1], +m[2], +m[3])) return v;
  } else if (v instanceof Date || typeof v === 'number') {
    const millis = v instanceof Date ? v.getTime() : v;
    if (Number.isFinite(millis) && Math.abs(millis) <= 8.64e15) return new Date(millis).toISOString().slice(0, 10);
  }
  throw new RowCoercionError(path, `expected date (yyyy-MM-dd, Date or epoch millis), received ${describe(v)}`);
}

function toDecimal(v: unknown, path: string, precision: number, scale: number): unknown {
  const canonical = decimalText(v, path, precision, scale);
  const digits = canonical.replace(/[-.]/g, '').replace(/^0+/, '');
  if (digits.length <= 15) return Number(canonical);
  if (rawJson) return rawJson(canonical);
  throw new RowCoercionError(
    path,
    `decimal with more than 15 digits needs JSON.rawJSON (Node 22), received ${describe(v)}`,
  );
}

/** The canonical decimal text (no exponent, no superfluous zeros) of a value that fits decimal(p,s). */
function decimalText(v: unknown, path: string, precision: number, scale: number): string {
  let text: string;
  if (typeof v === 'number' && Number.isFinite(v)) {
    text = String(v);
    // Exponent notation: large doubles are integers; tiny ones are written out to the scale.
    if (text.includes('e')) text = Math.abs(v) >= 1 ? BigInt(v).toString() : v.toFixed(Math.min(scale, 100));
  } else if (typeof v === 'string' || typeof v === 'bigint') {
    text = String(v).trim();
  } else {
    throw new RowCoercionError(path, `expected decimal(${precision},${scale}), received ${describe(v)}`);
  }
  const m = DECIMAL_TEXT.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    throw new RowCoercionError(path, `expected decimal(${precision},${scale}), received ${describe(v)}`);
  }
  const intDigits = m[2].replace(/^0+/, '');
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  if (intDigits.length > precision - scale || fraction.length > scale) {
    throw new RowCoercionError(
      path,
      `decimal(${precision},${scale}) allows ${precision - scale} integer and ${scale} fraction digits, received ${describe(v)}`,
    );
  }
  const negative = m[1] === '-' && (intDigits !== '' || fraction !== '');
  return `${negative ? '-' : ''}${intDigits || '0'}${fraction ? `.${fraction}` : ''}`;
}

function validCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()})`;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  return String(v);
}
