/**
 * The seasonal view: yesterday's same hours as a forecast of the hours ahead (traffic with a daily
 * shape), and how long a lower shard count is expected to last.
 */
import { type MinuteObservation, demandInShards, percentile } from './demand';

/** Minutes of yesterday's demand ahead of the same time today that the seasonal forecast uses. */
export const SEASONAL_AHEAD_MINUTES = 120;
/** How far ahead (yesterday's same hours) the hold time of a scale-down is looked up. */
const HOLD_HORIZON_MINUTES = 6 * 60;
/** Hold time assumed for a scale-down while less than a day of observations is known. */
const DEFAULT_HOLD_HOURS = 3;

/** What the same hours yesterday say about the hours ahead. */
export interface SeasonalView {
  /** Yesterday's demand from this time of day on, scaled by today's level vs. yesterday's. */
  readonly ahead: readonly number[];
  /** 75th percentile of `ahead` over the next SEASONAL_AHEAD_MINUTES (ignores short spikes). */
  readonly level: number;
}

/**
 * Demand expected in the hours ahead from the same hours yesterday, scaled by how today's last
 * half hour compares with yesterday's: traffic with a daily shape is forecast hours ahead, so that
 * we neither scale down into the morning rise nor step up in many small calls. Undefined when
 * less than a day is known.
 */
export function seasonalView(
  observations: readonly MinuteObservation[],
  now: number,
  demands: readonly number[] = observations.map(demandInShards),
): SeasonalView | undefined {
  const dayAgo = now - 24 * 60 * 60_000;
  // Observations are in time order: find each range by binary search.
  const at = (time: number) => {
    let low = 0;
    let high = observations.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (observations[mid].timestamp < time) low = mid + 1;
      else high = mid;
    }
    return low;
  };
  const ahead = demands.slice(at(dayAgo), at(dayAgo + HOLD_HORIZON_MINUTES * 60_000));
  const before = demands.slice(at(dayAgo - 30 * 60_000), at(dayAgo));
  const recent = demands.slice(at(now - 30 * 60_000));
  if (ahead.length < SEASONAL_AHEAD_MINUTES * 0.8 || before.length < 20 || recent.length < 20) return undefined;
  const average = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const ratio = Math.min(1.5, Math.max(0.5, average(recent) / Math.max(1e-9, average(before))));
  const scaled = ahead.map((demand) => demand * ratio);
  return { ahead: scaled, level: percentile(scaled.slice(0, SEASONAL_AHEAD_MINUTES), 0.75) };
}

/** Hours a lower shard count is expected to last: until the seasonal demand passes its capacity. */
export function expectedHoldHours(seasonal: SeasonalView | undefined, capacity: number): number {
  if (!seasonal) return DEFAULT_HOLD_HOURS;
  // Sustained demand above capacity ends the hold: four 10-minute blocks in a row whose 90th
  // percentile is above it. Yesterday's spikes (shorter, at random times) do not.
  const block = 10;
  let above = 0;
  for (let start = 0; start < seasonal.ahead.length; start += block) {
    above = percentile(seasonal.ahead.slice(start, start + block), 0.9) > capacity ? above + 1 : 0;
    if (above === 4) return (start - 3 * block) / 60;
  }
  return seasonal.ahead.length / 60;
}
