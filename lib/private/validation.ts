import { Token } from 'aws-cdk-lib';

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
