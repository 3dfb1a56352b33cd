import { Token, type Duration } from 'aws-cdk-lib';
import { checkNumber, checkTokenUnit, durationIn } from '../../private/validation';

// Each check names the prop, the value received and the allowed range; tokens pass unchecked
// because their value is only known at deploy time.

/** A threshold greater than 0: NaN and ±Infinity fail (Infinity became `Threshold: null`). */
export function checkPositive(prop: string, value: number | undefined, unit: string): void {
  checkNumber(prop, value, { min: 0, minExclusive: true, unit });
}

export function checkRatio(prop: string, value: number | undefined): void {
  checkNumber(prop, value, { min: 0, minExclusive: true, max: 1, noun: 'a ratio' });
}

export function checkBelow(prop: string, value: number, limitName: string, limit: number, unit: string): void {
  if (Token.isUnresolved(value) || Token.isUnresolved(limit)) return;
  if (!(value < limit)) {
    throw new Error(`${prop} must be below ${limitName} (${limit} ${unit}). Received ${value} ${unit}`);
  }
}

export function checkAbove(prop: string, value: number, limitName: string, limit: number, unit: string): void {
  if (Token.isUnresolved(value) || Token.isUnresolved(limit)) return;
  if (!(value > limit)) {
    throw new Error(`${prop} must be greater than ${limitName} (${limit} ${unit}). Received ${value} ${unit}`);
  }
}

export function checkEvaluationPeriods(value: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || !(value >= 1)) {
    throw new Error(`evaluationPeriods must be an integer of at least 1. Received ${value}`);
  }
}

export function checkDatapointsToAlarm(value: number, evaluationPeriods: number): void {
  if (Token.isUnresolved(value)) return;
  const upper = Token.isUnresolved(evaluationPeriods) ? Number.MAX_SAFE_INTEGER : evaluationPeriods;
  if (!Number.isInteger(value) || value < 1 || value > upper) {
    throw new Error(
      `datapointsToAlarm must be an integer between 1 and evaluationPeriods (${evaluationPeriods}). Received ${value}`,
    );
  }
}

export function checkPeriod(period: Duration): void {
  // The alarm's Period is in seconds: aws-cdk-lib cannot convert a token from another unit.
  checkTokenUnit('period', period, 'seconds');
  if (period.isUnresolved()) return;
  const seconds = durationIn(period, 'seconds');
  if (!(seconds >= 60 && seconds % 60 === 0)) {
    throw new Error(`period must be a positive multiple of 60 seconds. Received ${seconds} seconds`);
  }
}

/**
 * CloudWatch evaluates at most 7 days (period × evaluationPeriods), and at most one day when the
 * period is under an hour; PutMetricAlarm rejects longer ranges at deploy time.
 */
export function checkEvaluationRange(period: Duration, evaluationPeriods: number): void {
  if (period.isUnresolved() || Token.isUnresolved(evaluationPeriods)) return;
  const seconds = period.toSeconds({ integral: false });
  const limit = seconds < 3600 ? 86_400 : 604_800;
  const total = seconds * evaluationPeriods;
  if (total > limit) {
    throw new Error(
      `period × evaluationPeriods must be at most ${limit} seconds (${seconds < 3600 ? '1 day for periods under one hour' : '7 days'}). Received ${seconds} s × ${evaluationPeriods} = ${total} s`,
    );
  }
}
