import { KplAggregateBuilder, plainEntry } from './aggregation';
import type { ShardRange } from './shard-map';
import type { Packer, QueuedItem, RequestBudget, WireEntry } from './wire';

/**
 * Rules every packer keeps, whatever it packs:
 * - The request stays within the budget (entries, bytes counted as the service counts them).
 * - Once a record of a partition key stays behind, every later record of that key stays behind
 *   too, so a key's records leave the buffer in the order they were put.
 * - `ordered`: a partition key appears in at most one entry of the request. PutRecords does not
 *   order the entries of one call, and a throttled entry can fail while a later entry of its key
 *   succeeds (API_PutRecords: "PutRecords doesn't guarantee the ordering of records"); with its
 *   key's later records held for the next call, which starts after this call's retries, a retried
 *   entry is written before any later record of its key.
 * - At least one record is taken when the budget is a whole empty request.
 */
class RequestDraft {
  public readonly entries: (WireEntry | KplAggregateBuilder)[] = [];
  public readonly rest: QueuedItem[] = [];
  public bytes = 0;
  /** Entry index owning each key (−1: a key of an entry outside this draft). */
  private readonly keyOwner = new Map<string, number>();
  private readonly heldKeys = new Set<string>();

  constructor(
    private readonly budget: RequestBudget,
    private readonly ordered: boolean,
  ) {
    for (const key of budget.usedKeys ?? []) this.keyOwner.set(key, -1);
  }

  public isHeld(item: QueuedItem): boolean {
    return item.partitionKey !== undefined && this.heldKeys.has(item.partitionKey);
  }

  public hold(item: QueuedItem): void {
    this.rest.push(item);
    if (item.partitionKey !== undefined) this.heldKeys.add(item.partitionKey);
  }

  /** Whether the item's key lets it join entry `index` (a new entry when index is the entry count). */
  public keyAllows(item: QueuedItem, index: number): boolean {
    if (!this.ordered || item.partitionKey === undefined) return true;
    const owner = this.keyOwner.get(item.partitionKey);
    return owner === undefined || owner === index;
  }

  public canOpen(item: QueuedItem, sizeInBytes: number): boolean {
    return (
      this.entries.length < this.budget.entries &&
      this.bytes + sizeInBytes <= this.budget.bytes &&
      this.keyAllows(item, this.entries.length)
    );
  }

  public fitsBytes(growthInBytes: number): boolean {
    return this.bytes + growthInBytes <= this.budget.bytes;
  }

  public claimKey(item: QueuedItem, index: number): void {
    if (item.partitionKey !== undefined) this.keyOwner.set(item.partitionKey, index);
  }

  public finish(): { entries: WireEntry[]; rest: QueuedItem[] } {
    return {
      entries: this.entries.map((entry) => (entry instanceof KplAggregateBuilder ? entry.build() : entry)),
      rest: this.rest,
    };
  }
}

/** Takes a plain entry for the item if the draft has room, else holds it back. */
function takePlain(draft: RequestDraft, item: QueuedItem): void {
  if (!draft.canOpen(item, item.sizeInBytes)) {
    draft.hold(item);
    return;
  }
  draft.claimKey(item, draft.entries.length);
  draft.entries.push(plainEntry(item));
  draft.bytes += item.sizeInBytes;
}

/** One entry per record (Firehose, or Kinesis without aggregation). */
export const plainPacker: Packer = (queue, budget, ordered) => {
  const draft = new RequestDraft(budget, ordered);
  for (const item of queue) {
    if (draft.isHeld(item)) draft.hold(item);
    else takePlain(draft, item);
  }
  return draft.finish();
};

export interface AggregatingPackerOptions {
  /** The open shard owning a hash key, if known. */
  readonly shardFor: (hashKey: bigint) => ShardRange | undefined;
  /** Upper bound of one aggregate in bytes, its partition key included. */
  readonly maxAggregateSizeInBytes: number;
}

/**
 * KPL aggregation that every consumer can read: user records are aggregated only with records
 * of the same shard (by the shard map), and each aggregate is routed into that shard by an
 * explicit hash key. Records whose shard is unknown (no map yet, a gap during a reshard) and
 * records too large for an aggregate go as plain records.
 */
export function aggregatingPacker(options: AggregatingPackerOptions): Packer {
  return (queue, budget, ordered) => {
    const draft = new RequestDraft(budget, ordered);
    const openAggregate = new Map<string, number>();
    for (const item of queue) {
      if (draft.isHeld(item)) {
        draft.hold(item);
        continue;
      }
      const shard = item.hashKey !== undefined ? options.shardFor(item.hashKey) : undefined;
      if (!shard) {
        takePlain(draft, item);
        continue;
      }
      const index = openAggregate.get(shard.shardId);
      if (index !== undefined) {
        const aggregate = draft.entries[index] as KplAggregateBuilder;
        const size = aggregate.sizeWith(item);
        if (
          size <= options.maxAggregateSizeInBytes &&
          draft.fitsBytes(size - aggregate.sizeInBytes) &&
          draft.keyAllows(item, index)
        ) {
          draft.bytes += size - aggregate.sizeInBytes;
          aggregate.add(item);
          draft.claimKey(item, index);
          continue;
        }
      }
      const fresh = new KplAggregateBuilder(shard.shardId);
      const alone = fresh.sizeWith(item);
      if (alone > options.maxAggregateSizeInBytes) {
        // Too large to share an aggregate: as it is, which is smaller anyway.
        takePlain(draft, item);
        continue;
      }
      if (!draft.canOpen(item, alone)) {
        draft.hold(item);
        continue;
      }
      fresh.add(item);
      draft.claimKey(item, draft.entries.length);
      openAggregate.set(shard.shardId, draft.entries.length);
      draft.entries.push(fresh);
      draft.bytes += alone;
    }
    return draft.finish();
  };
}
