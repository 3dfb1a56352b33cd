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
}

/** Turns rows into the shape the Glue table expects. */
export interface RowCoercer {
  readonly columns: readonly ColumnDefinition[];
  /**
   * Returns a new row: keys are the lowercase column names in column order, every column present
   * (null when missing), values coerced to the column types. Throws RowCoercionError.
   */
  coerce(row: Record<string, unknown>): Record<string, unknown>;
}

type Coerce = (value: unknown, path: string) => unknown;

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
  const coercers = columns.map((c) => compileType(parseColumnType(c.type), failUnknown));
  const byLowerName = new Map(names.map((n, i) => [n.toLowerCase(), i]));

  return {
    columns,
    coerce(row) {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw new RowCoercionError('row', `expected an object, received ${describe(row)}`);
      }
      const values: unknown[] = new Array(names.length);
      let found = 0;
      for (let i = 0; i < names.length; i++) {
        const v = row[names[i]];
        if (v !== undefined) {
          values[i] = v;
          found++;
        }
      }
      const keys = Object.keys(row);
      if (found !== keys.length) {
        // Slow path: keys in another case, or keys that match no column.
        for (const key of keys) {
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
      }
      const out: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const v = values[i];
        out[names[i]] = v === undefined || v === null ? null : coercers[i](v, names[i]);
      }
      return out;
    },
  };
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
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v;
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
  const n = Number(big);
  if (Number.isSafeInteger(n)) return n;
  if (rawJson) return rawJson(big.toString());
  throw new RowCoercionError(path, `bigint beyond 2^53 needs JSON.rawJSON (Node 22), received ${describe(v)}`);
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
  const iso = new Date(millis).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
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
  const canonical = `${m[1] === '-' ? '-' : ''}${intDigits || '0'}${fraction ? `.${fraction}` : ''}`;
  if (intDigits.length + fraction.length <= 15) return Number(canonical);
  if (rawJson) return rawJson(canonical);
  throw new RowCoercionError(
    path,
    `decimal with more than 15 digits needs JSON.rawJSON (Node 22), received ${describe(v)}`,
  );
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
