/** Bounds of the redrive's options, shared by the function, the CLI and the constructs' docs. */
export const REDRIVE_LIMITS = {
  /** Objects read by one run. */
  maxObjects: { min: 1, max: 100_000, default: 1000 },
  /** Records claimed, put and marked at a time (PutRecords takes at most 500). */
  batchSize: { min: 1, max: 500, default: 100 },
  /** Exact keys in one invocation. */
  keys: { min: 1, max: 1000 },
} as const;

/** A redrive request that is not valid: nothing was read or replayed. */
export class RedriveInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedriveInputError';
  }
}

/** `value` when it is an integer within the bounds, else an error naming the option, the value and the range. */
export function checkInteger(
  name: string,
  value: unknown,
  bounds: { readonly min: number; readonly max: number },
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new RedriveInputError(
      `${name} must be an integer between ${bounds.min} and ${bounds.max}. Received ${render(value)}`,
    );
  }
  return value;
}

/** An ISO-8601 date or date-time (`2024-05-01`, `2024-05-01T10:00:00Z`), else an error naming the option. */
export function checkTimestamp(name: string, value: unknown): Date {
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
  const time = typeof value === 'string' && iso.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(time)) {
    throw new RedriveInputError(
      `${name} must be an ISO-8601 date or date-time such as 2024-05-01T10:00:00Z. Received ${render(value)}`,
    );
  }
  return new Date(time);
}

/** A value as the user wrote it, for error messages: strings quoted, NaN and Infinity by name. */
export function render(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `arn:...:stream/name/consumer/c:1` -> `arn:...:stream/name`: the stream an EFO consumer ARN belongs to. */
export function streamArnOf(arn: string): string {
  const at = arn.indexOf('/consumer/');
  return at >= 0 ? arn.slice(0, at) : arn;
}
