/**
 * The worlds the simulator replays a trace in. The ideal world shows the policy every minute's
 * metrics at once and resizes in a fixed 5 minutes. The realistic world is what the deployed
 * Lambda sees (issue 19):
 * - CloudWatch delivers a minute's stream metrics 1 to 3 minutes after it ends (configurable),
 *   a few datapoints never, and now and then not at all for a while (an outage: the minutes of
 *   it arrive when it ends);
 * - the scheduled run is sometimes skipped (EventBridge or Lambda hiccup);
 * - a resize keeps the stream UPDATING for longer the more shards it touches ("depending on the
 *   size of the stream, the scaling action could take a few minutes", UpdateShardCount API
 *   reference); calls made then fail with ResourceInUseException;
 * - producers retry throttled records (the SDKs retry 3 times by default), so
 *   WriteProvisionedThroughputExceeded counts the retries, and IncomingBytes/IncomingRecords
 *   show only what the shards accepted.
 * Every random draw comes from a seeded generator: the same trace gives the same result.
 */
import { seededRandom } from '../../packages/runtime/src/producer/sample-data';

export interface World {
  readonly name: string;
  /** Fewest and most minutes after a minute ends before its datapoints are visible. */
  readonly metricDelayMinutes: { readonly min: number; readonly max: number };
  /** Probability that a minute's datapoints never arrive. */
  readonly missingDatapointRate: number;
  /** Probability per minute that a metric outage starts... */
  readonly outageRate: number;
  /** ...lasting this many minutes (uniform); its minutes arrive when it ends. */
  readonly outageMinutes: { readonly min: number; readonly max: number };
  /** Probability that a scheduled run does not happen. */
  readonly missedTickRate: number;
  /** Minutes the stream stays UPDATING for a resize between these counts. */
  updateMinutes(from: number, to: number, random: () => number): number;
  /** Attempts per record a producer makes before it gives up (1 = no retry). */
  readonly producerAttempts: number;
  readonly seed: number;
}

/** Every datapoint at once, no gap, no missed run, a resize always takes 5 minutes. */
export const IDEAL_WORLD: World = {
  name: 'ideal',
  metricDelayMinutes: { min: 0, max: 0 },
  missingDatapointRate: 0,
  outageRate: 0,
  outageMinutes: { min: 0, max: 0 },
  missedTickRate: 0,
  updateMinutes: () => 5,
  producerAttempts: 1,
  seed: 1,
};

/**
 * UPDATING minutes in the realistic world: 5, plus one per 50 shards of the larger count, plus
 * one minute in three resizes. Never faster than the ideal world.
 */
export function realisticUpdateMinutes(from: number, to: number, random: () => number): number {
  return 5 + Math.floor(Math.max(from, to) / 50) + (random() < 1 / 3 ? 1 : 0);
}

export function realisticWorld(overrides: Partial<World> = {}): World {
  return {
    name: 'realistic',
    metricDelayMinutes: { min: 1, max: 3 },
    missingDatapointRate: 0.01,
    // About one outage a day, 5 to 30 minutes long.
    outageRate: 1 / 1440,
    outageMinutes: { min: 5, max: 30 },
    missedTickRate: 0.01,
    updateMinutes: realisticUpdateMinutes,
    producerAttempts: 4,
    seed: 7,
    ...overrides,
  };
}

/** Minute (from the start of the trace) at which each minute's datapoints become visible; Infinity = never. */
export function arrivalMinutes(world: World, minutes: number): Float64Array {
  const random = seededRandom(world.seed * 7919 + 17);
  const arrival = new Float64Array(minutes);
  let outageEnd = -1;
  for (let m = 0; m < minutes; m++) {
    if (m > outageEnd && random() < world.outageRate) {
      const { min, max } = world.outageMinutes;
      outageEnd = m + min + Math.floor(random() * (max - min + 1));
    }
    const { min, max } = world.metricDelayMinutes;
    const delay = min + Math.floor(random() * (max - min + 1));
    // Visible at the tick of minute m + 1 + delay (a minute's sums are complete when it ends).
    let at = m + 1 + delay;
    if (m <= outageEnd) at = Math.max(at, outageEnd + 1);
    arrival[m] = random() < world.missingDatapointRate ? Infinity : at;
  }
  return arrival;
}

/** Which scheduled runs happen. */
export function tickSchedule(world: World, minutes: number): Uint8Array {
  const random = seededRandom(world.seed * 104729 + 3);
  const runs = new Uint8Array(minutes);
  for (let m = 0; m < minutes; m++) runs[m] = random() < world.missedTickRate ? 0 : 1;
  return runs;
}
