import { DEFAULT_BACKOFF, fullJitterDelay, type BackoffOptions } from './backoff';
import type { EntryOutcome, ProducerReport, ProducerRecord, UnsentRecord } from './types';

/** One entry of a batch call: the bytes on the wire and the user records they carry. */
export interface WireEntry {
  readonly data: Uint8Array;
  readonly partitionKey?: string;
  readonly explicitHashKey?: string;
  /** Bytes this entry counts against the per-call limit. */
  readonly sizeInBytes: number;
  /** The user records inside (one, or many when KPL-aggregated). */
  readonly records: ProducerRecord[];
  /** Payload bytes of those user records. */
  readonly payloadBytes: number;
}

/** The service-specific edge: one batch call, and which errors are worth a retry. */
export interface BatchTransport {
  /** Sends the entries in one call; resolves one outcome per entry, in order; throws when the whole call failed. */
  send(entries: WireEntry[]): Promise<EntryOutcome[]>;
  isRetryableEntryError(errorCode: string): boolean;
  isThrottlingError(errorCode: string): boolean;
  isRetryableCallError(error: unknown): boolean;
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
   * Batch calls in flight at once. Use 1 when records of one partition key must keep their
   * order even across retries.
   * @default 4
   */
  readonly maxConcurrentRequests?: number;
  /** Waits between retries; replace in tests. @default setTimeout */
  readonly sleep?: (millis: number) => Promise<void>;
  /** Source of jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Clock for the retry time budget. @default Date.now */
  readonly now?: () => number;
}

const defaultSleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis));

/**
 * Buffers wire entries into batch calls within the service limits and retries only the
 * entries that failed retryably, with full-jitter exponential backoff bounded in attempts
 * and time. Whatever is left is reported, never dropped.
 */
export class BatchSender {
  private readonly backoff: Required<BackoffOptions>;
  private readonly maxConcurrent: number;
  private readonly sleep: (millis: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private buffer: WireEntry[] = [];
  private bufferBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private report = emptyMutableReport();

  constructor(
    private readonly transport: BatchTransport,
    private readonly limits: BatchLimits,
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
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Number of entries buffered and not yet sent. */
  public get bufferedEntries(): number {
    return this.buffer.length;
  }

  /** Adds an entry; sends a batch when the next entry would not fit. Resolves once the entry is accepted into a batch (back-pressure). */
  public async add(entry: WireEntry): Promise<void> {
    if (
      this.buffer.length >= this.limits.maxRecordsPerRequest ||
      this.bufferBytes + entry.sizeInBytes > this.limits.maxBytesPerRequest
    ) {
      await this.dispatch();
    }
    this.buffer.push(entry);
    this.bufferBytes += entry.sizeInBytes;
    if (this.buffer.length >= this.limits.maxRecordsPerRequest) await this.dispatch();
  }

  /** The report so far, without sending or waiting: for progress displays. */
  public peek(): ProducerReport {
    return { ...this.report, unsent: [...this.report.unsent] };
  }

  /** Sends what is buffered, waits for every call in flight and returns the report since the last flush. */
  public async flush(): Promise<ProducerReport> {
    await this.dispatch();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    const report = this.report;
    this.report = emptyMutableReport();
    return report;
  }

  private async dispatch(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.bufferBytes = 0;
    while (this.inFlight.size >= this.maxConcurrent) await Promise.race(this.inFlight);
    const call: Promise<void> = this.sendWithRetries(batch).finally(() => this.inFlight.delete(call));
    this.inFlight.add(call);
  }

  private async sendWithRetries(batch: WireEntry[]): Promise<void> {
    const startedAt = this.now();
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      const retry: WireEntry[] = [];
      const lastErrors = new Map<WireEntry, EntryOutcome>();
      this.report.requests++;
      try {
        const outcomes = await this.transport.send(pending);
        if (outcomes.length !== pending.length) {
          throw new Error(`the service answered ${outcomes.length} outcomes for ${pending.length} entries`);
        }
        pending.forEach((entry, i) => {
          const code = outcomes[i].errorCode;
          if (!code) {
            this.report.recordsSent += entry.records.length;
            this.report.bytesSent += entry.payloadBytes;
            return;
          }
          if (this.transport.isThrottlingError(code)) this.report.throttledEntries++;
          if (this.transport.isRetryableEntryError(code)) {
            retry.push(entry);
            lastErrors.set(entry, outcomes[i]);
          } else {
            this.giveUp(entry, outcomes[i], attempt);
          }
        });
      } catch (error) {
        const outcome = errorOutcome(error);
        const retryable = this.transport.isRetryableCallError(error);
        if (outcome.errorCode && this.transport.isThrottlingError(outcome.errorCode)) {
          this.report.throttledEntries += pending.length;
        }
        for (const entry of pending) {
          if (retryable) {
            retry.push(entry);
            lastErrors.set(entry, outcome);
          } else {
            this.giveUp(entry, outcome, attempt);
          }
        }
      }
      if (retry.length === 0) return;

      const delay = fullJitterDelay(attempt - 1, this.backoff, this.random());
      const outOfTime = this.now() + delay - startedAt > this.backoff.maxRetryDurationInMillis;
      if (attempt >= this.backoff.maxAttempts || outOfTime) {
        for (const entry of retry) this.giveUp(entry, lastErrors.get(entry) ?? {}, attempt);
        return;
      }
      await this.sleep(delay);
      this.report.retriedEntries += retry.length;
      pending = retry;
    }
  }

  private giveUp(entry: WireEntry, outcome: EntryOutcome, attempts: number): void {
    for (const record of entry.records) {
      this.report.unsent.push({
        record,
        errorCode: outcome.errorCode ?? 'Unknown',
        errorMessage: outcome.errorMessage ?? '',
        attempts,
      });
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function emptyMutableReport(): Mutable<ProducerReport> & { unsent: UnsentRecord[] } {
  return { recordsSent: 0, bytesSent: 0, requests: 0, throttledEntries: 0, retriedEntries: 0, unsent: [] };
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
    unsent: [...a.unsent, ...b.unsent],
  };
}
