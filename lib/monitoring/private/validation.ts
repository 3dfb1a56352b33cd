import { Token, type Duration } from 'aws-cdk-lib';

// Each check names the prop, the value received and the allowed range; tokens pass unchecked
// because their value is only known at deploy time.

export function checkPositive(prop: string, value: number | undefined, unit: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!(value > 0)) {
    throw new Error(`${prop} must be greater than 0 ${unit}. Received ${value}`);
  }
}

export function checkRatio(prop: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!(value > 0 && value <= 1)) {
    throw new Error(`${prop} must be a ratio greater than 0 and at most 1. Received ${value}`);
  }
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
  if (!Number.isInteger(value) || value < 1) {
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
  if (period.isUnresolved()) return;
  const seconds = period.toSeconds({ integral: false });
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
