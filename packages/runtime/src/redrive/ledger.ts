import { createHash, randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Remembers which records a redrive put back, and makes every put exclusive: a run first
 * CLAIMS a record's marker (a create-only write), puts the record, then marks the marker DONE.
 * A marker another run holds is skipped, so two runs over the same documents never both put a
 * record; a crash between the put and `markDone` leaves the batch in flight claimed, and that
 * batch alone is put again once its claims' lease has run out.
 */
export interface RedriveLedger {
  /** The state of `keys`, changing nothing (dry runs, and keys of older ledger formats). */
  peek(keys: readonly string[]): Promise<LedgerState>;
  /** Claims the free `keys` for this run. */
  claim(keys: readonly string[]): Promise<ClaimResult>;
  /** Marks claimed keys as replayed. */
  markDone(keys: readonly string[]): Promise<void>;
  /** Gives up claimed keys whose put failed, so that a next run replays them. */
  release(keys: readonly string[]): Promise<void>;
}

export interface LedgerState {
  /** Replayed before. */
  readonly done: string[];
  /** Claimed by another run whose lease has not run out (in flight, or crashed). */
  readonly held: HeldClaim[];
}

export interface ClaimResult extends LedgerState {
  /** Now this run's. */
  readonly claimed: string[];
  /** Epoch millis until which every claim in `claimed` stays this run's (the lease). */
  readonly validUntil: number;
}

export interface HeldClaim {
  readonly key: string;
  readonly runId: string;
  readonly leaseExpiresAt: string;
}

/** The ledger could not be read or written: the run stops, and says so on one line. */
export class RedriveLedgerError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'RedriveLedgerError';
  }
}

/** How long a claim stays a run's own. @default 15 minutes: the longest a Lambda invocation lives. */
export const DEFAULT_CLAIM_LEASE_MILLIS = 15 * 60 * 1000;

export interface LedgerRunOptions {
  /** Names this run in the claims it writes. @default - a random UUID */
  readonly runId?: string;
  /** How long a claim is this run's: a claim older than this is taken to be a crashed run's. @default 15 minutes */
  readonly leaseMillis?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

type Marker = { state: 'done' } | { state: 'released' } | { state: 'claimed'; runId: string; leaseExpiresAt: number };

/** A ledger in memory (tests, local runs); `store` may be shared to stand for runs in parallel. */
export class InMemoryRedriveLedger implements RedriveLedger {
  public readonly runId: string;
  private readonly leaseMillis: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Map<string, Marker> = new Map(),
    options: LedgerRunOptions = {},
  ) {
    this.runId = options.runId ?? randomUUID();
    this.leaseMillis = options.leaseMillis ?? DEFAULT_CLAIM_LEASE_MILLIS;
    this.now = options.now ?? Date.now;
  }

  /** The keys marked done. */
  public get keys(): Set<string> {
    return new Set([...this.store].filter(([, m]) => m.state === 'done').map(([k]) => k));
  }

  public async peek(keys: readonly string[]): Promise<LedgerState> {
    const done: string[] = [];
    const held: HeldClaim[] = [];
    for (const key of keys) {
      const marker = this.store.get(key);
      if (marker?.state === 'done') done.push(key);
      else if (marker?.state === 'claimed' && marker.leaseExpiresAt > this.now()) held.push(heldClaim(key, marker));
    }
    return { done, held };
  }

  public async claim(keys: readonly string[]): Promise<ClaimResult> {
    const validUntil = this.now() + this.leaseMillis;
    const { done, held } = await this.peek(keys);
    const taken = new Set([...done, ...held.filter((h) => h.runId !== this.runId).map((h) => h.key)]);
    const claimed = keys.filter((k) => !taken.has(k));
    for (const key of claimed) this.store.set(key, { state: 'claimed', runId: this.runId, leaseExpiresAt: validUntil });
    return { claimed, done, held: held.filter((h) => h.runId !== this.runId), validUntil };
  }

  public async markDone(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.store.set(key, { state: 'done' });
  }

  public async release(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.store.set(key, { state: 'released' });
  }
}

function heldClaim(key: string, marker: { runId: string; leaseExpiresAt: number }): HeldClaim {
  return { key, runId: marker.runId, leaseExpiresAt: new Date(marker.leaseExpiresAt).toISOString() };
}

export interface S3RedriveLedgerOptions extends LedgerRunOptions {
  readonly client: S3Client;
  readonly bucketName: string;
  /** @default 'redrive-ledger/' */
  readonly prefix?: string;
  /** S3 calls in flight at once. @default 16 */
  readonly concurrency?: number;
}

/**
 * One marker object per record, `<prefix><sha256 of the key>`, in the failure bucket. A claim
 * is a PutObject with `If-None-Match: *`: S3 creates the object only if no object has that key,
 * else answers 412 Precondition Failed, and when two such writes race, one of them gets 409
 * ConditionalRequestConflict and should retry. Marking done, releasing and taking over a claim
 * whose lease ran out are PutObjects with `If-Match: <ETag>` of the marker read, so no run
 * overwrites a marker another run changed in between.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (If-None-Match, If-Match)
 */
export class S3RedriveLedger implements RedriveLedger {
  public static readonly DEFAULT_PREFIX = 'redrive-ledger/';
  public readonly runId: string;
  private readonly prefix: string;
  private readonly leaseMillis: number;
  private readonly now: () => number;
  /** ETag of each marker this run holds. */
  private readonly etags = new Map<string, string>();

  constructor(private readonly options: S3RedriveLedgerOptions) {
    this.prefix = options.prefix ?? S3RedriveLedger.DEFAULT_PREFIX;
    this.runId = options.runId ?? randomUUID();
    this.leaseMillis = options.leaseMillis ?? DEFAULT_CLAIM_LEASE_MILLIS;
    this.now = options.now ?? Date.now;
  }

  public markerKey(key: string): string {
    return `${this.prefix}${createHash('sha256').update(key).digest('hex')}`;
  }

  public async peek(keys: readonly string[]): Promise<LedgerState> {
    const done: string[] = [];
    const held: HeldClaim[] = [];
    await forEachLimited(keys, this.options.concurrency ?? 16, async (key) => {
      const found = await this.read(key);
      if (!found) return;
      if (found.marker.state === 'done') done.push(key);
      else if (found.marker.state === 'claimed' && found.marker.leaseExpiresAt > this.now()) {
        held.push(heldClaim(key, found.marker));
      }
    });
    return { done: inOrder(keys, done), held };
  }

  public async claim(keys: readonly string[]): Promise<ClaimResult> {
    const validUntil = this.now() + this.leaseMillis;
    const claimed: string[] = [];
    const done: string[] = [];
    const held: HeldClaim[] = [];
    await forEachLimited(keys, this.options.concurrency ?? 16, async (key) => {
      const outcome = await this.claimOne(key, validUntil);
      if (outcome === 'claimed') claimed.push(key);
      else if (outcome === 'done') done.push(key);
      else held.push(outcome);
    });
    return { claimed: inOrder(keys, claimed), done: inOrder(keys, done), held, validUntil };
  }

  public async markDone(keys: readonly string[]): Promise<void> {
    await this.replaceOwn(keys, 'done');
  }

  public async release(keys: readonly string[]): Promise<void> {
    await this.replaceOwn(keys, 'released');
  }

  private async claimOne(key: string, leaseExpiresAt: number): Promise<'claimed' | 'done' | HeldClaim> {
    const body = this.body(key, { state: 'claimed', leaseExpiresAt: new Date(leaseExpiresAt).toISOString() });
    // A 409 (two conditional writes at once) is retried, as S3 asks; each pass reads the marker again.
    for (let attempt = 0; attempt < 4; attempt++) {
      const created = await this.put(key, body, { IfNoneMatch: '*' }, 'claim');
      if (created !== 'precondition' && created !== 'conflict') {
        this.etags.set(key, created);
        return 'claimed';
      }
      if (created === 'conflict') continue;
      const found = await this.read(key);
      if (!found) continue; // gone again: try to create it once more
      const marker = found.marker;
      if (marker.state === 'done') return 'done';
      if (marker.state === 'claimed' && marker.leaseExpiresAt > this.now()) {
        if (marker.runId !== this.runId) return heldClaim(key, marker);
      }
      // Released, or a claim whose lease ran out (its run crashed or gave up): take it over,
      // only if nobody changed it since it was read.
      const taken = await this.put(key, body, { IfMatch: found.etag }, 'claim');
      if (taken !== 'precondition' && taken !== 'conflict') {
        this.etags.set(key, taken);
        return 'claimed';
      }
    }
    const last = await this.read(key);
    if (last?.marker.state === 'done') return 'done';
    return last?.marker.state === 'claimed'
      ? heldClaim(key, last.marker)
      : { key, runId: 'unknown (contended)', leaseExpiresAt: new Date(this.now()).toISOString() };
  }

  private async replaceOwn(keys: readonly string[], state: 'done' | 'released'): Promise<void> {
    await forEachLimited(keys, this.options.concurrency ?? 16, async (key) => {
      const etag = this.etags.get(key);
      if (etag === undefined) throw new RedriveLedgerError(`${this.where(key)}: this run holds no claim on ${key}`);
      const outcome = await this.put(
        key,
        this.body(key, { state, at: new Date(this.now()).toISOString() }),
        {
          IfMatch: etag,
        },
        state === 'done' ? 'mark done' : 'release',
      );
      if (outcome === 'precondition' || outcome === 'conflict') {
        throw new RedriveLedgerError(
          `${this.where(key)}: the claim on ${key} was taken over by another run before it was marked ${state} (its lease had run out): the record may have been put twice`,
        );
      }
      this.etags.delete(key);
    });
  }

  private body(key: string, fields: Record<string, string>): string {
    return JSON.stringify({ version: 2, idempotencyKey: key, runId: this.runId, ...fields });
  }

  /** The new ETag, or which precondition failed. */
  private async put(
    key: string,
    body: string,
    condition: { IfNoneMatch: '*' } | { IfMatch: string },
    what: string,
  ): Promise<string | 'precondition' | 'conflict'> {
    try {
      const out = await this.options.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucketName,
          Key: this.markerKey(key),
          Body: body,
          ContentType: 'application/json',
          ...condition,
        }),
      );
      return out.ETag ?? '';
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || nameOf(error) === 'PreconditionFailed') return 'precondition';
      if (status === 409 || nameOf(error) === 'ConditionalRequestConflict') return 'conflict';
      throw new RedriveLedgerError(`${this.where(key)}: cannot ${what} ${key}: ${describe(error)}`);
    }
  }

  private async read(key: string): Promise<{ marker: Marker; etag: string } | undefined> {
    try {
      const out = await this.options.client.send(
        new GetObjectCommand({ Bucket: this.options.bucketName, Key: this.markerKey(key) }),
      );
      const text = (await out.Body?.transformToString('utf8')) ?? '';
      return { marker: parseMarker(text), etag: out.ETag ?? '' };
    } catch (error) {
      if (statusOf(error) === 404 || nameOf(error) === 'NoSuchKey' || nameOf(error) === 'NotFound') return undefined;
      throw new RedriveLedgerError(`${this.where(key)}: cannot read the marker of ${key}: ${describe(error)}`);
    }
  }

  private where(key: string): string {
    return `redrive ledger s3://${this.options.bucketName}/${this.markerKey(key)}`;
  }
}

/**
 * Markers of this version are JSON with a state. An empty (or other) body is a marker of the
 * ledger before claims, written only after a successful put: done.
 */
function parseMarker(text: string): Marker {
  try {
    const json = JSON.parse(text) as { state?: unknown; runId?: unknown; leaseExpiresAt?: unknown };
    if (json.state === 'claimed' && typeof json.runId === 'string' && typeof json.leaseExpiresAt === 'string') {
      return { state: 'claimed', runId: json.runId, leaseExpiresAt: Date.parse(json.leaseExpiresAt) || 0 };
    }
    if (json.state === 'released') return { state: 'released' };
  } catch {
    // not JSON: an older marker
  }
  return { state: 'done' };
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function nameOf(error: unknown): string | undefined {
  return (error as { name?: string })?.name;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function inOrder(keys: readonly string[], subset: readonly string[]): string[] {
  const set = new Set(subset);
  return keys.filter((k) => set.has(k));
}

export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
