/**
 * How few throttled minutes any scaler can reach at a given cost when it learns of demand late:
 * the best of the "headroom over the recent peak" policies, capacity(t) = ceil(h × the highest
 * demand of [t − lag − window, t − lag]), over a grid of h and window, with UNLIMITED calls, no
 * ½×–2× rule and no UPDATING window of its own. Demand of minute m can shape capacity no earlier
 * than m + lag: in the realistic world lag = 1 (the minute ends) + 1 (the shortest metric delay)
 * + 5 (the shortest resize) = 7; in the ideal world 6.
 *
 * Not a proof for every conceivable policy, but these policies are strictly better placed than
 * the real scaler (which also has the call budget, the 2× rule and longer delays), so a goal
 * below this bound is out of reach for it.
 */
import { SHARD_BYTES_PER_SECOND, SHARD_RECORDS_PER_SECOND } from '../../lambda/shard-scaler/limits';
import { type TraceMinute, lowerBoundShardHours, shardsNeeded } from './simulator';

export interface BoundPoint {
  readonly ratio: number;
  readonly throttledMinutes: number;
  readonly headroom: number;
  readonly windowMinutes: number;
}

const WINDOWS = [10, 20, 30, 60, 120, 240, 480, 1440];

/** The fewest throttled minutes at shard-hours ÷ lower bound ≤ maxRatio (undefined if none). */
export function delayedInformationBound(
  trace: readonly TraceMinute[],
  lagMinutes: number,
  maxRatio: number,
): BoundPoint | undefined {
  const need = trace.map(shardsNeeded);
  const demand = trace.map((m) =>
    Math.max(m.bytesPerSecond / SHARD_BYTES_PER_SECOND, m.recordsPerSecond / SHARD_RECORDS_PER_SECOND),
  );
  const lowerBound = lowerBoundShardHours(trace);
  let best: BoundPoint | undefined;
  for (const windowMinutes of WINDOWS) {
    // Sliding maximum of demand over [t − lag − window, t − lag].
    const peak = new Float64Array(trace.length);
    const deque: number[] = [];
    let head = 0;
    for (let t = 0; t < trace.length; t++) {
      const newest = t - lagMinutes;
      if (newest >= 0) {
        while (deque.length > head && demand[deque[deque.length - 1]] <= demand[newest]) deque.pop();
        deque.push(newest);
      }
      while (deque.length > head && deque[head] < t - lagMinutes - windowMinutes) head++;
      peak[t] = deque.length > head ? demand[deque[head]] : demand[0];
    }
    for (let headroom = 1; headroom <= 3.0001; headroom += 0.02) {
      let shardMinutes = 0;
      let throttledMinutes = 0;
      for (let t = 0; t < trace.length; t++) {
        const capacity = Math.max(1, Math.ceil(headroom * peak[t] - 1e-9));
        shardMinutes += capacity;
        if (need[t] > capacity) throttledMinutes++;
      }
      const ratio = shardMinutes / 60 / lowerBound;
      if (ratio <= maxRatio && (!best || throttledMinutes < best.throttledMinutes)) {
        best = { ratio, throttledMinutes, headroom, windowMinutes };
      }
    }
  }
  return best;
}
