/** Options of the bounded exponential backoff used between retries of failed entries. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. @default 100 */
  readonly baseDelayInMillis?: number;
  /** Upper bound of one delay. @default 5000 */
  readonly maxDelayInMillis?: number;
  /** Attempts per entry, the first one included. @default 8 */
  readonly maxAttempts?: number;
  /** Time budget for one batch, retries included; entries still failing then are reported as unsent. @default 30000 */
  readonly maxRetryDurationInMillis?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  baseDelayInMillis: 100,
  maxDelayInMillis: 5000,
  maxAttempts: 8,
  maxRetryDurationInMillis: 30_000,
};

/**
 * "Full jitter" (AWS Architecture Blog, Exponential Backoff and Jitter): a uniform delay in
 * [0, min(max, base·2^retry)). Spreading retries randomly stops throttled producers from
 * retrying in lock step and throttling each other again.
 * @param retry 0 for the first retry
 * @param random a number in [0, 1)
 */
export function fullJitterDelay(retry: number, options: BackoffOptions = {}, random: number = Math.random()): number {
  const base = options.baseDelayInMillis ?? DEFAULT_BACKOFF.baseDelayInMillis;
  const max = options.maxDelayInMillis ?? DEFAULT_BACKOFF.maxDelayInMillis;
  const ceiling = Math.min(max, base * 2 ** Math.min(retry, 30));
  return Math.floor(ceiling * random);
}
