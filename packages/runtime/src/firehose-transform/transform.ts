import type { ColumnDefinition } from './column-type';
import { isOutcome, type TransformOutcome } from './outcome';
import { compileRowCoercer, type RowCoercer } from './row-coercer';
import { describe, strictJsonText } from './scalar-coercion';
import { decodeUtf8Text } from '../kinesis-batch/decode-payload';
import { decodeCloudWatchLogsData, isGzip, looksLikeCloudWatchLogsJson } from '../cloudwatch-logs/decode';
import type { CloudWatchLogsData, LogEventSource } from '../cloudwatch-logs/types';
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
 * Transforms one source record, given as UTF-8 text (for CloudWatch Logs records: one log event's
 * message, with the event as third argument). Return ok(rows), drop() or fail(reason); a
 * plain object or an array of objects means ok(); null or undefined means drop(); a throw means
 * fail(error.message).
 */
export type RecordTransform = (
  text: string,
  record: FirehoseInputRecord,
  /** For CloudWatch Logs records: the log event whose message `text` is, with its log group and stream. */
  logEvent?: LogEventSource,
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
  /**
   * 'auto': records that are CloudWatch Logs subscription data (gzip, or its JSON when Firehose
   * already decompressed it) are decoded, and the transform runs once per log event (control
   * messages are Dropped); 'off': such records fail like any other data that is not UTF-8 text.
   * @default 'auto'
   */
  readonly cloudWatchLogs?: 'auto' | 'off';
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
 * Bytes: a record must be UTF-8 text (decodeUtf8Text, the rules the Kinesis consumer applies
 * too), or it fails with the reason and keeps its source bytes. CloudWatch Logs subscription
 * records (gzip) are decoded instead (option `cloudWatchLogs`): the transform is called once per
 * log event, with the event's message as text and the event as third argument; a CONTROL_MESSAGE
 * is Dropped; one failing event fails the record.
 *
 * Size: the response stays within `maxResponseBytes` (Lambda's 6 MiB). Every record is
 * transformed first; if the answers do not fit, records whose Ok answer is larger than their
 * ProcessingFailed answer (the source data) are answered ProcessingFailed ('response size
 * limit'), largest saving first (the fewest records), and then every one of them that fits again
 * is put back: a record fails for size only when its rows truly do not fit beside the others.
 * Rows that could not fit even alone (and are larger than the source data) fail as soon as they
 * are known to, before they are encoded; whatever else throws while a record is processed fails
 * that record, with the reason.
 * Since the request itself is at most 6 MB, answering every record with its source data always
 * fits, so no record is lost.
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
  const cloudWatchLogs = (options.cloudWatchLogs ?? 'auto') === 'auto';
  const input = event?.records ?? [];
  const n = input.length;

  const records: FirehoseOutputRecord[] = new Array(n);
  const failed: Array<string | undefined> = new Array(n);
  const rowCounts = new Array<number>(n).fill(0);
  const costs = new Array<number>(n);
  // '{"records":[' + entries joined by ',' + ']}'
  let used = 14 + Math.max(0, n - 1);

  /** The rows of one outcome, as newline-terminated JSON text; throws when a row does not fit. */
  const serialize = (outcome: TransformOutcome & { result: 'Ok' }, keys: PartitionKeys): [string, PartitionKeys] => {
    if (outcome.json !== undefined) return [outcome.json, mergeKeys(keys, outcome.partitionKeys)];
    let text = '';
    let merged = mergeKeys(keys, outcome.partitionKeys);
    for (const row of outcome.rows) {
      if (partitionFields) {
        const out = coercer ? coercer.coerce(row) : row;
        merged = mergePartitionKeys(merged, out, partitionFields);
        text += `${coercer ? JSON.stringify(out) : strictRowJson(out)}\n`;
      } else {
        text += `${coercer ? coercer.toJson(row) : strictRowJson(row)}\n`;
      }
    }
    return [text, merged];
  };

  /** The JSON text of an outcome, or the failure reason. */
  const finish = (outcome: TransformOutcome, keys: PartitionKeys): RunResult => {
    if (outcome.result === 'ProcessingFailed') return { reason: outcome.reason };
    if (outcome.result === 'Dropped' || outcome.rows.length === 0) return { text: '', rows: 0, keys };
    try {
      const [json, merged] = serialize(outcome, keys);
      return { text: json, rows: outcome.rows.length, keys: merged };
    } catch (error) {
      return { reason: errorMessage(error) };
    }
  };

  /**
   * One call of the transform, turned into JSON text (or the failure reason). Synchronous unless
   * the transform returns a promise: no promise and no microtask per record on the common path.
   */
  const run = (
    text: string,
    record: FirehoseInputRecord,
    source: LogEventSource | undefined,
    keys: PartitionKeys,
  ): RunResult | Promise<RunResult> => {
    let returned: ReturnType<RecordTransform>;
    try {
      returned = transform(text, record, source);
    } catch (error) {
      return { reason: errorMessage(error) };
    }
    if (returned && typeof (returned as Promise<unknown>).then === 'function') {
      return (returned as Promise<unknown>).then(
        (value) => {
          try {
            return finish(toOutcome(value), keys);
          } catch (error) {
            return { reason: errorMessage(error) };
          }
        },
        (error: unknown) => ({ reason: errorMessage(error) }),
      );
    }
    try {
      return finish(toOutcome(returned), keys);
    } catch (error) {
      return { reason: errorMessage(error) };
    }
  };

  // Rows longer than a record's limit fail at once, before they are encoded or grow on (a
  // CloudWatch Logs record's rows repeat its log group and stream): longer rows (in UTF-16 code
  // units, each at least one UTF-8 byte) have a base64 answer larger than the budget, which can
  // never fit, and larger than the record's ProcessingFailed answer (its source data, and
  // 'ProcessingFailed' is 14 bytes longer than 'Ok'), so the size rule below would fail them too.
  const rowsLimit = (record: FirehoseInputRecord) =>
    Math.max(Math.floor((budget * 3) / 4), Math.floor(((sourceData(record).length + 14) * 3) / 4));
  const tooLarge = (length: number) =>
    `response size limit: the rows of this record (${length} characters of JSON) are larger than the ${budget}-byte response can hold`;

  /** The rows of one record as JSON text, or why it fails (synchronous unless the transform is not). */
  const runRecord = (record: FirehoseInputRecord): RunResult | Promise<RunResult> => {
    if (record.data !== undefined && typeof record.data !== 'string') {
      return { reason: `record data is ${typeof record.data}, not base64 text` };
    }
    const bytes = Buffer.from(sourceData(record), 'base64');
    if (cloudWatchLogs && isGzip(bytes)) return runLogEvents(bytes, record, run, rowsLimit(record));
    const decoded = decodeUtf8Text(bytes);
    if ('reason' in decoded) return { reason: decoded.reason };
    if (cloudWatchLogs && looksLikeCloudWatchLogsJson(decoded.text)) {
      return runLogEvents(decoded.text, record, run, rowsLimit(record));
    }
    return run(decoded.text, record, undefined, undefined);
  };

  for (let i = 0; i < n; i++) {
    const record = input[i];
    let reason: string | undefined;
    try {
      const ran = runRecord(record);
      const result = isPromise(ran) ? await ran : ran;
      if ('reason' in result) reason = result.reason;
      else if (result.text === '') records[i] = { recordId: record.recordId, result: 'Dropped', data: '' };
      else if (result.text.length > rowsLimit(record)) reason = tooLarge(result.text.length);
      else {
        const data = Buffer.from(result.text, 'utf8').toString('base64');
        records[i] = result.keys
          ? { recordId: record.recordId, result: 'Ok', data, metadata: { partitionKeys: result.keys } }
          : { recordId: record.recordId, result: 'Ok', data };
        rowCounts[i] = result.rows;
      }
    } catch (error) {
      // Whatever fails here (a string past V8's length limit, say) fails this record, not the
      // invocation: the other records are still answered.
      reason = `the record could not be processed: ${errorMessage(error)}`;
    }
    if (reason !== undefined) {
      failed[i] = reason;
      records[i] = { recordId: record.recordId, result: 'ProcessingFailed', data: sourceData(record) };
    }
    costs[i] = answerBytes(records[i]);
    used += costs[i];
  }

  if (used > budget) used = fitResponse(input, records, failed, costs, used, budget);

  const failures: RecordFailure[] = [];
  let okCount = 0;
  let dropped = 0;
  let rowCount = 0;
  for (let i = 0; i < n; i++) {
    const reason = failed[i];
    if (reason !== undefined) {
      const failure = { recordId: input[i].recordId, reason };
      failures.push(failure);
      options.onFailure?.(failure);
    } else if (records[i].result === 'Ok') {
      okCount++;
      rowCount += rowCounts[i];
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

type PartitionKeys = Record<string, string> | undefined;
type RunResult = { text: string; rows: number; keys: PartitionKeys } | { reason: string };

/** A CloudWatch Logs record: the transform runs once per log event; the texts are concatenated. */
async function runLogEvents(
  data: Buffer | string,
  record: FirehoseInputRecord,
  run: (
    text: string,
    record: FirehoseInputRecord,
    source: LogEventSource,
    keys: PartitionKeys,
  ) => RunResult | Promise<RunResult>,
  rowsLimit: number,
): Promise<RunResult> {
  let message: CloudWatchLogsData;
  try {
    message = decodeCloudWatchLogsData(data);
  } catch (error) {
    return { reason: errorMessage(error) };
  }
  if (message.messageType === 'CONTROL_MESSAGE') return { text: '', rows: 0, keys: undefined };
  let text = '';
  let rows = 0;
  let keys: PartitionKeys;
  for (let index = 0; index < message.logEvents.length; index++) {
    const event = message.logEvents[index];
    const result = await run(event.message, record, { data: message, event, index }, keys);
    if ('reason' in result) return { reason: `log event ${index} (id ${event.id}): ${result.reason}` };
    text += result.text;
    if (text.length > rowsLimit) {
      return {
        reason: `response size limit: the rows of this record's first ${index + 1} of ${message.logEvents.length} log events are larger than the response can hold`,
      };
    }
    rows += result.rows;
    keys = result.keys;
  }
  return { text, rows, keys };
}

/**
 * Brings an over-budget response within budget (see processFirehoseRecords): fails the records
 * that save the most bytes until it fits, then puts back every failed one that fits again,
 * smallest first. Returns the new size.
 */
function fitResponse(
  input: readonly FirehoseInputRecord[],
  records: FirehoseOutputRecord[],
  failed: Array<string | undefined>,
  costs: number[],
  used: number,
  budget: number,
): number {
  const answers = records.slice();
  const fallbackCost = (i: number) => entryBytes(input[i].recordId, 'ProcessingFailed', sourceData(input[i]).length);
  const savings = (i: number) => costs[i] - fallbackCost(i);
  const candidates = records
    .map((_, i) => i)
    .filter((i) => records[i].result === 'Ok' && savings(i) > 0)
    // Largest saving first; on a tie the later record, so that the Ok answers stay a prefix.
    .sort((a, b) => savings(b) - savings(a) || b - a);
  const reason = `response size limit: the rows of this record do not fit in the ${budget}-byte response beside the other records' answers`;
  const out: number[] = [];
  for (const i of candidates) {
    if (used <= budget) break;
    records[i] = { recordId: input[i].recordId, result: 'ProcessingFailed', data: sourceData(input[i]) };
    failed[i] = reason;
    used -= savings(i);
    out.push(i);
  }
  // Put back what fits again, smallest saving first (the most records back).
  for (const i of out.sort((a, b) => savings(a) - savings(b) || a - b)) {
    if (used + savings(i) > budget) continue;
    records[i] = answers[i];
    failed[i] = undefined;
    used += savings(i);
  }
  return used;
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

/** A record's data as Firehose sent it: base64 text ('' when there is none or it is not text). */
function sourceData(record: FirehoseInputRecord): string {
  return typeof record.data === 'string' ? record.data : '';
}

/** Bytes of `{"recordId":…,"result":…,"data":"<dataLength chars>"}` (base64 needs no escaping). */
function entryBytes(recordId: string, result: FirehoseRecordResult, dataLength: number): number {
  // {"recordId": + id + ,"result":" + result + ","data":" + data + "} = 35 fixed bytes
  // Record IDs are ASCII without quotes or backslashes in practice: then the JSON is 2 longer.
  const idBytes = PLAIN_ID.test(recordId) ? recordId.length + 2 : Buffer.byteLength(JSON.stringify(recordId));
  return 35 + idBytes + result.length + dataLength;
}

const PLAIN_ID = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Bytes of one answer as JSON (without the separating comma). */
function answerBytes(answer: FirehoseOutputRecord): number {
  return (
    entryBytes(answer.recordId, answer.result, answer.data.length) +
    (answer.metadata ? Buffer.byteLength(JSON.stringify(answer.metadata)) + ',"metadata":'.length : 0)
  );
}

function mergeKeys(keys: PartitionKeys, more: Record<string, string> | undefined): PartitionKeys {
  if (more === undefined) return keys;
  if (keys === undefined) return more;
  for (const [key, value] of Object.entries(more)) {
    if (keys[key] !== undefined && keys[key] !== value) {
      throw new Error(`rows of one record span partitions: '${key}' is '${keys[key]}' and '${value}'`);
    }
  }
  return { ...keys, ...more };
}

/**
 * A row written without a coercer: JSON.stringify would silently write `undefined`, drop function
 * values or write NaN as null; such a row fails instead (the same rules as a string column's
 * objects, see strictJsonText).
 */
function strictRowJson(row: Row): string {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw new Error(`row: expected an object, received ${describe(row)}`);
  }
  return strictJsonText(row, 'row');
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
