import type { ColumnDefinition } from './column-type';
import { isOutcome, type TransformOutcome } from './outcome';
import { compileRowCoercer, type RowCoercer } from './row-coercer';
import type {
  FirehoseInputRecord,
  FirehoseOutputRecord,
  FirehoseRecordResult,
  FirehoseTransformationEvent,
  FirehoseTransformationResponse,
  Row,
} from './types';

/** Lambda's synchronous response limit. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/**
 * Transforms one source record, given as UTF-8 text. Return ok(rows), drop() or fail(reason); a
 * plain object or an array of objects means ok(); null or undefined means drop(); a throw means
 * fail(error.message).
 */
export type RecordTransform = (
  text: string,
  record: FirehoseInputRecord,
) =>
  | TransformOutcome
  | Row
  | readonly Row[]
  | null
  | undefined
  | Promise<TransformOutcome | Row | readonly Row[] | null | undefined>;

export interface RecordFailure {
  readonly recordId: string;
  readonly reason: string;
}

export interface FirehoseTransformOptions {
  /**
   * The table's columns. Rows are then coerced to them (lowercase keys in column order, values of
   * the column types); a row that does not fit makes its record ProcessingFailed with the reason.
   * @default - rows are written as returned
   */
  readonly columns?: readonly ColumnDefinition[];
  /** A coercer compiled once (compileRowCoercer), instead of `columns`. @default - from `columns` */
  readonly coercer?: RowCoercer;
  /** See RowCoercerOptions.unknownKeys. @default 'fail' */
  readonly unknownKeys?: 'fail' | 'ignore';
  /** Response budget in bytes. @default MAX_RESPONSE_BYTES (6 MiB) */
  readonly maxResponseBytes?: number;
  /**
   * Dynamic partitioning: partition key → the row field (column) whose value it takes, for
   * `!{partitionKeyFromLambda:key}`. All rows of a record must agree and be non-empty, or the
   * record fails (a record lands in exactly one partition).
   * @default - none (or the keys the transform passes to ok())
   */
  readonly partitionKeyFields?: Readonly<Record<string, string>>;
  /** Called for every ProcessingFailed record, e.g. to log the reason. @default - none */
  readonly onFailure?: (failure: RecordFailure) => void;
}

export interface FirehoseTransformReport {
  /** The response to return to Firehose. */
  readonly response: FirehoseTransformationResponse;
  readonly failures: readonly RecordFailure[];
  readonly counts: { readonly ok: number; readonly dropped: number; readonly failed: number; readonly rows: number };
  /** Size of the response as JSON, in bytes. */
  readonly responseBytes: number;
}

/**
 * Runs `transform` on every record of a Firehose transformation event and answers each recordId
 * exactly once, in input order, with Ok (newline-delimited JSON rows, base64), Dropped or
 * ProcessingFailed (with the source data, so that Firehose writes it under the error prefix).
 *
 * The response stays within `maxResponseBytes`: before accepting a transformed record it checks
 * that every later record could still be answered ProcessingFailed with its source data; a record
 * that would break that promise is answered ProcessingFailed ('response size limit'). Since the
 * request itself is at most 6 MB, the fallback always fits and no record is lost.
 */
export async function processFirehoseRecords(
  event: FirehoseTransformationEvent,
  transform: RecordTransform,
  options: FirehoseTransformOptions = {},
): Promise<FirehoseTransformReport> {
  const coercer = options.coercer ?? (options.columns ? compileRowCoercer(options.columns, options) : undefined);
  const budget = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const partitionFields =
    options.partitionKeyFields && Object.keys(options.partitionKeyFields).length > 0
      ? Object.entries(options.partitionKeyFields)
      : undefined;
  const input = event?.records ?? [];
  const n = input.length;

  // fallbackAfter[i]: bytes needed to answer records i..n-1 as ProcessingFailed with source data.
  const fallback = input.map((r) => entryBytes(r.recordId, 'ProcessingFailed', r.data?.length ?? 0));
  const fallbackAfter = new Array<number>(n + 1);
  fallbackAfter[n] = 0;
  for (let i = n - 1; i >= 0; i--) fallbackAfter[i] = fallbackAfter[i + 1] + fallback[i] + (i > 0 ? 1 : 0);

  const records: FirehoseOutputRecord[] = new Array(n);
  const failures: RecordFailure[] = [];
  let used = '{"records":[]}'.length;
  let okCount = 0;
  let dropped = 0;
  let rowCount = 0;

  const failRecord = (i: number, reason: string): void => {
    const r = input[i];
    records[i] = { recordId: r.recordId, result: 'ProcessingFailed', data: r.data ?? '' };
    const failure = { recordId: r.recordId, reason };
    failures.push(failure);
    options.onFailure?.(failure);
    used += fallback[i] + (i > 0 ? 1 : 0);
  };

  for (let i = 0; i < n; i++) {
    const record = input[i];
    let outcome: TransformOutcome;
    try {
      const text = Buffer.from(record.data ?? '', 'base64').toString('utf8');
      let returned = transform(text, record);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') returned = await returned;
      outcome = toOutcome(returned);
    } catch (error) {
      failRecord(i, errorMessage(error));
      continue;
    }

    let answer: FirehoseOutputRecord;
    let rows = 0;
    if (outcome.result === 'ProcessingFailed') {
      failRecord(i, outcome.reason);
      continue;
    } else if (outcome.result === 'Dropped' || outcome.rows.length === 0) {
      answer = { recordId: record.recordId, result: 'Dropped', data: '' };
    } else {
      let text = '';
      let partitionKeys = outcome.partitionKeys;
      try {
        if (outcome.json !== undefined) text = outcome.json;
        else
          for (const row of outcome.rows) {
            if (partitionFields) {
              const out = coercer ? coercer.coerce(row) : row;
              partitionKeys = mergePartitionKeys(partitionKeys, out, partitionFields);
              text += `${JSON.stringify(out)}\n`;
            } else {
              text += `${coercer ? coercer.toJson(row) : JSON.stringify(row)}\n`;
            }
          }
      } catch (error) {
        failRecord(i, errorMessage(error));
        continue;
      }
      rows = outcome.rows.length;
      answer = partitionKeys
        ? {
            recordId: record.recordId,
            result: 'Ok',
            data: Buffer.from(text, 'utf8').toString('base64'),
            metadata: { partitionKeys },
          }
        : { recordId: record.recordId, result: 'Ok', data: Buffer.from(text, 'utf8').toString('base64') };
    }

    const cost =
      entryBytes(record.recordId, answer.result, answer.data.length) +
      (answer.metadata ? Buffer.byteLength(JSON.stringify(answer.metadata)) + ',"metadata":'.length : 0) +
      (i > 0 ? 1 : 0);
    if (used + cost + fallbackAfter[i + 1] > budget) {
      failRecord(i, `response size limit: answering this record would exceed ${budget} bytes`);
      continue;
    }
    records[i] = answer;
    used += cost;
    if (answer.result === 'Ok') {
      okCount++;
      rowCount += rows;
    } else {
      dropped++;
    }
  }

  return {
    response: { records },
    failures,
    counts: { ok: okCount, dropped, failed: failures.length, rows: rowCount },
    responseBytes: used,
  };
}

/** processFirehoseRecords, returning just the response for the Lambda handler to return. */
export async function transformFirehoseRecords(
  event: FirehoseTransformationEvent,
  transform: RecordTransform,
  options: FirehoseTransformOptions = {},
): Promise<FirehoseTransformationResponse> {
  return (await processFirehoseRecords(event, transform, options)).response;
}

function mergePartitionKeys(
  keys: Record<string, string> | undefined,
  row: Row,
  fields: ReadonlyArray<readonly [string, string]>,
): Record<string, string> {
  const merged: Record<string, string> = { ...keys };
  for (const [key, field] of fields) {
    const value = row[field];
    if (value === null || value === undefined || value === '') {
      throw new Error(`partition key '${key}': field '${field}' is empty in a row`);
    }
    const text = String(value);
    if (keys && keys[key] !== undefined && keys[key] !== text) {
      throw new Error(`rows of one record span partitions: '${key}' is '${keys[key]}' and '${text}'`);
    }
    merged[key] = text;
  }
  return merged;
}

function toOutcome(returned: unknown): TransformOutcome {
  if (isOutcome(returned)) return returned;
  if (returned === null || returned === undefined) return { result: 'Dropped' } as TransformOutcome;
  if (Array.isArray(returned) || typeof returned === 'object') {
    return { result: 'Ok', rows: Array.isArray(returned) ? returned : [returned] } as unknown as TransformOutcome;
  }
  throw new Error(`the transform returned ${typeof returned}; expected rows, ok(), drop() or fail()`);
}

/** Bytes of `{"recordId":…,"result":…,"data":"<dataLength chars>"}` (base64 needs no escaping). */
function entryBytes(recordId: string, result: FirehoseRecordResult, dataLength: number): number {
  // {"recordId": + id + ,"result":" + result + ","data":" + data + "} = 35 fixed bytes
  return 35 + Buffer.byteLength(JSON.stringify(recordId)) + result.length + dataLength;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
