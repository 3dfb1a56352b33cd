import type { Row } from './types';

const OUTCOME = Symbol.for('cdk-kinesis-pipeline.firehose-transform.outcome');

/** What a record transform decided for one source record. Build it with ok(), drop() or fail(). */
export type TransformOutcome =
  | {
      readonly [OUTCOME]: true;
      readonly result: 'Ok';
      readonly rows: readonly Row[];
      readonly partitionKeys?: Record<string, string>;
      /** Rows already serialized (okJson): newline-terminated JSON objects, written as they are. */
      readonly json?: string;
    }
  | { readonly [OUTCOME]: true; readonly result: 'Dropped'; readonly reason?: string }
  | { readonly [OUTCOME]: true; readonly result: 'ProcessingFailed'; readonly reason: string };

/**
 * The record becomes these rows (newline-delimited JSON). With dynamic partitioning, give the
 * values for `!{partitionKeyFromLambda:key}`. An empty list drops the record.
 */
export function ok(rows: Row | readonly Row[], partitionKeys?: Record<string, string>): TransformOutcome {
  return { [OUTCOME]: true, result: 'Ok', rows: Array.isArray(rows) ? rows : [rows as Row], partitionKeys };
}

/**
 * The record becomes these already-serialized rows: `json` holds `count` newline-terminated JSON
 * objects that the caller guarantees fit the columns (they are not coerced again). For
 * transforms whose output types are fixed by construction, e.g. the reference web-log transform.
 */
export function okJson(json: string, count: number, partitionKeys?: Record<string, string>): TransformOutcome {
  return { [OUTCOME]: true, result: 'Ok', rows: placeholderRows(count), partitionKeys, json };
}

// okJson's `rows` only carries the count: share one frozen placeholder per small count instead of
// allocating an array per record (the reference transform's hot path).
const PLACEHOLDERS: Array<readonly Row[]> = [];
function placeholderRows(count: number): readonly Row[] {
  if (count > 64) return new Array<Row>(count);
  return (PLACEHOLDERS[count] ??= Object.freeze(new Array<Row>(count)));
}

/** The record is dropped on purpose (Firehose counts it as processed). */
export function drop(reason?: string): TransformOutcome {
  return { [OUTCOME]: true, result: 'Dropped', reason };
}

/** The record goes to the error prefix (`processing-failed`) with its source data. */
export function fail(reason: string): TransformOutcome {
  return { [OUTCOME]: true, result: 'ProcessingFailed', reason };
}

export function isOutcome(value: unknown): value is TransformOutcome {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[OUTCOME] === true;
}
