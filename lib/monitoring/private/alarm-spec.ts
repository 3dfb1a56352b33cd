import { Duration, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { AlarmEvaluationOptions } from '../monitoring-options';
import { checkDatapointsToAlarm, checkEvaluationPeriods, checkEvaluationRange, checkPeriod } from './validation';

export const DEFAULT_PERIOD = Duration.minutes(5);

/** Evaluation settings of one alarm, before the user's options are applied. */
export interface EvaluationDefaults {
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/** A breach lasting most of 15 minutes: for levels (ages, errors) that recover by themselves. */
export const SUSTAINED: EvaluationDefaults = { evaluationPeriods: 3, datapointsToAlarm: 2 };
/** Every period of 15 minutes: for conditions that are normal in short bursts (throttles, retries). */
export const PERSISTENT: EvaluationDefaults = { evaluationPeriods: 3, datapointsToAlarm: 3 };
/** One period: records already left the main path, waiting does not help. */
export const IMMEDIATE: EvaluationDefaults = { evaluationPeriods: 1, datapointsToAlarm: 1 };

/** Everything needed to create one alarm; built by the *-alarms.ts files, created by PipelineMonitoring. */
export interface AlarmSpec {
  /** Construct id within the monitored resource's scope. */
  readonly id: string;
  /** The metric with the documented statistic and the period applied. */
  readonly metric: cloudwatch.Metric;
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly treatMissingData: cloudwatch.TreatMissingData;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** What the alarm means and what to do: the runbook line. */
  readonly description: string;
  /** Part of the composite 'pipeline unhealthy' alarm (paging). */
  readonly pages: boolean;
}

export interface ResolvedEvaluation {
  readonly period: Duration;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/** Validates the user's evaluation options once per monitor call. */
export function validateEvaluationOptions(options: AlarmEvaluationOptions): void {
  if (options.period !== undefined) checkPeriod(options.period);
  if (options.evaluationPeriods !== undefined) checkEvaluationPeriods(options.evaluationPeriods);
  if (options.datapointsToAlarm !== undefined) {
    checkDatapointsToAlarm(options.datapointsToAlarm, options.evaluationPeriods ?? Number.MAX_SAFE_INTEGER);
  }
}

/** Applies the user's options over one alarm's defaults; validates the combination. */
export function resolveEvaluation(options: AlarmEvaluationOptions, defaults: EvaluationDefaults): ResolvedEvaluation {
  const evaluationPeriods = options.evaluationPeriods ?? defaults.evaluationPeriods;
  const datapointsToAlarm =
    options.datapointsToAlarm ??
    (options.evaluationPeriods !== undefined ? options.evaluationPeriods : defaults.datapointsToAlarm);
  checkEvaluationPeriods(evaluationPeriods);
  checkDatapointsToAlarm(datapointsToAlarm, evaluationPeriods);
  const period = options.period ?? DEFAULT_PERIOD;
  checkEvaluationRange(period, evaluationPeriods);
  return { period, evaluationPeriods, datapointsToAlarm };
}

/** Shorthand used by the *-alarms.ts files. */
export function spec(
  options: AlarmEvaluationOptions,
  defaults: EvaluationDefaults,
  fields: {
    id: string;
    metric: cloudwatch.Metric;
    statistic: string;
    threshold: number;
    comparisonOperator: cloudwatch.ComparisonOperator;
    treatMissingData: cloudwatch.TreatMissingData;
    description: string;
    pages: boolean;
  },
): AlarmSpec {
  const evaluation = resolveEvaluation(options, defaults);
  return {
    id: fields.id,
    metric: fields.metric.with({ statistic: fields.statistic, period: evaluation.period }),
    threshold: fields.threshold,
    comparisonOperator: fields.comparisonOperator,
    treatMissingData: fields.treatMissingData,
    evaluationPeriods: evaluation.evaluationPeriods,
    datapointsToAlarm: evaluation.datapointsToAlarm,
    description: fields.description,
    pages: fields.pages,
  };
}

export const GTE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
export const LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;

/** A number for an alarm description; tokens (CfnParameter values) render as references. */
export function num(value: number): string {
  return Tokenization.stringifyNumber(value);
}
