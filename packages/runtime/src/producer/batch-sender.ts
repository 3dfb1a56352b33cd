import { DEFAULT_BACKOFF, fullJitterDelay, type BackoffOptions } from './backoff';
import type { EntryOutcome, ProducerReport, ProducerRecord, UnsentOutcome, UnsentRecord } from './types';
import type { Packer, QueuedItem, WireEntry } from './wire';

/** The service-specific edge: one batch call, and how to read its errors. */
export interface BatchTransport {
  /** Sends the entries in one call; resolves one outcome per entry, in order; throws when the whole call failed. */
  send(entries: WireEntry[]): Promise<EntryOutcome[]>;
  isRetryableEntryError(errorCode: string): boolean;
  isThrottlingError(errorCode: string): boolean;
  isRetryableCallError(error: unknown): boolean;
  /**
   * Whether a failed call certainly wrote nothing (the service answered with a 4xx, or no
   * connection was made). Otherwise (a timeout, a reset connection, a 5xx) its records may have
   * been written.
   */
  isCallErrorWithoutWrite(error: unknown): boolean;
}

export interface BatchLimits {
  readonly maxRecordsPerRequest: number;
  readonly maxBytesPerRequest: number;
}

/** Knobs shared by the Kinesis and Firehose producers. */
export interface BatchSenderOptions {
  /** Retry policy for failed entries. @default - see DEFAULT_BACKOFF */
  readonly backoff?: BackoffOptions;
  /**
   * Batch calls in flight at once. With `1`, records of one partition key keep their order even
   * across retries: a call carries at most one entry per partition key (an aggregate counts as
   * one entry), and the next call starts once this call's retries are over, so a retried entry is
   * written before any later record of its key. A single hot key then sends one record per call
   * unless aggregation packs its records together. With more than 1, calls overlap and a retried
   * entry can land after later records of its key.
   * @default 4
   */
  readonly maxConcurrentRequests?: number;
  /**
   * Longest time in milliseconds a record waits in the buffer before its call starts (when fewer
   * than `maxConcurrentRequests` calls are in flight; otherwise it waits for one to finish). Like
   * the KPL's RecordMaxBufferedTime (default 100). 0 sends at the next turn of the event loop.
   * @default 100
   */
  readonly maxBufferedTimeInMillis?: number;
  /** Waits between retries; replace in tests. @default setTimeout */
  readonly sleep?: (millis: number) => Promise<void>;
  /** Starts the buffer timer; returns a function that cancels it. Replace in tests. @default setTimeout */
  readonly setTimer?: (callback: () => void, millis: number) => () => void;
  /** Source of jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Clock for the retry time budget. @default Date.now */
  readonly now?: () => number;
}

/** Producer-specific steps around the calls. */
export interface BatchHooks {
  /** Builds the entries of one call from the buffer. */
  readonly pack: Packer;
  /** Buffered items that make a full call: a call is sent as soon as the buffer holds this many. */
  readonly maxBufferedItems: number;
  /** Runs before each call is packed (e.g. refreshing the shard map). Must not throw. */
  readonly beforePack?: () => Promise<void>;
  /**
   * Inspects an entry the service accepted (call sent at `sentAt`); returns the items that must be
   * sent again (a KPL aggregate that landed on a shard whose range does not hold all its records).
   */
  readonly afterAccepted?: (entry: WireEntry, outcome: EntryOutcome, sentAt: number) => Promise<readonly QueuedItem[]>;
}

const defaultSleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis));
const defaultSetTimer = (callback: () => void, millis: number) => {
  const timer = setTimeout(callback, millis);
  return () => clearTimeout(timer);
};

/**
 * Buffers validated records and sends them in batch calls: when a call's worth is buffered, when
 * the oldest record has waited `maxBufferedTimeInMillis`, or on flush. Retries only the entries
 * that failed retryably, with full-jitter exponential backoff bounded in attempts and time.
 * Memory stays bounded: `add` waits while the buffer holds a full call and every call slot is busy.
 */
export class BatchSender {
  private readonly backoff: Required<BackoffOptions>;
  private readonly maxConcurrent: number;
  private readonly maxBufferedTime: number;
  private readonly sleep: (millis: number) => Promise<void>;
  private readonly setTimer: (callback: () => void, millis: number) => () => void;
  private readonly random: () => number;
  private readonly now: () => number;
  private queue: QueuedItem[] = [];
  private queueBytes = 0;
  private cancelTimer?: () => void;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly background = new Set<Promise<void>>();
  private backgroundError?: unknown;
  private report = emptyMutableReport();

  constructor(
    private readonly transport: BatchTransport,
    private readonly limits: BatchLimits,
    private readonly hooks: BatchHooks,
    options: BatchSenderOptions = {},
  ) {
    this.backoff = { ...DEFAULT_BACKOFF, ...definedOnly(options.backoff ?? {}) };
    this.maxConcurrent = options.maxConcurrentRequests ?? 4;
    if (!Number.isInteger(this.maxConcurrent) || this.maxConcurrent < 1) {
      throw new Error(`maxConcurrentRequests must be an integer of at least 1. Received ${this.maxConcurrent}`);
    }
    if (!Number.isInteger(this.backoff.maxAttempts) || this.backoff.maxAttempts < 1) {
      throw new Error(`backoff.maxAttempts must be an integer of at least 1. Received ${this.backoff.maxAttempts}`);
    }
    this.maxBufferedTime = options.maxBufferedTimeInMillis ?? 100;
    if (!Number.isFinite(this.maxBufferedTime) || this.maxBufferedTime < 0) {
      throw new Error(`maxBufferedTimeInMillis must be a number of 0 or more. Received ${this.maxBufferedTime}`);
    }
    this.sleep = options.sleep ?? defaultSleep;
    this.setTimer = options.setTimer ?? defaultSetTimer;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Whether calls are ordered per partition key across retries (one call in flight). */
  public get ordered(): boolean {
    return this.maxConcurrent === 1;
  }

  /** Records buffered and not yet in a call. */
  public get bufferedRecords(): number {
    return this.queue.length;
  }

  /** Buffers an item; sends calls while the buffer holds a full one. Resolves when there is room (back-pressure). */
  public async add(item: QueuedItem): Promise<void> {
    this.throwBackgroundError();
    this.queue.push(item);
    this.queueBytes += item.sizeInBytes;
    this.armTimer();
    while (this.isFull()) await this.dispatch();
  }

  /** Reports a record refused before buffering. */
  public reject(record: ProducerRecord, errorCode: string, errorMessage: string): void {
    this.addUnsent({ record, outcome: 'rejected', errorCode, errorMessage, attempts: 0 });
  }

  /** The report so far, without sending or waiting: for progress displays. */
  public peek(): ProducerReport {
    return copyReport(this.report);
  }

  /** Sends what is buffered, waits for every call in flight and returns the report since the last flush. */
  public async flush(): Promise<ProducerReport> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.drain();
    while (this.background.size > 0 || this.inFlight.size > 0) {
      await Promise.all([...this.background, ...this.inFlight]);
    }
    this.throwBackgroundError();
    const report = this.report;
    this.report = emptyMutableReport();
    return report;
  }

  private isFull(): boolean {
    return this.queue.length >= this.hooks.maxBufferedItems || this.queueBytes >= this.limits.maxBytesPerRequest;
  }

  private armTimer(): void {
    if (this.cancelTimer || this.queue.length === 0) return;
    this.cancelTimer = this.setTimer(() => {
      this.cancelTimer = undefined;
      const drained: Promise<void> = this.drain()
        .catch((error) => void (this.backgroundError ??= error))
        .finally(() => this.background.delete(drained));
      this.background.add(drained);
    }, this.maxBufferedTime);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) await this.dispatch();
  }

  /** Waits for a free call slot, then sends one call packed from the front of the buffer. */
  private async dispatch(): Promise<void> {
    for (;;) {
      while (this.inFlight.size >= this.maxConcurrent) await Promise.race(this.inFlight);
      await this.hooks.beforePack?.();
      if (this.inFlight.size < this.maxConcurrent) break;
    }
    if (this.queue.length === 0) return;
    const { entries, rest } = this.hooks.pack(
      this.queue,
      { entries: this.limits.maxRecordsPerRequest, bytes: this.limits.maxBytesPerRequest },
      this.ordered,
    );
    // A packer always takes the first record into an empty call; anything else would loop forever.
    if (entries.length === 0) throw new Error(`the packer took none of ${this.queue.length} buffered records`);
    this.queue = rest;
    this.queueBytes = rest.reduce((sum, item) => sum + item.sizeInBytes, 0);
    if (this.queue.length === 0) {
      this.cancelTimer?.();
      this.cancelTimer = undefined;
    }
    const call: Promise<void> = this.sendWithRetries(entries).finally(() => this.inFlight.delete(call));
    this.inFlight.add(call);
    this.armTimer();
  }

  private async sendWithRetries(first: WireEntry[]): Promise<void> {
    const startedAt = this.now();
    let pending = first;
    /** Items to pack again (redirected), sent with the next attempt. */
    let again: QueuedItem[] = [];
    for (let attempt = 1; ; attempt++) {
      const retry: WireEntry[] = [];
      const lastError = new Map<QueuedItem, EntryOutcome>();
      const sentAt = this.now();
      this.report.requests++;
      try {
        const outcomes = await this.transport.send(pending);
        if (outcomes.length !== pending.length) {
          throw new Error(`the service answered ${outcomes.length} outcomes for ${pending.length} entries`);
        }
        for (const [i, entry] of pending.entries()) {
          const outcome = outcomes[i];
          const code = outcome.errorCode;
          if (!code) {
            const redirected = new Set((await this.hooks.afterAccepted?.(entry, outcome, sentAt)) ?? []);
            for (const item of entry.items) {
              if (!redirected.has(item)) {
                this.report.recordsSent++;
                this.report.bytesSent += item.payloadBytes;
                continue;
              }
              item.maybeWritten = true;
              this.report.redirectedRecords++;
              again.push(item);
              lastError.set(item, {
                errorCode: 'WrongShard',
                errorMessage: `the aggregate for ${entry.predictedShardId} landed on ${outcome.shardId}`,
              });
            }
            continue;
          }
          if (this.transport.isThrottlingError(code)) this.report.throttledEntries++;
          if (this.transport.isRetryableEntryError(code)) retry.push(entry);
          else this.giveUp(entry.items, outcome, attempt);
          for (const item of entry.items) lastError.set(item, outcome);
        }
      } catch (error) {
        const outcome = errorOutcome(error);
        if (outcome.errorCode && this.transport.isThrottlingError(outcome.errorCode)) {
          this.report.throttledEntries += pending.length;
        }
        const written = !this.transport.isCallErrorWithoutWrite(error);
        const retryable = this.transport.isRetryableCallError(error);
        for (const entry of pending) {
          for (const item of entry.items) {
            if (written) item.maybeWritten = true;
            lastError.set(item, outcome);
          }
          if (retryable) retry.push(entry);
          else this.giveUp(entry.items, outcome, attempt);
        }
      }
      if (retry.length === 0 && again.length === 0) return;

      const delay = retry.length > 0 ? fullJitterDelay(attempt - 1, this.backoff, this.random()) : 0;
      const outOfTime = this.now() + delay - startedAt > this.backoff.maxRetryDurationInMillis;
      if (attempt >= this.backoff.maxAttempts || outOfTime) {
        for (const item of [...retry.flatMap((entry) => entry.items), ...again]) {
          this.giveUp([item], lastError.get(item) ?? {}, attempt);
        }
        return;
      }
      if (delay > 0) await this.sleep(delay);
      this.report.retriedEntries += retry.length;
      ({ pending, again } = await this.repack(retry, again));
    }
  }

  /** The next attempt: the entries to retry as they are, plus redirected items packed again with the refreshed map. */
  private async repack(
    retry: WireEntry[],
    again: QueuedItem[],
  ): Promise<{ pending: WireEntry[]; again: QueuedItem[] }> {
    if (again.length === 0) return { pending: retry, again };
    await this.hooks.beforePack?.();
    const usedKeys = new Set<string>();
    for (const entry of retry) for (const item of entry.items) if (item.partitionKey) usedKeys.add(item.partitionKey);
    const packed = this.hooks.pack(
      again,
      {
        entries: this.limits.maxRecordsPerRequest - retry.length,
        bytes: this.limits.maxBytesPerRequest - retry.reduce((sum, entry) => sum + entry.sizeInBytes, 0),
        usedKeys,
      },
      this.ordered,
    );
    return { pending: [...retry, ...packed.entries], again: packed.rest };
  }

  private giveUp(items: readonly QueuedItem[], outcome: EntryOutcome, attempts: number): void {
    for (const item of items) {
      this.addUnsent({
        record: item.record,
        outcome: item.maybeWritten ? 'unknown' : 'failed',
        errorCode: outcome.errorCode ?? 'Unknown',
        errorMessage: outcome.errorMessage ?? '',
        attempts,
      });
    }
  }

  private addUnsent(unsent: UnsentRecord): void {
    this.report[unsent.outcome].push(unsent);
    this.report.unsent.push(unsent);
  }

  private throwBackgroundError(): void {
    if (this.backgroundError === undefined) return;
    const error = this.backgroundError;
    this.backgroundError = undefined;
    throw error;
  }
}

type MutableReport = { -readonly [K in keyof ProducerReport]: ProducerReport[K] } & Record<
  UnsentOutcome,
  UnsentRecord[]
>;

function emptyMutableReport(): MutableReport {
  return {
    recordsSent: 0,
    bytesSent: 0,
    requests: 0,
    throttledEntries: 0,
    retriedEntries: 0,
    redirectedRecords: 0,
    rejected: [],
    failed: [],
    unknown: [],
    unsent: [],
  };
}

function copyReport(report: ProducerReport): ProducerReport {
  return {
    ...report,
    rejected: [...report.rejected],
    failed: [...report.failed],
    unknown: [...report.unknown],
    unsent: [...report.unsent],
  };
}

function errorOutcome(error: unknown): EntryOutcome {
  if (error instanceof Error) return { errorCode: error.name, errorMessage: error.message };
  return { errorCode: 'Unknown', errorMessage: String(error) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Adds two reports, e.g. to total the reports of several flushes. */
export function mergeReports(a: ProducerReport, b: ProducerReport): ProducerReport {
  return {
    recordsSent: a.recordsSent + b.recordsSent,
    bytesSent: a.bytesSent + b.bytesSent,
    requests: a.requests + b.requests,
    throttledEntries: a.throttledEntries + b.throttledEntries,
    retriedEntries: a.retriedEntries + b.retriedEntries,
    redirectedRecords: a.redirectedRecords + b.redirectedRecords,
    rejected: [...a.rejected, ...b.rejected],
    failed: [...a.failed, ...b.failed],
    unknown: [...a.unknown, ...b.unknown],
    unsent: [...a.unsent, ...b.unsent],
  };
}
