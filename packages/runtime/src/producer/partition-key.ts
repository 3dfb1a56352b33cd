import { randomUUID } from 'node:crypto';
import { KINESIS_LIMITS } from './limits';
import { partitionKeyProblem } from './validation';

/** Chooses the partition key of a record that was put without one. */
export interface PartitionKeyStrategy {
  /** @param data the record's payload @param index running number of the record in this producer */
  keyFor(data: Uint8Array, index: number): string;
}

/** Options of {@link PartitionKey.field}. */
export interface FieldPartitionKeyOptions {
  /**
   * Key of records that are not JSON objects or lack the field (values longer than 256 UTF-16
   * code units are cut to 256). A constant fallback would pile
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

/** @throws Error when Kinesis would refuse the key (see KINESIS_LIMITS.maxPartitionKeyLength for the unit) */
export function validatePartitionKey(key: string): void {
  const problem = partitionKeyProblem(key);
  if (problem) throw new Error(problem.message);
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

/** The first 256 UTF-16 code units (the unit Kinesis counts), without splitting a surrogate pair. */
function truncateKey(value: string): string {
  const max = KINESIS_LIMITS.maxPartitionKeyLength;
  if (value.length <= max) return value;
  const cut = /[\uD800-\uDBFF]/.test(value[max - 1]) ? max - 1 : max;
  return value.slice(0, cut);
}
