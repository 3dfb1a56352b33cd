/**
 * What the policy reads from the per-minute observations: demand in shards, its trend, how often
 * it came back above a level, and how long its excursions lasted. Pure functions of plain data.
 */
import { SHARD_BYTES_PER_SECOND, SHARD_RECORDS_PER_SECOND } from './limits';

/** CloudWatch per-minute stream metrics (Sum over the minute). */
export interface MinuteObservation {
  /** Start of the minute, epoch milliseconds. */
  readonly timestamp: number;
  readonly incomingBytes: number;
  readonly incomingRecords: number;
  /** WriteProvisionedThroughputExceeded (Sum): records rejected for throughput. */
  readonly throttledRecords: number;
  /**
   * No datapoint arrived for this minute (yet): its demand is unknown, not zero. The other fields
   * are 0 and must not be read as traffic.
   */
  readonly missing?: boolean;
}

/** Demand of one minute in shards (fractional): the larger of the byte and the record need. */
export function demandInShards(observation: MinuteObservation): number {
  const bytesPerSecond = observation.incomingBytes / 60;
  const recordsPerSecond = observation.incomingRecords / 60;
  return Math.max(bytesPerSecond / SHARD_BYTES_PER_SECOND, recordsPerSecond / SHARD_RECORDS_PER_SECOND);
}

/** Least-squares slope (per minute) of evenly spaced samples. */
export function slopePerMinute(values: readonly number[]): number {
  const n = values.length;
  if (n < 3) return 0;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return num / den;
}

/**
 * How many times demand came back above `level` after having dropped well below it (to 70% or
 * less, at least `gapMinutes` after it was last above): the bursts a scale-down to `level` would
 * have to answer with a scale-up call and minutes of throttling. Noise around the level does not
 * count.
 */
export function returnsAbove(
  demands: readonly number[],
  level: number,
  gapMinutes = 15,
  throttled?: readonly boolean[],
): number {
  let returns = 0;
  let sinceAbove = Infinity;
  let wentLow = false;
  for (let i = 0; i < demands.length; i++) {
    const demand = demands[i];
    // A throttled minute shows only what the shards accepted: demand was higher than it shows,
    // so one that reached 90% of the level counts as above it.
    if (demand > level || (throttled?.[i] && demand >= level * 0.9)) {
      if (wentLow) returns++;
      wentLow = false;
      sinceAbove = 0;
    } else {
      sinceAbove++;
      if (demand <= level * 0.7 && sinceAbove >= gapMinutes) wentLow = true;
    }
  }
  return returns;
}

/**
 * Durations (minutes) of the past excursions of demand: runs of minutes that were throttled or
 * well above the running level (an average that only follows non-excursion minutes). Short
 * excursions (e.g. 5-minute spikes) end before a resize could help, so they are not chased.
 */
export function excursionDurations(
  observations: readonly MinuteObservation[],
  demands: readonly number[] = observations.map(demandInShards),
): number[] {
  const durations: number[] = [];
  let level: number | undefined;
  let run = 0;
  for (let i = 0; i < observations.length; i++) {
    const o = observations[i];
    const demand = demands[i];
    const high = o.throttledRecords > 0 || (level !== undefined && demand > level * 1.3);
    if (high) {
      run++;
    } else {
      if (run > 0) durations.push(run);
      run = 0;
      level = level === undefined ? demand : level + 0.1 * (demand - level);
    }
  }
  return durations;
}

/**
 * How long excursions of demand usually last (75th percentile, minutes) over the given
 * observations, counting only those of at least `minMinutes` (shorter ones are noise); undefined
 * while fewer than two are known.
 */
export function typicalExcursionMinutes(
  observations: readonly MinuteObservation[],
  minMinutes = 5,
  demands?: readonly number[],
): number | undefined {
  const durations = excursionDurations(observations, demands).filter((d) => d >= minMinutes);
  return durations.length >= 2 ? percentile(durations, 0.75) : undefined;
}

/** Minutes the latest minutes in a row were throttled. */
export function currentThrottleRun(observations: readonly MinuteObservation[]): number {
  let run = 0;
  for (let i = observations.length - 1; i >= 0 && observations[i].throttledRecords > 0; i--) run++;
  return run;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
