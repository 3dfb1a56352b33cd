/**
 * Prop values for the construct-props fuzz test: each prop draws from values inside its allowed
 * range and from hostile ones (NaN, ±Infinity, fractions, out-of-range, empty and oversized
 * strings, unicode, CloudFormation parameters). Values are plain descriptions (printable in a
 * failure report); `materialize` turns them into what the constructs take, inside the case's stack.
 */
import { CfnParameter, Duration, Size, type Stack } from 'aws-cdk-lib';
import fc from 'fast-check';

/** A CloudFormation parameter (a token) of the given type, made in the case's stack. */
export class ParamToken {
  constructor(public readonly type: 'Number' | 'String') {}
  public toJSON(): string {
    return `<CfnParameter ${this.type}>`;
  }
}

export type DurationUnit = 'millis' | 'seconds' | 'minutes' | 'hours' | 'days';

/** A Duration: `Duration[unit](amount)`. */
export class DurationSpec {
  constructor(
    public readonly unit: DurationUnit,
    public readonly amount: number | ParamToken,
  ) {}
  public toJSON(): string {
    return `Duration.${this.unit}(${this.amount instanceof ParamToken ? 'token' : String(this.amount)})`;
  }
}

/** A Size: `Size[unit](amount)`. */
export class SizeSpec {
  constructor(
    public readonly unit: 'kibibytes' | 'mebibytes',
    public readonly amount: number | ParamToken,
  ) {}
  public toJSON(): string {
    return `Size.${this.unit}(${this.amount instanceof ParamToken ? 'token' : String(this.amount)})`;
  }
}

/** Values no numeric prop accepts, or only by accident of its range. */
const HOSTILE_NUMBERS = [NaN, Infinity, -Infinity, -1, 0, 0.5, 1.5, -0.25, 1e9, 2 ** 53 + 2];

export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** Only whole numbers are valid. @default true */
  readonly integer?: boolean;
}

/** A number prop: valid values, the range's edges and one step beyond, hostile values, a token. */
export function numberProp(range: NumberRange): fc.Arbitrary<number | ParamToken> {
  const integer = range.integer ?? true;
  const step = integer ? 1 : Math.max((range.max - range.min) / 1000, 1e-6);
  const valid = integer
    ? fc.integer({ min: range.min, max: Math.min(range.max, Number.MAX_SAFE_INTEGER) })
    : fc.double({ min: range.min, max: range.max, noNaN: true, noDefaultInfinity: true });
  return fc.oneof(
    { arbitrary: valid, weight: 5 },
    { arbitrary: fc.constantFrom(range.min, range.max, range.min - step, range.max + step), weight: 2 },
    { arbitrary: fc.constantFrom(...HOSTILE_NUMBERS), weight: 2 },
    { arbitrary: fc.constant(new ParamToken('Number')), weight: 1 },
  );
}

const UNIT_SECONDS: Record<DurationUnit, number> = {
  millis: 0.001,
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86_400,
};

export interface DurationRange {
  /** Smallest valid duration, in seconds. */
  readonly minSeconds: number;
  /** Largest valid duration, in seconds. */
  readonly maxSeconds: number;
  /** The unit valid values come in (the AWS property's unit). */
  readonly unit: DurationUnit;
}

/**
 * A Duration prop: valid amounts in the property's unit, the same durations in other units
 * (millis make fractions of a second), edges, hostile amounts (NaN, Infinity, huge), a token.
 */
export function durationProp(range: DurationRange): fc.Arbitrary<DurationSpec> {
  const per = UNIT_SECONDS[range.unit];
  const lo = Math.ceil(range.minSeconds / per);
  const hi = Math.floor(range.maxSeconds / per);
  const valid = fc.integer({ min: lo, max: hi }).map((n) => new DurationSpec(range.unit, n));
  const units = Object.keys(UNIT_SECONDS) as DurationUnit[];
  const rescaled = fc
    .tuple(fc.integer({ min: lo, max: hi }), fc.constantFrom(...units), fc.constantFrom(0, 0.5, 1))
    .map(([n, unit, extra]) => new DurationSpec(unit, (n * per) / UNIT_SECONDS[unit] + extra));
  const edges = fc
    .constantFrom(range.minSeconds - 1, range.minSeconds, range.maxSeconds, range.maxSeconds + 1)
    .filter((s) => s >= 0)
    .map((s) => new DurationSpec('seconds', s));
  const hostile = fc
    .tuple(fc.constantFrom(...units), fc.constantFrom(NaN, Infinity, 0, 0.5, 1e12))
    .map(([unit, amount]) => new DurationSpec(unit, amount));
  return fc.oneof(
    { arbitrary: valid, weight: 5 },
    { arbitrary: rescaled, weight: 2 },
    { arbitrary: edges, weight: 2 },
    { arbitrary: hostile, weight: 2 },
    { arbitrary: fc.constant(new DurationSpec(range.unit, new ParamToken('Number'))), weight: 1 },
  );
}

/** A Size prop in MiB (valid range), with KiB fractions, edges, hostile amounts and a token. */
export function sizeProp(minMiB: number, maxMiB: number): fc.Arbitrary<SizeSpec> {
  return fc.oneof(
    {
      arbitrary: fc.integer({ min: Math.ceil(minMiB), max: maxMiB }).map((n) => new SizeSpec('mebibytes', n)),
      weight: 5,
    },
    {
      arbitrary: fc
        .integer({ min: Math.ceil(minMiB * 1024), max: maxMiB * 1024 })
        .map((n) => new SizeSpec('kibibytes', n)),
      weight: 2,
    },
    {
      arbitrary: fc
        .constantFrom(0, minMiB - 1, maxMiB + 1, NaN, Infinity, 0.1, 1e9)
        .filter((n) => !(n < 0))
        .map((n) => new SizeSpec('mebibytes', n)),
      weight: 2,
    },
    { arbitrary: fc.constant(new SizeSpec('mebibytes', new ParamToken('Number'))), weight: 1 },
  );
}

/** Strings no name accepts: empty, blank, oversized, unicode, separators, control characters. */
function hostileStrings(maxLength: number): string[] {
  return [
    '',
    ' ',
    'a'.repeat(maxLength + 1),
    'with space',
    'ünïcödé',
    '日本語',
    'UPPER',
    'semi;colon',
    'slash/name',
    'tab\tname',
    '../up',
    '-leading-dash',
    'trailing.',
    'a'.repeat(1025),
  ];
}

/** A name or text prop: valid strings, hostile ones, a token. */
export function stringProp(valid: fc.Arbitrary<string>, maxLength: number): fc.Arbitrary<string | ParamToken> {
  return fc.oneof(
    { arbitrary: valid, weight: 5 },
    { arbitrary: fc.constantFrom(...hostileStrings(maxLength)), weight: 3 },
    { arbitrary: fc.constant(new ParamToken('String')), weight: 1 },
  );
}

/** Strings of `alphabet`, `min` to `max` long. */
export function stringOf(alphabet: string, min: number, max: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength: min, maxLength: max });
}

export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const ALNUM = `${LOWER}ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789`;

/** Optional props: each key present in about a third of the cases. */
export function someOf<T extends Record<string, fc.Arbitrary<unknown>>>(
  model: T,
): fc.Arbitrary<Partial<{ [K in keyof T]: T[K] extends fc.Arbitrary<infer U> ? U : never }>> {
  const entries = Object.entries(model).map(
    ([key, arb]) => [key, fc.option(arb, { freq: 2, nil: undefined })] as const,
  );
  return fc
    .record(Object.fromEntries(entries) as Record<string, fc.Arbitrary<unknown>>)
    .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))) as never;
}

/** A props object (fast-check's records have no prototype). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Turns value descriptions into the values constructs take, with parameters made in `stack`. */
export function materialize(stack: Stack, value: unknown): any {
  if (value instanceof ParamToken) return param(stack, value.type);
  if (value instanceof DurationSpec) {
    const amount = value.amount instanceof ParamToken ? (param(stack, 'Number') as number) : value.amount;
    return Duration[value.unit](amount);
  }
  if (value instanceof SizeSpec) {
    const amount = value.amount instanceof ParamToken ? (param(stack, 'Number') as number) : value.amount;
    return Size[value.unit](amount);
  }
  if (Array.isArray(value)) return value.map((v) => materialize(stack, v));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialize(stack, v)]));
  }
  return value;
}

let parameters = 0;
function param(stack: Stack, type: 'Number' | 'String'): number | string {
  const p = new CfnParameter(stack, `FuzzParam${parameters++}`, { type });
  return type === 'Number' ? p.valueAsNumber : p.valueAsString;
}

/** The leaf keys set in a props description (nested plain objects included): the props an error may name. */
export function propNames(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (!isPlainObject(value)) return into;
  for (const [key, v] of Object.entries(value)) {
    into.add(key);
    propNames(v, into);
  }
  return into;
}

/** JSON of a case description, NaN and Infinity kept readable. */
export function describeValue(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}
