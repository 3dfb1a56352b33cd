import { Token, type Duration } from 'aws-cdk-lib';

/** Throws `<name> must be an integer between <min> and <max>. Received <value>` unless `value` is a token or undefined. */
export function checkIntegerRange(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}. Received ${value}`);
  }
}

/** Throws unless `value` (when not a token) is in (0, 1]. */
export function checkFraction(name: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!(value > 0 && value <= 1)) throw new Error(`${name} must be greater than 0 and at most 1. Received ${value}`);
}

/** True when both are concrete numbers (no tokens), so they can be compared at synth. */
export function bothResolved(a: number | undefined, b: number | undefined): a is number {
  return a !== undefined && b !== undefined && !Token.isUnresolved(a) && !Token.isUnresolved(b);
}

/** A unit of the duration checks. */
export type DurationUnit = 'milliseconds' | 'seconds' | 'minutes' | 'hours' | 'days';

/** The allowed range of a Duration prop, in the unit of the AWS property it becomes. */
export interface DurationRange {
  readonly unit: DurationUnit;
  readonly min: number;
  /** @default - no upper bound */
  readonly max?: number;
  /** Only whole units: the AWS property is an integer (e.g. `RetentionPeriodHours`). */
  readonly integral?: boolean;
  /** Appended to the range in the message, e.g. ' with dynamic partitioning'. */
  readonly context?: string;
}

/** The amount of a duration in `unit`, fractions kept (NaN and Infinity pass through). */
export function durationIn(value: Duration, unit: DurationUnit): number {
  const options = { integral: false };
  switch (unit) {
    case 'milliseconds':
      return value.toMilliseconds(options);
    case 'seconds':
      return value.toSeconds(options);
    case 'minutes':
      return value.toMinutes(options);
    case 'hours':
      return value.toHours(options);
    case 'days':
      return value.toDays(options);
  }
}

/**
 * Throws `<prop> must be between <min> and <max> <unit> (whole <unit>). Received <amount> <unit>`
 * unless `value` is undefined or a token. NaN and Infinity are outside every range; a fraction
 * fails when the range is integral (aws-cdk-lib would otherwise throw later without the prop name).
 */
export function checkDurationRange(prop: string, value: Duration | undefined, range: DurationRange): void {
  if (value === undefined || value.isUnresolved()) return;
  const amount = durationIn(value, range.unit);
  const inRange = amount >= range.min && (range.max === undefined || amount <= range.max);
  if (Number.isFinite(amount) && inRange && (!range.integral || Number.isInteger(amount))) return;
  const bounds =
    range.max === undefined
      ? `at least ${range.min} ${range.unit}`
      : `between ${range.min} and ${range.max} ${range.unit}`;
  const whole = range.integral ? ` (whole ${range.unit})` : '';
  throw new Error(`${prop} must be ${bounds}${whole}${range.context ?? ''}. Received ${amount} ${range.unit}`);
}

/**
 * A Lambda function timeout: a whole number of seconds from 1 to 900 (`Timeout`).
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
 */
export const LAMBDA_TIMEOUT: DurationRange = { unit: 'seconds', min: 1, max: 900, integral: true };
