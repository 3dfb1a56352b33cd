import type { RecordPosition } from '../kinesis-batch/simulation-hooks';

/** What happened to one user record (a KPL sub-record counts as a record of its own). */
export interface RecordReport {
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Set for the sub-records of a KPL aggregate. */
  readonly subSequenceNumber?: number;
  /** The user record's partition key (a sub-record's own key for KPL aggregates). */
  readonly partitionKey: string;
  /** Invocations whose event held the record. */
  readonly delivered: number;
  /** Times the handler reported the record processed (more than 1: duplicates, at least once). */
  readonly processed: number;
  /** Times the record was written to the quarantine sink. */
  readonly quarantined: number;
  /** Times Lambda sent the record to the on-failure destination. */
  readonly sentToOnFailure: number;
  /** An on-failure document holds the record's payload (S3 destinations only). */
  readonly onFailurePayloadKept: boolean;
  /** Processed or quarantined while an earlier record of its key was still pending. */
  readonly outOfOrder: boolean;
  /** Neither processed, quarantined, nor kept by the on-failure destination: gone. */
  readonly lost: boolean;
  /** Why it is lost, when it is. */
  readonly lostBecause?: LossReason;
}

/**
 * - `checkpointed-unprocessed`: Lambda moved past it (a batch it took as successful) without it
 *   having been processed or quarantined;
 * - `discarded`: Lambda discarded it with no on-failure destination;
 * - `destination-failed`: the on-failure destination refused it (Lambda's DroppedEventCount);
 * - `expired`: the stream's retention passed before it was done;
 * - `not-reached`: the simulation stopped (maxInvocationsPerShard) before Lambda got to it.
 */
export type LossReason = 'checkpointed-unprocessed' | 'discarded' | 'destination-failed' | 'expired' | 'not-reached';

/** Mutable bookkeeping behind a RecordReport. */
export class LedgerEntry {
  public delivered = 0;
  public processed = 0;
  public quarantined = 0;
  public sentToOnFailure = 0;
  public onFailurePayloadKept = false;
  public outOfOrder = false;
  /** Lambda moved past the record: checkpoint, discard or on-failure. */
  public passed = false;
  public lossReason: LossReason | undefined = undefined;
  /** Settled: processed, quarantined or passed; later records of the key may then run. */
  public settled = false;

  constructor(
    public readonly shardId: string,
    public readonly sequenceNumber: string,
    public readonly subSequenceNumber: number | undefined,
    public readonly partitionKey: string,
    public readonly group: KeyGroup,
    public readonly indexInGroup: number,
  ) {}

  public toReport(): RecordReport {
    const kept = this.processed > 0 || this.quarantined > 0 || (this.sentToOnFailure > 0 && !this.lossReason);
    return {
      shardId: this.shardId,
      sequenceNumber: this.sequenceNumber,
      ...(this.subSequenceNumber !== undefined ? { subSequenceNumber: this.subSequenceNumber } : {}),
      partitionKey: this.partitionKey,
      delivered: this.delivered,
      processed: this.processed,
      quarantined: this.quarantined,
      sentToOnFailure: this.sentToOnFailure,
      onFailurePayloadKept: this.onFailurePayloadKept,
      outOfOrder: this.outOfOrder,
      lost: !kept,
      ...(!kept ? { lostBecause: this.lossReason ?? 'checkpointed-unprocessed' } : {}),
    };
  }
}

/** The records of one partition key in one shard, in stream order. */
export class KeyGroup {
  public readonly entries: LedgerEntry[] = [];
  /** Index of the first entry not settled yet. */
  public firstUnsettled = 0;
}

/** Every user record of a simulation, with what happened to it. */
export class RecordLedger {
  public readonly entries: LedgerEntry[] = [];
  /** By sequence number (unique across the simulated shards); a KPL aggregate's sub-records as a list. */
  private readonly bySequence = new Map<string, LedgerEntry | LedgerEntry[]>();
  /** Key groups by shard, then partition key. */
  private readonly groups = new Map<string, Map<string, KeyGroup>>();

  public add(shardId: string, sequenceNumber: string, subSequenceNumber: number | undefined, key: string): LedgerEntry {
    let shardGroups = this.groups.get(shardId);
    if (!shardGroups) {
      shardGroups = new Map();
      this.groups.set(shardId, shardGroups);
    }
    let group = shardGroups.get(key);
    if (!group) {
      group = new KeyGroup();
      shardGroups.set(key, group);
    }
    const entry = new LedgerEntry(shardId, sequenceNumber, subSequenceNumber, key, group, group.entries.length);
    group.entries.push(entry);
    this.entries.push(entry);
    const existing = this.bySequence.get(sequenceNumber);
    if (existing === undefined) this.bySequence.set(sequenceNumber, subSequenceNumber === undefined ? entry : [entry]);
    else if (Array.isArray(existing)) existing.push(entry);
    else throw new Error(`sequence number ${sequenceNumber} added twice`);
    return entry;
  }

  public find(position: RecordPosition): LedgerEntry {
    const found = this.bySequence.get(position.sequenceNumber);
    const entry = Array.isArray(found) ? found[position.subSequenceNumber ?? 0] : found;
    if (!entry || entry.subSequenceNumber !== position.subSequenceNumber || entry.shardId !== position.shardId) {
      throw new Error(
        `the handler reported a record the simulation never delivered: shard ${position.shardId}, sequence number ${position.sequenceNumber}${position.subSequenceNumber !== undefined ? `, sub-sequence ${position.subSequenceNumber}` : ''}`,
      );
    }
    return entry;
  }

  /** The handler processed (`processed`) or quarantined the record. */
  public handled(entry: LedgerEntry, how: 'processed' | 'quarantined'): void {
    if (!entry.settled && entry.indexInGroup > entry.group.firstUnsettled) entry.outOfOrder = true;
    entry[how]++;
    this.settle(entry);
  }

  /** Lambda moved past the record (checkpoint, on-failure, discard), `reason` if it is then gone. */
  public passed(entry: LedgerEntry, lossIfUnhandled?: LossReason): void {
    entry.passed = true;
    if (lossIfUnhandled && entry.processed === 0 && entry.quarantined === 0) entry.lossReason ??= lossIfUnhandled;
    this.settle(entry);
  }

  private settle(entry: LedgerEntry): void {
    entry.settled = true;
    const group = entry.group;
    while (group.firstUnsettled < group.entries.length && group.entries[group.firstUnsettled].settled) {
      group.firstUnsettled++;
    }
  }
}
