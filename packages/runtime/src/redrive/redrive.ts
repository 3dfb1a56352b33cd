import type { KinesisProducer } from '../producer/kinesis-producer';
import { dedupeByIdempotencyKey, idempotencyKey } from './idempotency-key';
import { RedriveLedgerError, type HeldClaim, type RedriveLedger } from './ledger';
import { checkInteger, REDRIVE_LIMITS } from './options';
import type { MissingRange, ReadBackResult } from './read-back';
import type { RedrivePlan, ReplayRecord, SequenceRange, UnrecognizedDocument } from './types';

/** Where replayed records go: a stream (through the producer) or a file. */
export interface RedriveTarget {
  write(record: ReplayRecord): Promise<void>;
  /** Waits for every write since the last call; returns the records that could not be written. */
  finish(): Promise<FailedReplay[]>;
}

export interface FailedReplay {
  readonly idempotencyKey: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** A record found but not replayed, with the reason. */
export interface SkippedRecord {
  readonly idempotencyKey: string;
  readonly source?: string;
  readonly reason: string;
}

export interface RedriveOptions {
  readonly target: RedriveTarget;
  /**
   * Claims each record before it is put and marks it done after, so that no two runs put the
   * same record and a rerun replays only what is left.
   * @default - no ledger: every record is replayed
   */
  readonly ledger?: RedriveLedger;
  /** Plan only: read back and report, write nothing, claim nothing. @default false */
  readonly dryRun?: boolean;
  /** Reads a metadata-only range back from the stream. @default - ranges are reported as missing */
  readonly readBack?: (range: SequenceRange) => Promise<ReadBackResult>;
  /**
   * Streams that ranges may be read back from; a range of any other stream is reported missing
   * and not read. @default - any stream
   */
  readonly readBackAllowed?: (streamArn: string) => boolean;
  /**
   * Records claimed, put and marked done at a time (1 to 500, the PutRecords maximum). A crash
   * between a put and its mark leaves at most this many records put but not marked: the only
   * records a later run can put twice. @default 100
   */
  readonly batchSize?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface RedriveCounts {
  /** Distinct records found (payloads plus records read back; KPL aggregates unpacked). */
  readonly found: number;
  readonly replayed: number;
  readonly alreadyReplayed: number;
  readonly skipped: number;
  readonly failed: number;
  /** Ranges that could not be read back. */
  readonly missing: number;
  /** Documents or records that are not replayable failure records. */
  readonly unrecognized: number;
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
  /** Not replayed, with the reason: claimed by another run, or the claim's lease ran out before the put. */
  readonly skipped: SkippedRecord[];
  readonly failed: FailedReplay[];
  readonly missing: MissingRange[];
  readonly unrecognized: UnrecognizedDocument[];
  readonly counts: RedriveCounts;
  /** Every record found was replayed (or was before), and nothing was skipped, failed, missing or unrecognised. */
  readonly complete: boolean;
}

/** The ledger failed mid-run; `report` says what had been done until then. */
export class RedriveAbortedError extends RedriveLedgerError {
  constructor(
    cause: RedriveLedgerError,
    public readonly report: RedriveReport,
  ) {
    super(cause.message);
    this.name = 'RedriveAbortedError';
  }
}

/**
 * Replays a plan: reads metadata-only ranges back (from allowed streams only), drops
 * duplicates, then per batch claims the records in the ledger, puts the claimed ones, marks
 * those put as done and releases those that failed. Every record found ends in exactly one
 * outcome of the report.
 */
export async function redrive(plan: RedrivePlan, options: RedriveOptions): Promise<RedriveReport> {
  const dryRun = options.dryRun ?? false;
  const batchSize = checkInteger(
    'batchSize',
    options.batchSize ?? REDRIVE_LIMITS.batchSize.default,
    REDRIVE_LIMITS.batchSize,
  );
  const now = options.now ?? Date.now;
  const records: ReplayRecord[] = [...plan.records];
  const missing: MissingRange[] = [];
  for (const range of plan.ranges) {
    if (!options.readBack) {
      missing.push({ range, reason: 'metadata only, and no stream to read it back from' });
      continue;
    }
    if (options.readBackAllowed && !options.readBackAllowed(range.streamArn)) {
      missing.push({ range, reason: `reading back from ${range.streamArn} is not allowed` });
      continue;
    }
    const result = await options.readBack(range);
    records.push(...result.records.map((r) => (range.source ? { ...r, source: range.source } : r)));
    missing.push(...result.missing);
  }
  const distinct = dedupeByIdempotencyKey(records);
  const state = new ReportBuilder(dryRun, distinct.length, missing, plan.unrecognized);
  const ledger = options.ledger;

  // A user record of an aggregate is also done when the aggregate's own key is: earlier versions
  // replayed S3 payloads and read-backs without de-aggregating, so their ledgers hold the whole
  // record's key, and that put carried every sub-record.
  const wholeKeyOf = (r: ReplayRecord): string | undefined =>
    r.origin?.subSequenceNumber !== undefined
      ? idempotencyKey({ ...r.origin, subSequenceNumber: undefined })
      : undefined;
  const wholeKeys = [...new Set(distinct.map(wholeKeyOf).filter((k): k is string => k !== undefined))];
  try {
    const wholeDone = new Set(ledger && wholeKeys.length > 0 ? (await ledger.peek(wholeKeys)).done : []);
    const todo: ReplayRecord[] = [];
    for (const r of distinct) {
      const whole = wholeKeyOf(r);
      if (whole !== undefined && wholeDone.has(whole)) state.alreadyReplayed++;
      else todo.push(r);
    }

    for (let i = 0; i < todo.length; i += batchSize) {
      const batch = todo.slice(i, i + batchSize);
      const keys = batch.map((r) => r.idempotencyKey);
      if (!ledger) {
        if (dryRun) state.replayedKeys.push(...keys);
        else await putBatch(batch, options.target, state);
        continue;
      }
      if (dryRun) {
        const peeked = await ledger.peek(keys);
        state.noteLedger(batch, peeked.done, peeked.held);
        const taken = new Set([...peeked.done, ...peeked.held.map((h) => h.key)]);
        state.replayedKeys.push(...keys.filter((k) => !taken.has(k)));
        continue;
      }
      const claim = await ledger.claim(keys);
      state.noteLedger(batch, claim.done, claim.held);
      const claimed = new Set(claim.claimed);
      const mine = batch.filter((r) => claimed.has(r.idempotencyKey));
      if (mine.length === 0) continue;
      if (now() >= claim.validUntil) {
        // Claiming took longer than the lease: another run may take these over now.
        await ledger.release(mine.map((r) => r.idempotencyKey));
        for (const r of mine) state.skip(r, 'the claim lease ran out before the put; run again');
        continue;
      }
      const { put, failed } = await putBatch(mine, options.target, state);
      // A throw here (the ledger cannot be written) leaves `put` claimed but not marked: the
      // records in flight, the only ones a later run can put a second time.
      await ledger.markDone(put);
      if (failed.length > 0) await ledger.release(failed);
    }
  } catch (error) {
    if (error instanceof RedriveLedgerError) throw new RedriveAbortedError(error, state.report());
    throw error;
  }
  return state.report();
}

async function putBatch(
  batch: readonly ReplayRecord[],
  target: RedriveTarget,
  state: ReportBuilder,
): Promise<{ put: string[]; failed: string[] }> {
  for (const record of batch) await target.write(record);
  const failed = await target.finish();
  const failedKeys = new Set(failed.map((f) => f.idempotencyKey));
  state.failed.push(...failed);
  const put = batch.map((r) => r.idempotencyKey).filter((k) => !failedKeys.has(k));
  state.replayedKeys.push(...put);
  return { put, failed: [...failedKeys] };
}

class ReportBuilder {
  public alreadyReplayed = 0;
  public readonly replayedKeys: string[] = [];
  public readonly skipped: SkippedRecord[] = [];
  public readonly failed: FailedReplay[] = [];

  constructor(
    private readonly dryRun: boolean,
    private readonly found: number,
    private readonly missing: MissingRange[],
    private readonly unrecognized: UnrecognizedDocument[],
  ) {}

  public noteLedger(batch: readonly ReplayRecord[], done: readonly string[], held: readonly HeldClaim[]): void {
    this.alreadyReplayed += done.length;
    const byKey = new Map(batch.map((r) => [r.idempotencyKey, r]));
    for (const h of held) {
      this.skip(
        byKey.get(h.key)!,
        `claimed by redrive run ${h.runId} until ${h.leaseExpiresAt} (in flight, or crashed)`,
      );
    }
  }

  public skip(record: ReplayRecord, reason: string): void {
    this.skipped.push({
      idempotencyKey: record.idempotencyKey,
      ...(record.source !== undefined ? { source: record.source } : {}),
      reason,
    });
  }

  public report(): RedriveReport {
    const counts: RedriveCounts = {
      found: this.found,
      replayed: this.replayedKeys.length,
      alreadyReplayed: this.alreadyReplayed,
      skipped: this.skipped.length,
      failed: this.failed.length,
      missing: this.missing.length,
      unrecognized: this.unrecognized.length,
    };
    return {
      dryRun: this.dryRun,
      found: this.found,
      alreadyReplayed: this.alreadyReplayed,
      replayed: this.replayedKeys.length,
      replayedKeys: [...this.replayedKeys],
      skipped: [...this.skipped],
      failed: [...this.failed],
      missing: this.missing,
      unrecognized: this.unrecognized,
      counts,
      complete: counts.skipped + counts.failed + counts.missing + counts.unrecognized === 0,
    };
  }
}

/** Replays onto a Kinesis stream through a KinesisProducer (PutRecords, retrying only failed entries). */
export function kinesisRedriveTarget(producer: Pick<KinesisProducer, 'put' | 'flush'>): RedriveTarget {
  const keys = new Map<object, string>();
  // A record the producer refuses (e.g. a partition key too long) fails on its own: a throw
  // would abandon the records already put in this batch, unmarked in the ledger.
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
      keys.clear();
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
