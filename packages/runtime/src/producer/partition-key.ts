import { randomUUID } from 'node:crypto';
import { KINESIS_LIMITS } from './limits';

/** Chooses the partition key of a record that was put without one. */
export interface PartitionKeyStrategy {
  /** @param data the record's payload @param index running number of the record in this producer */
  keyFor(data: Uint8Array, index: number): string;
}

/** Options of {@link PartitionKey.field}. */
export interface FieldPartitionKeyOptions {
  /**
   * Key of records that are not JSON objects or lack the field. A constant fallback would pile
   * such records onto one shard, so by default they get a random key.
   * @default - a random key
   */
  readonly fallback?: PartitionKeyStrategy;
}

const decoder = new TextDecoder();

/** Ready-made partition-key strategies. */
export class PartitionKey {
  /**
   * A random UUID per record: the highest cardinality, so records spread evenly over all
   * shards. Gives up per-key ordering (no two records share a key).
   */
  public static random(): PartitionKeyStrategy {
    return { keyFor: () => randomUUID() };
  }

  /**
   * The value of a field of a JSON record (dotted path, e.g. `user.id`), so that all records of
   * one entity land on one shard, in order. Pick a field with many distinct values, or a few
   * keys will make hot shards.
   */
  public static field(path: string, options: FieldPartitionKeyOptions = {}): PartitionKeyStrategy {
    if (path.length === 0) throw new Error('PartitionKey.field path must not be empty. Received ""');
    const segments = path.split('.');
    const fallback = options.fallback ?? PartitionKey.random();
    return {
      keyFor: (data, index) => {
        const value = readField(data, segments);
        if (value === undefined) return fallback.keyFor(data, index);
        return truncateKey(value);
      },
    };
  }

  /** The same key for every record: strict order on a single shard (1 MB/s or 1,000 records/s). */
  public static explicit(key: string): PartitionKeyStrategy {
    validatePartitionKey(key);
    return { keyFor: () => key };
  }

  /** A key computed by your function. */
  public static fromFunction(fn: (data: Uint8Array, index: number) => string): PartitionKeyStrategy {
    return { keyFor: fn };
  }
}

export function validatePartitionKey(key: string): void {
  const length = [...key].length;
  if (length < 1 || length > KINESIS_LIMITS.maxPartitionKeyLength) {
    throw new Error(
      `partitionKey must be between 1 and ${KINESIS_LIMITS.maxPartitionKeyLength} characters. Received ${length} characters`,
    );
  }
}

function readField(data: Uint8Array, segments: string[]): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function truncateKey(value: string): string {
  const chars = [...value];
  return chars.length > KINESIS_LIMITS.maxPartitionKeyLength
    ? chars.slice(0, KINESIS_LIMITS.maxPartitionKeyLength).join('')
    : value;
}
