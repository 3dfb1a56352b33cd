import { checkInteger, checkTimestamp, REDRIVE_LIMITS, RedriveInputError, render } from './options';

/**
 * Direct invocation of the redrive function (console, CLI, Step Functions). A real replay
 * needs an explicit scope: `prefix`, `keys`, or a time range (`modifiedAfter`/`modifiedBefore`).
 */
export interface RedriveInvocation {
  /** Plan only: read and report, put nothing. Must be a boolean. @default false */
  readonly dryRun?: boolean;
  /**
   * Key prefix in the failure bucket to replay, e.g. `quarantine/` or `aws/lambda/`; `''` is
   * the whole bucket, said explicitly. Not with `keys`.
   * @default - the function's REDRIVE_SOURCE_PREFIX, for a dry run or a time range only
   */
  readonly prefix?: string;
  /** Exact keys to replay (1 to 1000), instead of a prefix. */
  readonly keys?: string[];
  /** Only objects written at or after this ISO-8601 time. */
  readonly modifiedAfter?: string;
  /** Only objects written before this ISO-8601 time. */
  readonly modifiedBefore?: string;
  /** Objects to read at most, 1 to 100000. @default 1000 */
  readonly maxObjects?: number;
  /** Go on after this key: the `nextStartAfter` of the previous run. Not with `keys`. @default - from the first key */
  readonly startAfter?: string;
  /** Records claimed, put and marked at a time, 1 to 500. @default 100 */
  readonly batchSize?: number;
}

/** The invocation, checked: dates parsed. */
export interface CheckedInvocation {
  readonly dryRun: boolean;
  readonly prefix?: string;
  readonly keys?: string[];
  readonly modifiedAfter?: Date;
  readonly modifiedBefore?: Date;
  readonly maxObjects?: number;
  readonly startAfter?: string;
  readonly batchSize?: number;
}

const FIELDS = [
  'dryRun',
  'prefix',
  'keys',
  'modifiedAfter',
  'modifiedBefore',
  'maxObjects',
  'startAfter',
  'batchSize',
] as const;

/**
 * Checks a direct invocation payload; anything that is not exactly one (a console test event,
 * an S3 notification, a string, a misspelt field, `"dryRun": "true"`) is an error, so that
 * nothing is replayed by accident.
 */
export function checkInvocation(event: unknown, options: { readonly ledgerPrefix?: string } = {}): CheckedInvocation {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new RedriveInputError(
      `the redrive function takes an SQS or SNS event of failure messages, or an object with ${FIELDS.join(', ')}. Received ${render(event)}`,
    );
  }
  const e = event as Record<string, unknown>;
  const unknown = Object.keys(e).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new RedriveInputError(
      `the redrive invocation has unknown fields ${unknown.join(', ')} (an event of another source?); allowed: ${FIELDS.join(', ')}`,
    );
  }
  if (e.dryRun !== undefined && typeof e.dryRun !== 'boolean') {
    throw new RedriveInputError(`dryRun must be a boolean. Received ${render(e.dryRun)}`);
  }
  const dryRun = e.dryRun === true;
  for (const field of ['prefix', 'startAfter'] as const) {
    if (e[field] !== undefined && typeof e[field] !== 'string') {
      throw new RedriveInputError(`${field} must be a string. Received ${render(e[field])}`);
    }
  }
  let keys: string[] | undefined;
  if (e.keys !== undefined) {
    if (
      !Array.isArray(e.keys) ||
      e.keys.length < REDRIVE_LIMITS.keys.min ||
      e.keys.length > REDRIVE_LIMITS.keys.max ||
      !e.keys.every((k) => typeof k === 'string' && k !== '')
    ) {
      throw new RedriveInputError(
        `keys must be a list of ${REDRIVE_LIMITS.keys.min} to ${REDRIVE_LIMITS.keys.max} non-empty object keys. Received ${render(e.keys)}`,
      );
    }
    keys = e.keys as string[];
    const ledger = options.ledgerPrefix && keys.find((k) => k.startsWith(options.ledgerPrefix!));
    if (ledger) throw new RedriveInputError(`keys must not name ledger markers. Received ${render(ledger)}`);
    for (const field of ['prefix', 'startAfter', 'modifiedAfter', 'modifiedBefore'] as const) {
      if (e[field] !== undefined) throw new RedriveInputError(`give keys or ${field}, not both`);
    }
  }
  const modifiedAfter = e.modifiedAfter !== undefined ? checkTimestamp('modifiedAfter', e.modifiedAfter) : undefined;
  const modifiedBefore =
    e.modifiedBefore !== undefined ? checkTimestamp('modifiedBefore', e.modifiedBefore) : undefined;
  if (modifiedAfter && modifiedBefore && modifiedAfter >= modifiedBefore) {
    throw new RedriveInputError(
      `modifiedAfter must be before modifiedBefore. Received ${render(e.modifiedAfter)} and ${render(e.modifiedBefore)}`,
    );
  }
  const scoped =
    e.prefix !== undefined || keys !== undefined || modifiedAfter !== undefined || modifiedBefore !== undefined;
  if (!dryRun && !scoped) {
    throw new RedriveInputError(
      'a replay needs an explicit scope: prefix, keys, or modifiedAfter/modifiedBefore (or dryRun: true to look first). Received none',
    );
  }
  return {
    dryRun,
    ...(e.prefix !== undefined ? { prefix: e.prefix as string } : {}),
    ...(keys ? { keys } : {}),
    ...(modifiedAfter ? { modifiedAfter } : {}),
    ...(modifiedBefore ? { modifiedBefore } : {}),
    ...(e.maxObjects !== undefined
      ? { maxObjects: checkInteger('maxObjects', e.maxObjects, REDRIVE_LIMITS.maxObjects) }
      : {}),
    ...(e.startAfter !== undefined ? { startAfter: e.startAfter as string } : {}),
    ...(e.batchSize !== undefined
      ? { batchSize: checkInteger('batchSize', e.batchSize, REDRIVE_LIMITS.batchSize) }
      : {}),
  };
}
