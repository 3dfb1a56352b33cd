/**
 * The offline optimum: the cheapest shard schedule with zero throttled minutes for a trace known
 * in advance, under the same rules as the simulator (5-minute UPDATING at capacity min(old, new)
 * and billing max(old, new), targets within [ceil(s/2), 2s], at most 10 calls per rolling 24 h).
 *
 * A dynamic program over (minute, shards) finds the cheapest schedule when each call costs a
 * price λ(t) in shard-minutes; the rolling call budget enters through Lagrange multipliers (see
 * offlineOptimum). The result is the cheapest feasible schedule found: an upper bound on the true
 * optimum, close to it in practice.
 */
import { MAX_CALLS_PER_24_HOURS } from '../../lambda/shard-scaler/limits';
import { type SimulationResult, type TraceMinute, UPDATE_MINUTES, shardsNeeded } from './simulator';

const DAY_MINUTES = 24 * 60;
const ROUNDS = 60;
/** Subgradient step sizes tried; the best feasible schedule of all is kept. */
const STEPS = [0.3, 0.5, 1];

export interface Schedule {
  readonly shardMinutes: number;
  readonly callMinutes: number[];
  /** [minute, from, to] of each call. */
  readonly calls: Array<[number, number, number]>;
}

function solve(
  need: Int32Array,
  maxShards: number,
  initialShards: number,
  price: Float64Array,
  updateMinutes: number,
): Schedule {
  const T = need.length;
  const U = updateMinutes;
  const width = maxShards + 1;
  // Highest need over the UPDATING window that starts at t.
  const windowNeed = new Int32Array(T);
  for (let t = 0; t < T; t++) {
    let peak = 0;
    for (let k = t; k < Math.min(T, t + U); k++) peak = Math.max(peak, need[k]);
    windowNeed[t] = peak;
  }
  const value = new Float64Array((T + 1) * width).fill(Infinity);
  const choice = new Int32Array(T * width).fill(-1);
  for (let s = 1; s <= maxShards; s++) value[T * width + s] = 0;
  // Sliding-window minima over the next counts a call may target (monotone deques): for a
  // scale-down the cost is U·s + V(next), for a scale-up U·next + V(next).
  const down = new Int32Array(width);
  const up = new Int32Array(width);
  for (let t = T - 1; t >= 0; t--) {
    const row = t * width;
    const next = (t + 1) * width;
    const canCall = t + U <= T;
    const after = (t + U) * width;
    const w = windowNeed[t];
    let downHead = 0;
    let downTail = 0;
    let upHead = 0;
    let upTail = 0;
    let upPushed = 0;
    for (let s = 1; s <= maxShards; s++) {
      let best = need[t] <= s ? s + value[next + s] : Infinity;
      let bestChoice = -1;
      if (canCall) {
        // Scale-down targets [max(w, ceil(s/2)), s - 1].
        if (s - 1 >= 1) {
          const k = s - 1;
          while (downTail > downHead && value[after + down[downTail - 1]] >= value[after + k]) downTail--;
          down[downTail++] = k;
        }
        const downLow = Math.max(w, Math.ceil(s / 2));
        while (downTail > downHead && down[downHead] < downLow) downHead++;
        // Scale-up targets [max(w, s + 1), min(maxShards, 2s)].
        const upHigh = Math.min(maxShards, 2 * s);
        while (upPushed < upHigh) {
          const k = ++upPushed;
          const cost = U * k + value[after + k];
          while (upTail > upHead && U * up[upTail - 1] + value[after + up[upTail - 1]] >= cost) upTail--;
          up[upTail++] = k;
        }
        const upLow = Math.max(w, s + 1);
        while (upTail > upHead && up[upHead] < upLow) upHead++;
        if (w <= s) {
          if (downTail > downHead) {
            const k = down[downHead];
            const cost = U * s + price[t] + value[after + k];
            if (cost < best) {
              best = cost;
              bestChoice = k;
            }
          }
          if (upTail > upHead) {
            const k = up[upHead];
            const cost = U * k + price[t] + value[after + k];
            if (cost < best) {
              best = cost;
              bestChoice = k;
            }
          }
        }
      }
      value[row + s] = best;
      choice[row + s] = bestChoice;
    }
  }
  let s = initialShards;
  let shardMinutes = 0;
  const callMinutes: number[] = [];
  const calls: Array<[number, number, number]> = [];
  for (let t = 0; t < T;) {
    const target = choice[t * width + s];
    if (target < 0) {
      shardMinutes += s;
      t++;
    } else {
      shardMinutes += U * Math.max(s, target);
      callMinutes.push(t);
      calls.push([t, s, target]);
      s = target;
      t += U;
    }
  }
  return { shardMinutes, callMinutes, calls };
}

function windowsOverBudget(callMinutes: readonly number[]): Array<[number, number]> {
  const over: Array<[number, number]> = [];
  for (let i = MAX_CALLS_PER_24_HOURS; i < callMinutes.length; i++) {
    const first = callMinutes[i - MAX_CALLS_PER_24_HOURS];
    if (callMinutes[i] - first < DAY_MINUTES) over.push([first, callMinutes[i]]);
  }
  return over;
}

function maxCallsInAnyDay(callMinutes: readonly number[]): number {
  let best = 0;
  let first = 0;
  for (let i = 0; i < callMinutes.length; i++) {
    while (callMinutes[i] - callMinutes[first] >= DAY_MINUTES) first++;
    best = Math.max(best, i - first + 1);
  }
  return best;
}

/**
 * Lagrangian relaxation of the rolling budget: a multiplier μ(w) ≥ 0 per 24-hour window w, a call
 * at minute t costs Σ μ(w) over the windows that contain t. Subgradient steps raise μ where a
 * window holds more than 10 calls and lower it where it holds fewer; the cheapest feasible
 * schedule seen is kept.
 */
export function offlineOptimum(
  trace: readonly TraceMinute[],
  initialShards: number,
  updateMinutes = UPDATE_MINUTES,
): SimulationResult {
  const best = offlineOptimalSchedule(trace, initialShards, updateMinutes);
  return {
    shardHours: best.shardMinutes / 60,
    throttledMinutes: 0,
    calls: best.callMinutes.length,
    rejectedCalls: 0,
    maxCallsIn24Hours: maxCallsInAnyDay(best.callMinutes),
  };
}

/** The cheapest feasible schedule found, over a few subgradient step sizes. */
export function offlineOptimalSchedule(
  trace: readonly TraceMinute[],
  initialShards: number,
  updateMinutes = UPDATE_MINUTES,
): Schedule {
  let best: Schedule | undefined;
  for (const step of STEPS) {
    const schedule = lagrangianSchedule(trace, initialShards, step, updateMinutes);
    if (schedule && (!best || schedule.shardMinutes < best.shardMinutes)) best = schedule;
  }
  if (!best) throw new Error('offline optimum: the call budget could not be met');
  return best;
}

function lagrangianSchedule(
  trace: readonly TraceMinute[],
  initialShards: number,
  baseStep: number,
  updateMinutes: number,
): Schedule | undefined {
  const need = Int32Array.from(trace.map(shardsNeeded));
  const maxShards = Math.max(initialShards, ...need);
  const start = Math.max(initialShards, need[0]);
  const T = trace.length;
  const multipliers = new Float64Array(T).fill(0);
  const price = new Float64Array(T);
  let best: Schedule | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    // price[t] = small base price + Σ μ(w) for windows w starting in (t - DAY, t].
    let running = 0;
    for (let t = 0; t < T; t++) {
      running += multipliers[t];
      if (t - DAY_MINUTES >= 0) running -= multipliers[t - DAY_MINUTES];
      price[t] = 1 + running;
    }
    const schedule = solve(need, maxShards, start, price, updateMinutes);
    const feasible = windowsOverBudget(schedule.callMinutes).length === 0;
    if (feasible && (!best || schedule.shardMinutes < best.shardMinutes)) best = schedule;
    // Calls per window starting at w: count of call minutes in [w, w + DAY).
    const counts = new Int32Array(T);
    let j = 0;
    let k = 0;
    for (let w = 0; w < T; w++) {
      while (j < schedule.callMinutes.length && schedule.callMinutes[j] < w) j++;
      while (k < schedule.callMinutes.length && schedule.callMinutes[k] < w + DAY_MINUTES) k++;
      counts[w] = k - j;
    }
    const step = baseStep / Math.sqrt(round + 1);
    for (let w = 0; w < T; w++) {
      multipliers[w] = Math.max(0, multipliers[w] + step * (counts[w] - MAX_CALLS_PER_24_HOURS));
    }
  }
  return best;
}
