/**
 * The validation vocabulary every construct uses for its props: numbers (integer, range,
 * positive, ratio), durations, sizes, names (pattern and length), one-of sets and literals.
 *
 * Every check throws `<prop> must be <allowed range>. Received <value>` and lets tokens pass
 * (their value is known only at deploy time), except where a literal is required. NaN and
 * ±Infinity are outside every range: range checks are written so that a comparison with NaN
 * fails them (`!(x >= min)`, never `x < min`).
 */
import { Token, type Duration, type Size, SizeRoundingBehavior } from 'aws-cdk-lib';

/** The allowed values of a number prop. */
export interface NumberRange {
  /** @default - no lower bound */
  readonly min?: number;
  /** @default - no upper bound */
  readonly max?: number;
  /** `min` itself is not allowed (e.g. greater than 0). @default false */
  readonly minExclusive?: boolean;
  /** Only whole numbers. @default false */
  readonly integer?: boolean;
  /** Values allowed besides the range, e.g. -1 for "retry forever". @default - none */
  readonly also?: readonly number[];
  /** Unit after the bounds, e.g. 'MiB'. @default - none */
  readonly unit?: string;
  /** What the value is, e.g. 'a ratio'. @default 'an integer' for integers, else nothing */
  readonly noun?: string;
  /** Appended to the range, e.g. ' with dynamic partitioning'. @default '' */
  readonly context?: string;
}

/** True when `value` is a number known at synth time (not a token). */
export function isLiteralNumber(value: number | undefined): value is number {
  return value !== undefined && !Token.isUnresolved(value);
}

/** True when both are numbers known at synth time, so they can be compared. */
export function bothResolved(a: number | undefined, b: number | undefined): a is number {
  return isLiteralNumber(a) && isLiteralNumber(b);
}

/** Whether a literal number is in the range (NaN and ±Infinity never are). */
export function inNumberRange(value: number, range: NumberRange): boolean {
  if (range.also?.includes(value)) return true;
  if (!Number.isFinite(value)) return false;
  if (range.integer && !Number.isInteger(value)) return false;
  if (range.min !== undefined && !(range.minExclusive ? value > range.min : value >= range.min)) return false;
  return range.max === undefined || value <= range.max;
}

/** The range in words: 'an integer between 1 and 10000', 'greater than 0 and at most 1 MiB'. */
export function describeNumberRange(range: NumberRange): string {
  const unit = range.unit ? ` ${range.unit}` : '';
  // With a unit, whole numbers read '(whole MiB)' like the duration checks' '(whole seconds)'.
  const noun = range.noun ?? (range.integer && !range.unit ? 'an integer' : '');
  const whole = range.integer && range.unit ? ` (whole ${range.unit})` : '';
  let bounds: string;
  if (range.min !== undefined && range.max !== undefined && !range.minExclusive) {
    bounds = `between ${range.min} and ${range.max}${unit}`;
  } else if (range.min !== undefined && range.max !== undefined) {
    bounds = `greater than ${range.min} and at most ${range.max}${unit}`;
  } else if (range.min !== undefined) {
    bounds = range.minExclusive
      ? `greater than ${range.min}${unit}`
      : `${noun ? 'of ' : ''}at least ${range.min}${unit}`;
  } else if (range.max !== undefined) {
    bounds = `${noun ? 'of ' : ''}at most ${range.max}${unit}`;
  } else {
    bounds = noun ? '' : 'a finite number';
  }
  const also = range.also?.length ? `${range.also.join(' or ')} or ` : '';
  return `${also}${[noun, bounds].filter((s) => s).join(' ')}${whole}${range.context ?? ''}`;
}

/**
 * Throws `<prop> must be <range>. Received <value>` unless `value` is undefined, a token, or in
 * the range. NaN and ±Infinity are outside every range.
 */
export function checkNumber(prop: string, value: number | undefined, range: NumberRange): void {
  if (!isLiteralNumber(value)) return;
  if (typeof value !== 'number') {
    throw new Error(`${prop} must be a number, ${describeNumberRange(range)}. Received ${String(value)}`);
  }
  if (!inNumberRange(value, range)) {
    throw new Error(`${prop} must be ${describeNumberRange(range)}. Received ${value}`);
  }
}

/** `<name> must be an integer between <min> and <max>. Received <value>`; tokens pass. */
export function checkIntegerRange(name: string, value: number | undefined, min: number, max: number): void {
  checkNumber(name, value, { min, max, integer: true });
}

/** `<name>` in (0, 1]; tokens pass. */
export function checkFraction(name: string, value: number | undefined): void {
  checkNumber(name, value, { min: 0, minExclusive: true, max: 1 });
}

/**
 * A number the construct computes with at synth time (no token): throws
 * `<prop> must be a number known at synth time (<why>). Received a token`.
 */
export function requireLiteralNumber(prop: string, value: number | undefined, why: string): void {
  if (value !== undefined && Token.isUnresolved(value)) {
    throw new Error(`${prop} must be a number known at synth time (${why}). Received a token (${String(value)})`);
  }
}

/** A string the construct reads at synth time (no token): `<prop> must be a literal string (<why>). Received a token`. */
export function requireLiteralString(prop: string, value: string | undefined, why: string): void {
  if (value !== undefined && Token.isUnresolved(value)) {
    throw new Error(`${prop} must be a literal string (${why}). Received a token (${value})`);
  }
}

/** `<prop> must be one of <values><unit>. Received <value>`; tokens pass. */
export function checkOneOf(prop: string, value: number | undefined, allowed: readonly number[], unit = ''): void {
  if (!isLiteralNumber(value) || allowed.includes(value)) return;
  throw new Error(`${prop} must be one of ${allowed.join(', ')}${unit ? ` ${unit}` : ''}. Received ${value}`);
}

// --- durations ---

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

const FACTORY: Record<DurationUnit, string> = {
  milliseconds: 'millis',
  seconds: 'seconds',
  minutes: 'minutes',
  hours: 'hours',
  days: 'days',
};

/**
 * A token duration converts only from its own unit (aws-cdk-lib cannot scale a token): throws
 * `<prop> must be given in <unit> when it is a token (Duration.<unit>(token)). Received Duration.<other>(token)`
 * unless `value` is a literal or a token in `unit`.
 */
export function checkTokenUnit(prop: string, value: Duration | undefined, unit: DurationUnit): void {
  if (value === undefined || !value.isUnresolved()) return;
  try {
    durationIn(value, unit);
  } catch {
    throw new Error(
      `${prop} must be given in ${unit} when it is a token (Duration.${FACTORY[unit]}(token)), as the AWS property takes ${unit}. Received Duration.${value.unitLabel()}(token)`,
    );
  }
}

/**
 * Throws `<prop> must be between <min> and <max> <unit> (whole <unit>). Received <amount> <unit>`
 * unless `value` is undefined or a token (a token must be in `range.unit`). NaN and Infinity are
 * outside every range; a fraction fails when the range is integral (aws-cdk-lib would otherwise
 * throw later without the prop name).
 */
export function checkDurationRange(prop: string, value: Duration | undefined, range: DurationRange): void {
  if (value === undefined) return;
  if (value.isUnresolved()) return checkTokenUnit(prop, value, range.unit);
  const amount = durationIn(value, range.unit);
  const inRange = amount >= range.min && (range.max === undefined || amount <= range.max);
  // A fraction of a millisecond (Duration.millis(1.5)) fails aws-cdk-lib's own conversions later.
  const wholeMillis = Number.isInteger(durationIn(value, 'milliseconds'));
  if (Number.isFinite(amount) && inRange && wholeMillis && (!range.integral || Number.isInteger(amount))) return;
  const bounds =
    range.max === undefined
      ? `at least ${range.min} ${range.unit}`
      : `between ${range.min} and ${range.max} ${range.unit}`;
  const whole = range.integral
    ? ` (whole ${range.unit})`
    : wholeMillis || !Number.isFinite(amount)
      ? ''
      : ' (whole milliseconds)';
  throw new Error(`${prop} must be ${bounds}${whole}${range.context ?? ''}. Received ${amount} ${range.unit}`);
}

/**
 * A Lambda function timeout: a whole number of seconds from 1 to 900 (`Timeout`).
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
 */
export const LAMBDA_TIMEOUT: DurationRange = { unit: 'seconds', min: 1, max: 900, integral: true };

/**
 * A Lambda function's memory: a whole number of MB from 128 to 10,240 (`MemorySize`).
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
 */
export const LAMBDA_MEMORY: NumberRange = { min: 128, max: 10_240, integer: true, unit: 'MB' };

// --- sizes ---

/**
 * Throws `<prop> must be between <min> and <max> MiB. Received <amount>` unless `value` is
 * undefined, a token or in range (in mebibytes, fractions kept).
 */
export function checkSizeRange(prop: string, value: Size | undefined, range: NumberRange): void {
  if (value === undefined) return;
  if (value.isUnresolved()) {
    try {
      value.toMebibytes();
    } catch {
      throw new Error(
        `${prop} must be given in mebibytes when it is a token (Size.mebibytes(token)), as the AWS property takes MiB. Received a token in another unit`,
      );
    }
    return;
  }
  checkNumber(prop, value.toMebibytes({ rounding: SizeRoundingBehavior.NONE }), { unit: 'MiB', ...range });
}

// --- names and texts ---

/** The allowed form of a name or text prop. */
export interface NameRule {
  /** @default 1 */
  readonly minLength?: number;
  readonly maxLength: number;
  /** The whole value must match. @default - any characters */
  readonly pattern?: RegExp;
  /** The allowed characters in words, for the message, e.g. "a-z, 0-9 and '_'". */
  readonly characters?: string;
  /** Appended to the rule in the message, e.g. ' (Athena reads only lowercase names)'. @default '' */
  readonly context?: string;
}

/**
 * Throws `<prop> must be <min> to <max> characters of <characters>. Received '<value>'` unless
 * `value` is undefined, a token, or follows the rule. Tokens in a longer string (e.g. a prefix
 * built around a parameter) are checked on their literal parts only where the pattern allows.
 */
export function checkName(prop: string, value: string | undefined, rule: NameRule): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const min = rule.minLength ?? 1;
  const chars = rule.characters ? ` of ${rule.characters}` : '';
  const shown = value.length > 80 ? `${value.slice(0, 80)}…' (${value.length} characters)` : `${value}'`;
  if (value.length < min || value.length > rule.maxLength || (rule.pattern && !rule.pattern.test(value))) {
    const length = min === 0 ? `at most ${rule.maxLength} characters` : `${min} to ${rule.maxLength} characters`;
    throw new Error(`${prop} must be ${length}${chars}${rule.context ?? ''}. Received '${shown}`);
  }
}

/**
 * Names of the AWS resources the constructs create, from the API references.
 */
export const NAME_RULES = {
  /**
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html (StreamName)
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html (ConsumerName)
   */
  kinesis: { maxLength: 128, pattern: /^[a-zA-Z0-9_.-]+$/, characters: "a-z, A-Z, 0-9, '_', '.' and '-'" },
  /**
   * Glue takes 1-255 characters; Athena reads only lowercase names of a-z, 0-9 and '_'
   * (Glue folds other names to lowercase, so the name would not be the one given).
   * @see https://docs.aws.amazon.com/glue/latest/webapi/API_DatabaseInput.html
   * @see https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
   */
  glue: {
    maxLength: 255,
    pattern: /^[a-z0-9_]+$/,
    characters: "a-z, 0-9 and '_'",
    context: ' (Athena reads lowercase names without special characters)',
  },
  /** @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html */
  dashboard: { maxLength: 255, pattern: /^[A-Za-z0-9_-]+$/, characters: "A-Z, a-z, 0-9, '-' and '_'" },
  /**
   * A CloudWatch namespace: ASCII letters, digits and . - _ / # : and spaces, not starting with 'AWS/'.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
   */
  metricNamespace: {
    maxLength: 255,
    pattern: /^(?!AWS\/)(?=.*\S)[A-Za-z0-9.\-_/#: ]+$/,
    characters: "A-Z, a-z, 0-9, '.', '-', '_', '/', '#', ':' and spaces, not starting with 'AWS/'",
  },
  /**
   * A CloudWatch dimension value: 1-1024 characters, at least one of them not whitespace.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html
   */
  dimensionValue: { maxLength: 1024, pattern: /^(?=[\s\S]*\S)[\s\S]+$/, characters: 'any characters, not only spaces' },
  /**
   * An S3 key prefix as Firehose and lifecycle rules take it: at most 1,024 characters.
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_ExtendedS3DestinationConfiguration.html
   */
  s3Prefix: { minLength: 0, maxLength: 1024 },
} as const satisfies Record<string, NameRule>;

// --- log retention ---

/**
 * The retention periods CloudWatch Logs accepts, in days (`logs.RetentionDays` values; INFINITE
 * is written as no retention).
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
