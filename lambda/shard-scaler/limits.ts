/**
 * The UpdateShardCount limits, as plain functions. Kept apart from the policy so that both the
 * decision and the tests state the same rules.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html
 */

/** AWS allows at most this many UpdateShardCount calls per stream in a rolling 24 hours. */
export const MAX_CALLS_PER_24_HOURS = 10;
export const ROLLING_WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * How far after `now` a recorded call may lie and still count: the clocks of the hosts that ran
 * successive ticks disagree a little. An entry further ahead is corrupt, not a call.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** Hard ceiling of shards per stream (UpdateShardCount). */
export const MAX_SHARDS_PER_STREAM = 10_000;
/** Write capacity of one shard. */
export const SHARD_BYTES_PER_SECOND = 1024 * 1024;
export const SHARD_RECORDS_PER_SECOND = 1000;

/** One successful (or attempted and possibly successful) UpdateShardCount call. */
export interface ScalingCall {
  /** When the call was made, epoch milliseconds. */
  readonly at: number;
  readonly from: number;
  readonly to: number;
}

/**
 * The calls that still count against the rolling 24-hour budget at `now`. A call stamped a little
 * after `now` (by a host whose clock runs ahead) counts too: the safe side.
 */
export function callsInWindow(calls: readonly ScalingCall[], now: number): ScalingCall[] {
  return calls.filter((call) => call.at > now - ROLLING_WINDOW_MS && call.at <= now + MAX_CLOCK_SKEW_MS);
}

/** The shard counts UpdateShardCount accepts from `current`, intersected with [min, max]. */
export function allowedRange(current: number, minShards: number, maxShards: number): { low: number; high: number } {
  const low = Math.max(Math.ceil(current / 2), minShards, 1);
  const high = Math.min(current * 2, maxShards, MAX_SHARDS_PER_STREAM);
  // When current is outside [min, max] by more than a factor 2, move as far as one call allows.
  if (low > high) return current < minShards ? { low: high, high } : { low, high: low };
  return { low, high };
}

/** Clamps a wished-for shard count into what one call may request. */
export function clampTarget(wanted: number, current: number, minShards: number, maxShards: number): number {
  const { low, high } = allowedRange(current, minShards, maxShards);
  return Math.min(high, Math.max(low, Math.round(wanted)));
}
