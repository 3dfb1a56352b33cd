import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { isKplAggregated, userRecordsOf } from '../kinesis-batch/user-records';
import type { QuarantineRecord } from '../quarantine/quarantine-record';
import {
  type DiscardCondition,
  type OnFailureDocument,
  type OnFailureSink,
  onFailureDocument,
} from './on-failure-document';
import { fnv1a, seededRandom } from './random';
import { type LedgerEntry, type LossReason, type RecordReport, RecordLedger } from './record-ledger';
import { type EventSourceMappingSettings, type ResolvedSettings, resolveSettings } from './settings';
import { SimulatedContext } from './simulated-context';

/** One record a producer put. */
export interface SimulatedRecordInput {
  readonly partitionKey: string;
  /** The payload: bytes, or text (encoded as UTF-8). KPL aggregates are passed as their bytes. */
  readonly data: Uint8Array | string;
  /** When it arrived in the stream (epoch ms); must not decrease within a shard. @default startTimeMs */
  readonly arrivalTimeMs?: number;
}

export interface SimulatedShardInput {
  /** @default shardId-000000000000, -000000000001, ... by position */
  readonly shardId?: string;
  /** The shard's records, in stream order. */
  readonly records: readonly SimulatedRecordInput[];
}

/** Your Lambda handler: `processKinesisBatch`-based or any other. */
export type SimulatedHandler = (event: KinesisStreamEvent, context: SimulatedContext) => unknown;

export interface SimulationOptions {
  /** The mapping: from `settingsFromTemplate(...)` or given directly. @default - the AWS defaults */
  readonly settings?: EventSourceMappingSettings;
  /** Receives what Lambda discards (unless the destination is 'none'). @default - kept in the report only */
  readonly onFailure?: OnFailureSink;
  /** Seeds the simulator's own randomness (duplicate deliveries). @default 1 */
  readonly seed?: number;
  /**
   * Chance that a successful batch is delivered once more (Lambda delivers at least once).
   * @default 0
   */
  readonly duplicateDeliveryRate?: number;
  /** Virtual time when the simulation starts (epoch ms). @default Date.UTC(2026, 0, 1) */
  readonly startTimeMs?: number;
  /** Virtual time each invocation takes besides what the handler `spend`s. @default 10 */
  readonly invocationOverheadMs?: number;
  /**
   * Stops a shard (partition of a shard with ParallelizationFactor > 1) after this many
   * invocations; its records not done yet are reported lost (`not-reached`), as a blocked shard's
   * records are once retention passes. @default 100000
   */
  readonly maxInvocationsPerShard?: number;
  /** Shards simulated at the same time (their invocations interleave). @default 1 */
  readonly concurrency?: number;
  /**
   * What Lambda retries after a partial batch response. AWS documents "only the remaining
   * records" of the batch when BisectBatchOnFunctionError is on, and "all records starting from
   * that checkpoint" in general; `'from-checkpoint'` reads the retry as a new batch from the
   * checkpoint (BatchSize records, later ones included), the retry count carried over.
   * @default 'remaining-records'
   */
  readonly partialBatchRetry?: 'remaining-records' | 'from-checkpoint';
}

export interface SimulationTotals {
  /** User records (KPL sub-records count one each). */
  readonly records: number;
  /** Records processed at least once. */
  readonly processed: number;
  /** Records processed more than once (at-least-once delivery). */
  readonly duplicates: number;
  readonly quarantined: number;
  /** Records the on-failure destination received. */
  readonly sentToOnFailure: number;
  /** Records sent to the on-failure destination without ever being processed or quarantined. */
  readonly sentToOnFailureUnhandled: number;
  readonly lost: number;
  readonly outOfOrder: number;
  readonly invocations: number;
  /** Invocations that failed as a whole: errors, timeouts and invalid partial batch responses. */
  readonly functionErrors: number;
  readonly timeouts: number;
  readonly invalidResponses: number;
  readonly partialFailures: number;
  readonly bisections: number;
  readonly duplicateDeliveries: number;
  /** Batches Lambda discarded (to the destination, or dropped without one). */
  readonly discardedBatches: number;
  readonly destinationDeliveryFailures: number;
  /** Shards the simulation stopped after maxInvocationsPerShard. */
  readonly stoppedShards: number;
}

export interface SimulationReport {
  readonly settings: ResolvedSettings;
  /** One entry per user record, by shard and stream order. */
  readonly records: readonly RecordReport[];
  /** Every document sent (or offered) to the on-failure destination. */
  readonly onFailureDocuments: readonly OnFailureDocument[];
  /** Every record written to the simulated quarantine. */
  readonly quarantined: readonly QuarantineRecord[];
  readonly totals: SimulationTotals;
}

/** Lambda's synchronous invocation payload limit, which bounds a batch besides BatchSize. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;
const BASE_SEQUENCE = 49590338271490256608559692538361571095921575989136588898n;

interface SimRecord {
  readonly event: KinesisStreamRecord;
  readonly arrivalMs: number;
  readonly bytes: number;
  readonly users: readonly LedgerEntry[];
}

interface PendingBatch {
  records: SimRecord[];
  /** Retries spent: the first invocation is not one; bisecting does not count. */
  attempts: number;
  invokeCount: number;
}

type Outcome = { kind: 'success' } | { kind: 'partial'; index: number } | { kind: 'error' };

type MutableTotals = { -readonly [K in keyof SimulationTotals]: SimulationTotals[K] };

/**
 * Drives `handler` over `shards` the way a Kinesis event source mapping does, with virtual time,
 * and reports what happened to every record. The semantics, each with the AWS documentation it
 * follows and the choices made where AWS is silent, are in docs/testing.md.
 */
export async function simulateEventSourceMapping(
  shards: readonly SimulatedShardInput[],
  handler: SimulatedHandler,
  options: SimulationOptions = {},
): Promise<SimulationReport> {
  const settings = resolveSettings(options.settings);
  const duplicateRate = options.duplicateDeliveryRate ?? 0;
  if (!(duplicateRate >= 0 && duplicateRate <= 1)) {
    throw new Error(`duplicateDeliveryRate must be between 0 and 1. Received ${duplicateRate}`);
  }
  const partialBatchRetry = options.partialBatchRetry ?? 'remaining-records';
  if (partialBatchRetry !== 'remaining-records' && partialBatchRetry !== 'from-checkpoint') {
    throw new Error(
      `partialBatchRetry must be 'remaining-records' or 'from-checkpoint'. Received ${partialBatchRetry}`,
    );
  }
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new Error(`concurrency must be an integer >= 1. Received ${concurrency}`);
  }
  const ledger = new RecordLedger();
  const run: SimulationRun = {
    settings,
    handler,
    ledger,
    sink: options.onFailure,
    seed: options.seed ?? 1,
    duplicateRate,
    overheadMs: options.invocationOverheadMs ?? 10,
    maxInvocations: options.maxInvocationsPerShard ?? 100_000,
    partialBatchRetry,
    documents: [],
    quarantined: [],
    totals: {
      records: 0,
      processed: 0,
      duplicates: 0,
      quarantined: 0,
      sentToOnFailure: 0,
      sentToOnFailureUnhandled: 0,
      lost: 0,
      outOfOrder: 0,
      invocations: 0,
      functionErrors: 0,
      timeouts: 0,
      invalidResponses: 0,
      partialFailures: 0,
      bisections: 0,
      duplicateDeliveries: 0,
      discardedBatches: 0,
      destinationDeliveryFailures: 0,
      stoppedShards: 0,
    },
  };
  const startTimeMs = options.startTimeMs ?? Date.UTC(2026, 0, 1);
  const runners = shards.flatMap((shard, index) => shardRunners(run, shard, index, startTimeMs));

  let nextRunner = 0;
  const worker = async (): Promise<void> => {
    while (nextRunner < runners.length) await runners[nextRunner++].simulate();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runners.length) }, worker));

  const records = ledger.entries.map((entry) => entry.toReport());
  const totals = run.totals;
  totals.records = records.length;
  for (const r of records) {
    if (r.processed > 0) totals.processed++;
    if (r.processed > 1) totals.duplicates++;
    if (r.quarantined > 0) totals.quarantined++;
    if (r.sentToOnFailure > 0) totals.sentToOnFailure++;
    if (r.sentToOnFailure > 0 && r.processed === 0 && r.quarantined === 0) totals.sentToOnFailureUnhandled++;
    if (r.lost) totals.lost++;
    if (r.outOfOrder) totals.outOfOrder++;
  }
  return { settings, records, onFailureDocuments: run.documents, quarantined: run.quarantined, totals };
}

interface SimulationRun {
  readonly settings: ResolvedSettings;
  readonly handler: SimulatedHandler;
  readonly ledger: RecordLedger;
  readonly sink?: OnFailureSink;
  readonly seed: number;
  readonly duplicateRate: number;
  readonly overheadMs: number;
  readonly maxInvocations: number;
  readonly partialBatchRetry: 'remaining-records' | 'from-checkpoint';
  readonly documents: OnFailureDocument[];
  readonly quarantined: QuarantineRecord[];
  readonly totals: MutableTotals;
}

/** The records of one shard as events, split by ParallelizationFactor into independent sequences. */
function shardRunners(
  run: SimulationRun,
  shard: SimulatedShardInput,
  index: number,
  startTimeMs: number,
): ShardRunner[] {
  const { settings } = run;
  const shardId = shard.shardId ?? `shardId-${String(index).padStart(12, '0')}`;
  const region = settings.streamArn.split(':')[3] || 'us-east-1';
  const base = BASE_SEQUENCE + BigInt(index) * 10n ** 36n;
  const partitions: SimRecord[][] = Array.from({ length: settings.parallelizationFactor }, () => []);
  let previousArrival = -Infinity;
  shard.records.forEach((input, position) => {
    const arrivalMs = input.arrivalTimeMs ?? startTimeMs;
    if (!(arrivalMs >= previousArrival)) {
      throw new Error(
        `arrival times must not decrease within a shard: record ${position} of ${shardId} arrives at ${arrivalMs}, before ${previousArrival}`,
      );
    }
    previousArrival = arrivalMs;
    const sequenceNumber = (base + BigInt(position) * 1_000_003n).toString();
    const data = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data);
    const event: KinesisStreamRecord = {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: input.partitionKey,
        sequenceNumber,
        data: data.toString('base64'),
        approximateArrivalTimestamp: arrivalMs / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/simulated',
      awsRegion: region,
      eventSourceARN: settings.streamArn,
    };
    Object.freeze(event.kinesis);
    Object.freeze(event);
    // A KPL aggregate holds user records of their own (a corrupt one is a single record).
    const users = isKplAggregated(data)
      ? userRecordsOf(event).map((user) =>
          run.ledger.add(shardId, sequenceNumber, user.subSequenceNumber, user.partitionKey),
        )
      : [run.ledger.add(shardId, sequenceNumber, undefined, input.partitionKey)];
    // Lambda keeps per-partition-key order across concurrent batches of a shard by routing each
    // key to one of them (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html).
    const partition =
      settings.parallelizationFactor > 1 ? fnv1a(input.partitionKey) % settings.parallelizationFactor : 0;
    partitions[partition].push({ event, arrivalMs, bytes: eventRecordBytes(event), users });
  });
  return partitions.map(
    (records, partition) =>
      new ShardRunner(run, shardId, records, startTimeMs, seededRandom(run.seed ^ fnv1a(`${shardId}/${partition}`))),
  );
}

/** The JSON size of a record in the event (its fields' lengths plus the fixed keys and quotes). */
function eventRecordBytes(event: KinesisStreamRecord): number {
  const k = event.kinesis;
  return (
    340 +
    k.data.length +
    Buffer.byteLength(k.partitionKey) * 2 +
    k.sequenceNumber.length * 2 +
    event.eventSourceARN.length +
    event.invokeIdentityArn.length
  );
}

/** The mapping's loop over one shard (or one of its ParallelizationFactor partitions). */
class ShardRunner {
  private nowMs: number;
  private invocations = 0;
  private readonly timeoutMs: number;
  private readonly retentionMs: number;

  constructor(
    private readonly run: SimulationRun,
    private readonly shardId: string,
    private readonly records: readonly SimRecord[],
    startTimeMs: number,
    private readonly random: () => number,
  ) {
    this.nowMs = startTimeMs;
    this.timeoutMs = run.settings.functionTimeoutSeconds * 1000;
    this.retentionMs = run.settings.streamRetentionHours * 3600_000;
  }

  public async simulate(): Promise<void> {
    const { settings } = this.run;
    const pending: PendingBatch[] = [];
    let next = 0;
    for (;;) {
      if (this.invocations >= this.run.maxInvocations) {
        this.stop([...pending.flatMap((p) => p.records), ...this.records.slice(next)]);
        return;
      }
      if (pending.length === 0) {
        while (next < this.records.length && this.expired(this.records[next]))
          this.pass([this.records[next++]], 'expired');
        if (next >= this.records.length) return;
        const records = this.nextBatch(next);
        next += records.length;
        pending.push({ records, attempts: 0, invokeCount: 0 });
      }
      const batch = pending[0];
      // Records the stream trimmed while their batch waited for a retry are gone.
      const trimmed = batch.records.filter((r) => this.expired(r));
      if (trimmed.length > 0) {
        this.pass(trimmed, 'expired');
        batch.records = batch.records.filter((r) => !this.expired(r));
      }
      if (settings.maximumRecordAgeInSeconds !== -1) {
        const tooOld = batch.records.filter(
          (r) => this.nowMs - r.arrivalMs > settings.maximumRecordAgeInSeconds * 1000,
        );
        if (tooOld.length > 0) {
          await this.discard(tooOld, 'RecordAgeExceeded', batch.invokeCount, undefined);
          batch.records = batch.records.filter((r) => !tooOld.includes(r));
        }
      }
      if (batch.records.length === 0) {
        pending.shift();
        continue;
      }

      batch.invokeCount++;
      const outcome = await this.invoke(batch.records);
      if (outcome.kind === 'success') {
        this.pass(batch.records, 'checkpointed-unprocessed');
        pending.shift();
        if (this.run.duplicateRate > 0 && this.random() < this.run.duplicateRate) {
          this.run.totals.duplicateDeliveries++;
          await this.invoke(batch.records);
        }
      } else if (outcome.kind === 'partial') {
        // Lambda checkpoints at the lowest reported record and retries from there; with
        // BisectBatchOnFunctionError it "bisects at the returned sequence number" - the same records.
        this.run.totals.partialFailures++;
        this.pass(batch.records.slice(0, outcome.index), 'checkpointed-unprocessed');
        batch.records = batch.records.slice(outcome.index);
        if (this.run.partialBatchRetry === 'from-checkpoint' && pending.length === 1) {
          // A batch read anew from the checkpoint: the remaining records and those after them.
          const more = this.nextBatch(next, batch.records);
          batch.records = [...batch.records, ...more];
          next += more.length;
        }
        batch.attempts++;
        if (this.exhausted(batch)) {
          await this.discard(batch.records, 'RetryAttemptsExhausted', batch.invokeCount, 'partial');
          pending.shift();
        }
      } else if (settings.bisectBatchOnFunctionError && batch.records.length > 1) {
        // Split in two, each half retried on its own; splitting does not count as a retry.
        this.run.totals.bisections++;
        const middle = Math.ceil(batch.records.length / 2);
        pending.splice(
          0,
          1,
          { records: batch.records.slice(0, middle), attempts: batch.attempts, invokeCount: batch.invokeCount },
          { records: batch.records.slice(middle), attempts: batch.attempts, invokeCount: batch.invokeCount },
        );
      } else {
        batch.attempts++;
        if (this.exhausted(batch)) {
          await this.discard(batch.records, 'RetryAttemptsExhausted', batch.invokeCount, 'error');
          pending.shift();
        }
      }
    }
  }

  /**
   * The next batch from `next`: records that have arrived, up to BatchSize and 6 MB. With
   * `head`, the batch starts with those records (a retry read from the checkpoint): only what
   * has already arrived is added, without waiting for the batching window.
   */
  private nextBatch(next: number, head: readonly SimRecord[] = []): SimRecord[] {
    const { batchSize, maximumBatchingWindowInSeconds } = this.run.settings;
    if (next >= this.records.length) return [];
    if (head.length === 0) this.nowMs = Math.max(this.nowMs, this.records[next].arrivalMs);
    let end = this.fill(next, head);
    if (
      head.length === 0 &&
      maximumBatchingWindowInSeconds > 0 &&
      end - next < batchSize &&
      end < this.records.length
    ) {
      // Wait until the batch is full or the window ends, whichever comes first.
      const full = next + batchSize - 1 < this.records.length ? this.records[next + batchSize - 1].arrivalMs : Infinity;
      this.nowMs = Math.max(this.nowMs, Math.min(this.nowMs + maximumBatchingWindowInSeconds * 1000, full));
      end = this.fill(next, head);
    }
    return this.records.slice(next, end);
  }

  private fill(next: number, head: readonly SimRecord[]): number {
    let end = next;
    let bytes = 16;
    for (const r of head) bytes += r.bytes;
    while (
      end < this.records.length &&
      end - next + head.length < this.run.settings.batchSize &&
      this.records[end].arrivalMs <= this.nowMs &&
      (end === next && head.length === 0 ? true : bytes + this.records[end].bytes <= MAX_EVENT_BYTES)
    ) {
      bytes += this.records[end].bytes;
      end++;
    }
    return end;
  }

  private async invoke(records: readonly SimRecord[]): Promise<Outcome> {
    const { settings, totals, ledger } = this.run;
    this.invocations++;
    totals.invocations++;
    for (const r of records) for (const user of r.users) user.delivered++;
    const requestId = `00000000-0000-4000-8000-${(fnv1a(this.shardId) * 1e3 + this.invocations).toString(16).padStart(12, '0').slice(-12)}`;
    const context = new SimulatedContext(
      requestId,
      settings.functionArn,
      this.timeoutMs,
      {
        processed: (position) => this.observe(() => ledger.handled(ledger.find(position), 'processed')),
        quarantined: (record) =>
          this.observe(() => {
            ledger.handled(ledger.find(record), 'quarantined');
            this.run.quarantined.push(record);
          }),
      },
      settings.reportBatchItemFailures,
    );
    let response: unknown;
    let failed = false;
    try {
      response = await this.run.handler({ Records: records.map((r) => r.event) }, context);
    } catch {
      failed = true;
    }
    // A report the simulation cannot place is a bug in the handler or the test: stop there.
    if (this.misuse) throw this.misuse;
    this.nowMs += this.run.overheadMs + Math.min(context.elapsedMillis, this.timeoutMs);
    if (context.timedOut) {
      totals.timeouts++;
      totals.functionErrors++;
      return { kind: 'error' };
    }
    if (failed) {
      totals.functionErrors++;
      return { kind: 'error' };
    }
    // Without ReportBatchItemFailures, Lambda does not read the response.
    if (!settings.reportBatchItemFailures) return { kind: 'success' };
    const outcome = readBatchItemFailures(response, records);
    if (outcome.kind === 'error') {
      totals.invalidResponses++;
      totals.functionErrors++;
    }
    return outcome;
  }

  private misuse: Error | undefined = undefined;

  private observe(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.misuse ??= error as Error;
      throw error;
    }
  }

  private exhausted(batch: PendingBatch): boolean {
    const max = this.run.settings.maximumRetryAttempts;
    return max !== -1 && batch.attempts > max;
  }

  private expired(record: SimRecord): boolean {
    return record.arrivalMs + this.retentionMs <= this.nowMs;
  }

  private pass(records: readonly SimRecord[], lossIfUnhandled?: LossReason): void {
    for (const r of records) for (const user of r.users) this.run.ledger.passed(user, lossIfUnhandled);
  }

  /** Lambda gives up on these records: on to the on-failure destination, or dropped without one. */
  private async discard(
    records: readonly SimRecord[],
    condition: DiscardCondition,
    invokeCount: number,
    lastInvocation: 'partial' | 'error' | undefined,
  ): Promise<void> {
    const { settings, totals } = this.run;
    totals.discardedBatches++;
    const destination = settings.onFailureDestination;
    if (destination === 'none') {
      this.pass(records, 'discarded');
      return;
    }
    const document = onFailureDocument(
      {
        records: records.map((r) => r.event),
        shardId: this.shardId,
        condition,
        approximateInvokeCount: Math.max(1, invokeCount),
        lastInvocation,
        requestId: `discard-${this.invocations}`,
        nowMs: this.nowMs,
      },
      destination,
      settings.functionArn,
      settings.streamArn,
    );
    this.run.documents.push(document);
    try {
      await this.run.sink?.(document, destination);
    } catch {
      totals.destinationDeliveryFailures++;
      this.pass(records, 'destination-failed');
      return;
    }
    for (const r of records) {
      for (const user of r.users) {
        user.sentToOnFailure++;
        if (destination === 's3') user.onFailurePayloadKept = true;
      }
    }
    this.pass(records);
  }

  private stop(records: readonly SimRecord[]): void {
    this.run.totals.stoppedShards++;
    for (const r of records) {
      for (const user of r.users) {
        if (user.processed === 0 && user.quarantined === 0 && !user.passed) user.lossReason = 'not-reached';
      }
    }
  }
}

/**
 * Reads a partial batch response. Success: no response, no or an empty `batchItemFailures`.
 * Whole-batch failure: an item without a non-empty string `itemIdentifier` (empty, null, wrong
 * key name), or one that names no record of the batch. Else the lowest reported record.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html
 */
function readBatchItemFailures(
  response: unknown,
  records: readonly { readonly event: KinesisStreamRecord }[],
): Outcome {
  if (typeof response !== 'object' || response === null) return { kind: 'success' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'error' };
  if (failures.length === 0) return { kind: 'success' };
  const indexOf = new Map(records.map((r, index) => [r.event.kinesis.sequenceNumber, index]));
  let lowest = Infinity;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '') return { kind: 'error' };
    const index = indexOf.get(id);
    if (index === undefined) return { kind: 'error' };
    lowest = Math.min(lowest, index);
  }
  return { kind: 'partial', index: lowest };
}
