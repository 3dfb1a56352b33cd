import { ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';

/** A shard and the hash keys it owns (both ends inclusive). */
export interface ShardRange {
  readonly shardId: string;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

export interface ShardMapOptions {
  /** Reload the map at least this often, even without a sign of change. @default 60000 */
  readonly refreshIntervalInMillis?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Backoff between failed loads, as the KPL's ShardMap (kMinBackoff 1 s, kMaxBackoff 30 s, ×1.5). */
const MIN_BACKOFF_MILLIS = 1_000;
const MAX_BACKOFF_MILLIS = 30_000;

/**
 * The stream's open shards and their hash-key ranges, from ListShards, so that the producer can
 * aggregate only user records of the same shard (KCL 2.x+ drops whole aggregates holding a user
 * record outside the shard's range: amazon-kinesis-client AggregatorUtil.deaggregate). Reloaded
 * when it is older than the refresh interval, and when a put shows it stale (a record landed on
 * another shard than predicted: a reshard). Ranges of shards seen before (closed parents, new
 * children) are kept, to judge where a record landed.
 */
export class ShardMap {
  private open: ShardRange[] = [];
  private readonly byId = new Map<string, ShardRange>();
  private loadedAt = -Infinity;
  private stale = true;
  private loading?: Promise<void>;
  private retryAt = -Infinity;
  private backoff = MIN_BACKOFF_MILLIS;
  private readonly interval: number;
  private readonly now: () => number;
  /** The last load error, while loads fail. */
  public lastError?: string;

  constructor(
    private readonly listShards: () => Promise<Shard[]>,
    options: ShardMapOptions = {},
  ) {
    this.interval = options.refreshIntervalInMillis ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Whether a map was ever loaded. */
  public get loaded(): boolean {
    return this.loadedAt > -Infinity;
  }

  /** Loads the map if it is stale or old, unless a failed load is still backing off. Never throws. */
  public async refreshIfDue(): Promise<void> {
    const now = this.now();
    if (!this.stale && now - this.loadedAt < this.interval) return;
    if (now < this.retryAt) return;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    await this.loading;
  }

  /**
   * Marks the map stale after a put that started at `sentAt` showed a record on an unexpected
   * shard; a put sent before the last load tells nothing new (the KPL's ShardMap::invalidate).
   */
  public invalidate(sentAt: number): void {
    if (sentAt >= this.loadedAt) {
      this.stale = true;
      this.retryAt = -Infinity;
    }
  }

  /** The open shard owning the hash key, if the map has one. */
  public shardFor(hashKey: bigint): ShardRange | undefined {
    let low = 0;
    let high = this.open.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const shard = this.open[mid];
      if (hashKey < shard.startingHashKey) high = mid - 1;
      else if (hashKey > shard.endingHashKey) low = mid + 1;
      else return shard;
    }
    return undefined;
  }

  /** The range of any shard seen so far, open or closed. */
  public rangeOf(shardId: string): ShardRange | undefined {
    return this.byId.get(shardId);
  }

  private async load(): Promise<void> {
    try {
      const shards = await this.listShards();
      const open: ShardRange[] = [];
      for (const shard of shards) {
        const range = toRange(shard);
        if (!range) continue;
        this.byId.set(range.shardId, range);
        if (shard.SequenceNumberRange?.EndingSequenceNumber === undefined) open.push(range);
      }
      open.sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));
      this.open = open;
      this.loadedAt = this.now();
      this.stale = false;
      this.backoff = MIN_BACKOFF_MILLIS;
      this.lastError = undefined;
    } catch (error) {
      // Keep the old map: a stale map only costs redirected records, which the producer detects.
      this.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.retryAt = this.now() + this.backoff;
      this.backoff = Math.min(this.backoff * 1.5, MAX_BACKOFF_MILLIS);
    }
  }
}

function toRange(shard: Shard): ShardRange | undefined {
  const range = shard.HashKeyRange;
  if (!shard.ShardId || !range?.StartingHashKey || !range.EndingHashKey) return undefined;
  return {
    shardId: shard.ShardId,
    startingHashKey: BigInt(range.StartingHashKey),
    endingHashKey: BigInt(range.EndingHashKey),
  };
}

/** Every shard of the stream, page by page (ListShards takes the stream only on the first page). */
export function listAllShards(
  client: KinesisClient,
  stream: { readonly streamName?: string; readonly streamArn?: string },
): () => Promise<Shard[]> {
  return async () => {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new ListShardsCommand(
          nextToken
            ? { NextToken: nextToken, MaxResults: 1000 }
            : { StreamName: stream.streamName, StreamARN: stream.streamArn, MaxResults: 1000 },
        ),
      );
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  };
}
