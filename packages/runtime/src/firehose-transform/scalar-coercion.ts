import { RowCoercionError } from './coercion-error';
import { formatCivilDate } from './civil-date';

/** Scalar coercions to Glue column types, and their exact JSON texts. Each throws RowCoercionError. */

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
// Decimal number text, the grammar of JSON numbers plus a leading '+', '.5' and '5.'.
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

// Node 22 (the Lambda runtime) has JSON.rawJSON: decimals and bigints beyond 2^53 keep every digit.
const rawJson = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;

/**
 * A string column takes a string as it is; a finite number, boolean or bigint as its decimal
 * text; a valid Date as ISO-8601; and an object or array as its JSON text, but only when every
 * value inside is JSON (see strictJsonText). Anything else (a function, a Symbol, NaN, an object
 * whose toJSON() returns undefined) would be written as nothing or as a lie, so it fails the row.
 */
export function toStringValue(v: unknown, path: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return String(v);
  } else if (typeof v === 'boolean' || typeof v === 'bigint') {
    return String(v);
  } else if (v instanceof Date) {
    if (!Number.isNaN(v.getTime())) return v.toISOString();
  } else if (typeof v === 'object' && v !== null) {
    return strictJsonText(v, path);
  }
  throw new RowCoercionError(path, `expected string, received ${describe(v)}`);
}

/**
 * JSON.stringify, but refusing what it would silently drop or change: functions, Symbols,
 * undefined array items, non-finite numbers, bigints, cycles, and toJSON() results that are
 * undefined. `undefined` object values are absent keys, as in JSON.stringify.
 */
export function strictJsonText(v: unknown, path: string): string {
  const seen: object[] = [];
  const check = (x: unknown, at: string, inArray: boolean): void => {
    if (x !== null && typeof x === 'object' && typeof (x as { toJSON?: unknown }).toJSON === 'function') {
      x = (x as { toJSON: (key: string) => unknown }).toJSON('');
      if (x === undefined) throw new RowCoercionError(at, 'toJSON() returned undefined');
    }
    if (x === null || typeof x === 'string' || typeof x === 'boolean') return;
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) throw new RowCoercionError(at, `${x} is not a JSON number`);
      return;
    }
    if (x === undefined) {
      if (inArray) throw new RowCoercionError(at, 'undefined is not a JSON value');
      return;
    }
    if (typeof x !== 'object') throw new RowCoercionError(at, `a ${typeof x} is not a JSON value`);
    if (seen.includes(x)) throw new RowCoercionError(at, 'cyclic object');
    seen.push(x);
    if (Array.isArray(x)) x.forEach((item, i) => check(item, `${at}[${i}]`, true));
    else for (const key of Object.keys(x)) check((x as Record<string, unknown>)[key], `${at}.${key}`, false);
    seen.pop();
  };
  check(v, path, false);
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

/**
 * A double column takes a finite number, a bigint that a double holds exactly, or decimal text
 * (`-12`, `1.5`, `.5`, `2e-3`): not `0x1A`, `0b101`, `1_000`, `Infinity` or text with spaces,
 * which Number() would accept.
 */
export function toDouble(v: unknown, path: string): number {
  let n = NaN;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && NUMBER_TEXT.test(v)) n = Number(v);
  else if (typeof v === 'bigint' && BigInt(Number(v)) === v) n = Number(v);
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

/**
 * Timestamps are written as 'yyyy-MM-dd HH:mm:ss.SSS' (UTC): both Firehose JSON SerDes read it.
 * Accepted: a Date; ISO-8601 text ('2024-01-02T03:04:05.678+02:00', 'T' or ' ', zone optional =
 * UTC); or an epoch number (number, bigint or decimal text) whose unit follows epochMillis' rule.
 */
export function toTimestamp(v: unknown, path: string): string {
  let millis: number;
  if (v instanceof Date) millis = v.getTime();
  else if (typeof v === 'string') millis = NUMBER_TEXT.test(v) ? epochMillis(v) : parseTimestampText(v);
  else if (typeof v === 'number' || typeof v === 'bigint') millis = epochMillis(v);
  else throw new RowCoercionError(path, `expected timestamp, received ${describe(v)}`);
  if (!Number.isFinite(millis) || millis < -62167219200000 || millis > 253402300799999) {
    throw new RowCoercionError(
      path,
      `expected timestamp (Date, ISO-8601 text, or epoch seconds/millis/micros/nanos in years 0..9999), received ${describe(v)}`,
    );
  }
  return formatTimestampMillis(millis);
}

/**
 * Epoch milliseconds of an epoch number, its unit decided by its magnitude, so that every unit
 * covers the years 1970-04-26 .. 2286-11-20 and a value is never read in two ways:
 *
 * | integer part (absolute) | unit |
 * |---|---|
 * | < 10^10 (up to 10 digits) | seconds |
 * | < 10^13 (11 to 13 digits) | milliseconds |
 * | < 10^16 (14 to 16 digits) | microseconds |
 * | < 10^19 (17 to 19 digits) | nanoseconds |
 *
 * So epoch seconds stay seconds (1700000000 is 2023-11-14, not January 1970), at the price of
 * millisecond values before 1970-04-26 (read as seconds). Digits below a millisecond are dropped
 * (toward zero, as Date does). The number is read from its decimal text (for a JS number, the
 * shortest text that round-trips, as String() prints it), so 1700000000.123 is exactly 123 ms.
 * NaN when the value is not an epoch number.
 */
export function epochMillis(v: number | bigint | string): number {
  const parts = decimalParts(typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v));
  if (parts === undefined) return NaN;
  const { negative, int, fraction } = parts;
  const shift = int.length <= 10 ? 3 : int.length <= 13 ? 0 : int.length <= 16 ? -3 : int.length <= 19 ? -6 : NaN;
  if (Number.isNaN(shift)) return NaN;
  const digits = int + fraction;
  const end = int.length + shift; // the millisecond digits are digits[0, end)
  const millisText = end <= 0 ? '0' : end <= digits.length ? digits.slice(0, end) : digits.padEnd(end, '0');
  const millis = Number(millisText);
  return negative && millis !== 0 ? -millis : millis;
}

/**
 * The sign, integer digits (no leading zeros) and fraction digits of decimal number text with an
 * optional exponent, or undefined when it is not one. Exponents beyond ±400 are refused (no
 * column type holds such a value, and the digits would be written out).
 */
function decimalParts(text: string): { negative: boolean; int: string; fraction: string } | undefined {
  const m = DECIMAL_TEXT.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  let int = m[2];
  let fraction = m[3] ?? '';
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (!/[1-9]/.test(int + fraction)) return { negative: false, int: '', fraction: '' };
  if (Math.abs(exponent) > 400) return undefined;
  if (exponent > 0) {
    fraction = fraction.padEnd(exponent, '0');
    int += fraction.slice(0, exponent);
    fraction = fraction.slice(exponent);
  } else if (exponent < 0) {
    int = int.padStart(-exponent, '0');
    fraction = int.slice(int.length + exponent) + fraction;
    int = int.slice(0, int.length + exponent);
  }
  return { negative: m[1] === '-', int: int.replace(/^0+/, ''), fraction: fraction.replace(/0+$/, '') };
}

const DAY_MILLIS = 86_400_000;
// '00'..'99' and '000'..'999', looked up instead of converting and padding numbers.
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => `${i}`.padStart(2, '0'));
const THREE_DIGITS: readonly string[] = Array.from({ length: 1000 }, (_, i) => `${i}`.padStart(3, '0'));
let cachedDay = NaN;
let cachedDate = '';

/** 'yyyy-MM-dd HH:mm:ss.SSS' (UTC) of epoch millis in years 0000..9999. */
export function formatTimestampMillis(millisSinceEpoch: number): string {
  const millis = Math.trunc(millisSinceEpoch); // as Date does
  const day = Math.floor(millis / DAY_MILLIS);
  // The date part changes once a day: format it only then (with integer arithmetic: a log's lines
  // span few days, but a batch of many sources' lines changes day often).
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = formatCivilDate(day) ?? new Date(day * DAY_MILLIS).toISOString().slice(0, 10);
  }
  const inDay = millis - day * DAY_MILLIS;
  const seconds = Math.floor(inDay / 1000);
  return (
    `${cachedDate} ${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:` +
    `${TWO_DIGITS[seconds % 60]}.${THREE_DIGITS[inDay % 1000]}`
  );
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

/** A date column: 'yyyy-MM-dd' text, a Date, or an epoch number (epochMillis' rule); written as 'yyyy-MM-dd'. */
export function toDate(v: unknown, path: string): string {
  let millis = NaN;
  if (typeof v === 'string') {
    const m = DATE_TEXT.exec(v);
    if (m && validCalendarDate(+m[1], +m[2], +m[3])) return v;
    if (NUMBER_TEXT.test(v)) millis = epochMillis(v);
  } else if (v instanceof Date) {
    millis = v.getTime();
  } else if (typeof v === 'number' || typeof v === 'bigint') {
    millis = epochMillis(v);
  }
  if (Number.isFinite(millis) && millis >= -62167219200000 && millis <= 253402300799999) {
    return formatTimestampMillis(millis).slice(0, 10);
  }
  throw new RowCoercionError(path, `expected date (yyyy-MM-dd, Date or epoch number), received ${describe(v)}`);
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

/**
 * The canonical decimal text (no exponent, no superfluous zeros) of a value for decimal(p,s).
 * One rule for every representation: the value is read as decimal text (a JS number as the
 * shortest text that round-trips, as String() prints it, so 0.1+0.2 is 0.30000000000000004 and
 * 4e-7 is 0.0000004; a bigint as its digits; a string as written, exponent allowed), then rounded
 * to `scale` fraction digits half away from zero (Hive's HALF_UP, what HiveDecimal does when it
 * enforces a column's scale), so 0.30000000000000004 → 0.3, 4e-7 → 0, 1.005 → 1.01. A value that
 * then has more than p−s integer digits is refused: rounding never changes its magnitude.
 */
export function decimalText(v: unknown, path: string, precision: number, scale: number): string {
  let text: string | undefined;
  if (typeof v === 'number' && Number.isFinite(v)) text = String(v);
  else if (typeof v === 'bigint') text = v.toString();
  else if (typeof v === 'string' && NUMBER_TEXT.test(v)) text = v;
  const parts = text === undefined ? undefined : decimalParts(text);
  if (parts === undefined) {
    throw new RowCoercionError(path, `expected decimal(${precision},${scale}), received ${describe(v)}`);
  }
  let { int, fraction } = parts;
  if (fraction.length > scale) {
    const roundUp = fraction.charCodeAt(scale) >= 53; // '5'..'9'
    fraction = fraction.slice(0, scale);
    if (roundUp) {
      const sum = (BigInt(`${int}${fraction}` || '0') + 1n).toString().padStart(scale + 1, '0');
      int = sum.slice(0, sum.length - scale).replace(/^0+/, '');
      fraction = sum.slice(sum.length - scale);
    }
    fraction = fraction.replace(/0+$/, '');
  }
  if (int.length > precision - scale) {
    throw new RowCoercionError(
      path,
      `decimal(${precision},${scale}) allows ${precision - scale} integer digits, received ${describe(v)}`,
    );
  }
  const negative = parts.negative && (int !== '' || fraction !== '');
  return `${negative ? '-' : ''}${int || '0'}${fraction ? `.${fraction}` : ''}`;
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
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a Symbol';
  return String(v);
}
