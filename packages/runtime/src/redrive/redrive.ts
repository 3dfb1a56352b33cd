import type { KinesisProducer } from '../producer/kinesis-producer';
import { dedupeByIdempotencyKey, idempotencyKey } from './idempotency-key';
import type { RedriveLedger } from './ledger';
import type { MissingRange, ReadBackResult } from './read-back';
import type { RedrivePlan, ReplayRecord, SequenceRange, UnrecognizedDocument } from './types';

/** Where replayed records go: a stream (through the producer) or a file. */
export interface RedriveTarget {
  write(record: ReplayRecord): Promise<void>;
  /** Waits for every write; returns the records that could not be written. */
  finish(): Promise<FailedReplay[]>;
}

export interface FailedReplay {
  readonly idempotencyKey: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface RedriveOptions {
  readonly target: RedriveTarget;
  /** Skips records replayed before and remembers the ones replayed now. @default - no ledger: every record is replayed */
  readonly ledger?: RedriveLedger;
  /** Plan only: read back and report, write nothing, mark nothing. @default false */
  readonly dryRun?: boolean;
  /** Reads a metadata-only range back from the stream. @default - ranges are reported as missing */
  readonly readBack?: (range: SequenceRange) => Promise<ReadBackResult>;
}

export interface RedriveReport {
  readonly dryRun: boolean;
  /** Distinct user records found (payloads plus records read back; KPL aggregates unpacked). */
  readonly found: number;
  /** Skipped because the ledger has them. */
  readonly alreadyReplayed: number;
  /** Written to the target (in a dry run: would have been). */
  readonly replayed: number;
  /** Idempotency keys of the records written (or, in a dry run, to write), in order. */
  readonly replayedKeys: string[];
  readonly failed: FailedReplay[];
  readonly missing: MissingRange[];
  readonly unrecognized: UnrecognizedDocument[];
}

/**
 * Replays a plan: reads metadata-only ranges back, drops duplicates and records the ledger
 * has seen, writes the rest to the target and records in the ledger what was written.
 */
export async function redrive(plan: RedrivePlan, options: RedriveOptions): Promise<RedriveReport> {
  const dryRun = options.dryRun ?? false;
  const records: ReplayRecord[] = [...plan.records];
  const missing: MissingRange[] = [];
  for (const range of plan.ranges) {
    if (!options.readBack) {
      missing.push({ range, reason: 'metadata only, and no stream to read it back from' });
      continue;
    }
    const result = await options.readBack(range);
    records.push(...result.records);
    missing.push(...result.missing);
  }
  const distinct = dedupeByIdempotencyKey(records);
  // A user record of an aggregate is also done when the aggregate's own key is: earlier versions
  // replayed S3 payloads and read-backs without de-aggregating, so their ledgers hold the whole
  // record's key, and that put carried every sub-record.
  const wholeKeyOf = (r: ReplayRecord): string | undefined =>
    r.origin.subSequenceNumber !== undefined
      ? idempotencyKey({ ...r.origin, subSequenceNumber: undefined })
      : undefined;
  const keys = new Set<string>();
  for (const r of distinct) {
    keys.add(r.idempotencyKey);
    const whole = wholeKeyOf(r);
    if (whole !== undefined) keys.add(whole);
  }
  const done = options.ledger ? await options.ledger.done([...keys]) : new Set<string>();
  const isDone = (r: ReplayRecord): boolean => {
    const whole = wholeKeyOf(r);
    return done.has(r.idempotencyKey) || (whole !== undefined && done.has(whole));
  };
  const todo = distinct.filter((r) => !isDone(r));

  let failed: FailedReplay[] = [];
  if (!dryRun) {
    for (const record of todo) await options.target.write(record);
    failed = await options.target.finish();
    const failedKeys = new Set(failed.map((f) => f.idempotencyKey));
    await options.ledger?.markDone(todo.map((r) => r.idempotencyKey).filter((k) => !failedKeys.has(k)));
  }
  const failedKeys = new Set(failed.map((f) => f.idempotencyKey));
  const replayedKeys = todo.map((r) => r.idempotencyKey).filter((k) => !failedKeys.has(k));
  return {
    dryRun,
    found: distinct.length,
    alreadyReplayed: distinct.length - todo.length,
    replayed: replayedKeys.length,
    replayedKeys,
    failed,
    missing,
    unrecognized: plan.unrecognized,
  };
}

/** Replays onto a Kinesis stream through a KinesisProducer (PutRecords, retrying only failed entries). */
export function kinesisRedriveTarget(producer: Pick<KinesisProducer, 'put' | 'flush'>): RedriveTarget {
  const keys = new Map<object, string>();
  // A record the producer refuses (e.g. an empty partition key in a hand-edited document) fails on
  // its own: a throw would abandon the records already put, unmarked in the ledger, and those still
  // buffered in the producer.
  const refused: FailedReplay[] = [];
  return {
    write: async (record) => {
      const entry = { data: record.data, partitionKey: record.partitionKey, explicitHashKey: record.explicitHashKey };
      keys.set(entry, record.idempotencyKey);
      try {
        await producer.put(entry);
      } catch (error) {
        refused.push({
          idempotencyKey: record.idempotencyKey,
          errorCode: error instanceof Error ? error.name : 'Error',
          errorMessage: error instanceof Error ? error.message : String(error),
        });
      }
    },
    finish: async () => {
      const report = await producer.flush();
      const unsent = report.unsent.map((u) => ({
        idempotencyKey: keys.get(u.record) ?? 'unknown',
        errorCode: u.errorCode,
        errorMessage: u.errorMessage,
      }));
      return [...refused.splice(0), ...unsent];
    },
  };
}

/**
 * Writes each record as one JSON line `{"idempotencyKey","partitionKey","explicitHashKey","data"}`
 * (data base64, so binary payloads survive).
 */
export function ndjsonRedriveTarget(writeLine: (line: string) => Promise<void> | void): RedriveTarget {
  return {
    write: async (record) => {
      await writeLine(
        JSON.stringify({
          idempotencyKey: record.idempotencyKey,
          partitionKey: record.partitionKey,
          explicitHashKey: record.explicitHashKey,
          data: Buffer.from(record.data).toString('base64'),
        }),
      );
    },
    finish: async () => [],
  };
}
