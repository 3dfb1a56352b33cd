import { RowCoercionError } from './coercion-error';

/** Scalar coercions to Glue column types, and their exact JSON texts. Each throws RowCoercionError. */

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

export function toStringValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  // Objects are kept as JSON text rather than '[object Object]'.
  return JSON.stringify(v);
}

export function toInt(v: unknown, path: string): number {
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

export function toBigint(v: unknown, path: string): unknown {
  const text = bigintText(v, path);
  const n = Number(text);
  if (Number.isSafeInteger(n)) return n;
  if (rawJson) return rawJson(text);
  throw new RowCoercionError(path, `bigint beyond 2^53 needs JSON.rawJSON (Node 22), received ${describe(v)}`);
}

/** The exact decimal digits of a bigint value. */
export function bigintText(v: unknown, path: string): string {
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

export function toDouble(v: unknown, path: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new RowCoercionError(path, `expected a finite double, received ${describe(v)}`);
  return n;
}

export function toBoolean(v: unknown, path: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw new RowCoercionError(path, `expected boolean, received ${describe(v)}`);
}

/** Timestamps are written as 'yyyy-MM-dd HH:mm:ss.SSS' (UTC): both Firehose JSON SerDes read it. */
export function toTimestamp(v: unknown, path: string): string {
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

export function toDate(v: unknown, path: string): string {
  if (typeof v === 'string') {
    const m = DATE_TEXT.exec(v);
    if (m && validCalendarDate(+m[1], +m[2], +m[3])) return v;
  } else if (v instanceof Date || typeof v === 'number') {
    const millis = v instanceof Date ? v.getTime() : v;
    if (Number.isFinite(millis) && Math.abs(millis) <= 8.64e15) return new Date(millis).toISOString().slice(0, 10);
  }
  throw new RowCoercionError(path, `expected date (yyyy-MM-dd, Date or epoch millis), received ${describe(v)}`);
}

export function toDecimal(v: unknown, path: string, precision: number, scale: number): unknown {
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
export function decimalText(v: unknown, path: string, precision: number, scale: number): string {
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

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()})`;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  return String(v);
}
