import { createHash } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Remembers which records a redrive already put back, so that running it again (after a
 * partial failure, or twice by mistake) replays only what is left. At-least-once: a crash
 * between the put and `markDone` replays those records once more.
 */
export interface RedriveLedger {
  /** The subset of `keys` already replayed. */
  done(keys: readonly string[]): Promise<Set<string>>;
  markDone(keys: readonly string[]): Promise<void>;
}

export class InMemoryRedriveLedger implements RedriveLedger {
  public readonly keys = new Set<string>();

  public async done(keys: readonly string[]): Promise<Set<string>> {
    return new Set(keys.filter((k) => this.keys.has(k)));
  }

  public async markDone(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.keys.add(key);
  }
}

export interface S3RedriveLedgerOptions {
  readonly client: S3Client;
  readonly bucketName: string;
  /** @default 'redrive-ledger/' */
  readonly prefix?: string;
  /** S3 calls in flight at once. @default 16 */
  readonly concurrency?: number;
}

/** One empty marker object per replayed record, `<prefix><sha256 of the key>`, in the failure bucket. */
export class S3RedriveLedger implements RedriveLedger {
  public static readonly DEFAULT_PREFIX = 'redrive-ledger/';
  private readonly prefix: string;

  constructor(private readonly options: S3RedriveLedgerOptions) {
    this.prefix = options.prefix ?? S3RedriveLedger.DEFAULT_PREFIX;
  }

  public markerKey(key: string): string {
    return `${this.prefix}${createHash('sha256').update(key).digest('hex')}`;
  }

  public async done(keys: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    await forEachLimited(keys, this.options.concurrency ?? 16, async (key) => {
      try {
        await this.options.client.send(
          new HeadObjectCommand({ Bucket: this.options.bucketName, Key: this.markerKey(key) }),
        );
        found.add(key);
      } catch (error) {
        const e = error as Error & { $metadata?: { httpStatusCode?: number } };
        if (e.name !== 'NotFound' && e.$metadata?.httpStatusCode !== 404) throw error;
      }
    });
    return found;
  }

  public async markDone(keys: readonly string[]): Promise<void> {
    await forEachLimited(keys, this.options.concurrency ?? 16, async (key) => {
      await this.options.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucketName,
          Key: this.markerKey(key),
          Body: '',
          // S3 metadata is ASCII; the key is ARN/shard/sequence, which is.
          Metadata: { 'idempotency-key': key },
        }),
      );
    });
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
