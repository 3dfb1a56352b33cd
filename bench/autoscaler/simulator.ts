/**
 * Replays a per-minute traffic trace through a scaling policy under the rules of a provisioned
 * Kinesis stream, in a given world (world.ts):
 * - capacity per shard: 1,000 records/s and 1 MiB/s; demand above capacity is throttled and the
 *   scaler observes only the accepted part (capped at capacity) plus the rejected-record count;
 * - UpdateShardCount puts the stream in UPDATING (5 minutes in the ideal world, longer for large
 *   streams in the realistic one): calls made then are rejected (ResourceInUseException),
 *   capacity is min(old, new) and billing max(old, new);
 * - at most 10 accepted calls per rolling 24 hours (further calls are rejected with
 *   LimitExceededException), targets within [ceil(current/2), 2 × current];
 * - the policy runs at the start of each minute (unless the world skips the run) and sees the
 *   minutes whose datapoints have arrived; the others are `missing`.
 * The stream is created at minute 0 (a fresh deploy): there are no datapoints before it.
 */
import { type MinuteObservation, OBSERVATION_MINUTES } from '../../lambda/shard-scaler/decision';
import {
  MAX_CALLS_PER_24_HOURS,
  SHARD_BYTES_PER_SECOND,
  SHARD_RECORDS_PER_SECOND,
  type ScalingCall,
  callsInWindow,
} from '../../lambda/shard-scaler/limits';
import { missingMinute } from '../../lambda/shard-scaler/observations';
import { seededRandom } from '../../packages/runtime/src/producer/sample-data';
import { IDEAL_WORLD, type World, arrivalMinutes, tickSchedule } from './world';

/** UPDATING minutes of a resize in the ideal world (and the optimum's for small streams). */
export const UPDATE_MINUTES = 5;

export interface TraceMinute {
  readonly recordsPerSecond: number;
  readonly bytesPerSecond: number;
}

export interface PolicyContext {
  readonly now: number;
  readonly streamCreatedAt: number;
  readonly currentShards: number;
  readonly streamStatus: 'ACTIVE' | 'UPDATING';
  readonly observations: readonly MinuteObservation[];
  readonly history: readonly ScalingCall[];
}

/** Returns the shard count to request, or undefined to do nothing. */
export type Policy = (context: PolicyContext) => number | undefined;

export interface SimulationResult {
  readonly shardHours: number;
  readonly throttledMinutes: number;
  readonly calls: number;
  readonly rejectedCalls: number;
  /** The most accepted calls found in any rolling 24 hours. */
  readonly maxCallsIn24Hours: number;
}

/** Shards a minute of demand needs: max(1, ceil(MiB/s), ceil(records/s ÷ 1000)). */
export function shardsNeeded(minute: TraceMinute): number {
  return Math.max(
    1,
    Math.ceil(minute.bytesPerSecond / SHARD_BYTES_PER_SECOND),
    Math.ceil(minute.recordsPerSecond / SHARD_RECORDS_PER_SECOND),
  );
}

/** The lower bound: Σ over minutes of shardsNeeded ÷ 60. */
export function lowerBoundShardHours(trace: readonly TraceMinute[]): number {
  return trace.reduce((sum, minute) => sum + shardsNeeded(minute), 0) / 60;
}

export function simulate(
  trace: readonly TraceMinute[],
  policy: Policy,
  initialShards: number,
  world: World = IDEAL_WORLD,
  /** Called for each minute (for analysis): its capacity, billed shards and accepted share. */
  onMinute?: (minute: number, capacity: number, billed: number, accepted: number) => void,
): SimulationResult {
  const arrival = arrivalMinutes(world, trace.length);
  const runs = tickSchedule(world, trace.length);
  const updateRandom = seededRandom(world.seed * 31 + 5);
  let shards = initialShards;
  let pending: number | undefined;
  let updateEndsAt = -1;
  let shardMinutes = 0;
  let throttledMinutes = 0;
  let rejectedCalls = 0;
  let maxCallsIn24Hours = 0;
  const history: ScalingCall[] = [];
  // What CloudWatch shows: each minute missing until its datapoints arrive.
  const view: MinuteObservation[] = [];
  const arrivingAt: number[][] = Array.from({ length: trace.length + 1 }, () => []);
  const observed: MinuteObservation[] = [];

  for (let t = 0; t < trace.length; t++) {
    const now = t * 60_000;
    if (pending !== undefined && t >= updateEndsAt) {
      shards = pending;
      pending = undefined;
    }
    const updating = pending !== undefined;
    for (const m of arrivingAt[t]) view[m] = observed[m];
    if (runs[t]) {
      const observations = view.slice(Math.max(0, t - OBSERVATION_MINUTES), t);
      const wanted = policy({
        now,
        streamCreatedAt: 0,
        currentShards: shards,
        streamStatus: updating ? 'UPDATING' : 'ACTIVE',
        observations,
        history: callsInWindow(history, now),
      });
      if (wanted !== undefined && wanted !== shards) {
        const inWindow = callsInWindow(history, now).length;
        const valid =
          Number.isInteger(wanted) && wanted >= Math.ceil(shards / 2) && wanted <= shards * 2 && wanted >= 1;
        if (updating || inWindow >= MAX_CALLS_PER_24_HOURS || !valid) {
          rejectedCalls++;
        } else {
          history.push({ at: now, from: shards, to: wanted });
          pending = wanted;
          updateEndsAt = t + world.updateMinutes(shards, wanted, updateRandom);
          maxCallsIn24Hours = Math.max(maxCallsIn24Hours, inWindow + 1);
        }
      }
    }
    const capacity = pending !== undefined ? Math.min(shards, pending) : shards;
    shardMinutes += pending !== undefined ? Math.max(shards, pending) : shards;

    const demand = trace[t];
    const accepted = Math.min(
      1,
      (capacity * SHARD_RECORDS_PER_SECOND) / Math.max(demand.recordsPerSecond, 1e-9),
      (capacity * SHARD_BYTES_PER_SECOND) / Math.max(demand.bytesPerSecond, 1e-9),
    );
    if (accepted < 1) throttledMinutes++;
    onMinute?.(t, capacity, pending !== undefined ? Math.max(shards, pending) : shards, accepted);
    const rejectedRecords = demand.recordsPerSecond * 60 * (1 - accepted);
    observed[t] = {
      timestamp: now,
      incomingBytes: demand.bytesPerSecond * 60 * accepted,
      incomingRecords: demand.recordsPerSecond * 60 * accepted,
      // Producers retry rejected records; at least 1 so that a throttled minute always shows.
      throttledRecords: accepted < 1 ? Math.max(1, Math.round(rejectedRecords * world.producerAttempts)) : 0,
    };
    view[t] = missingMinute(now);
    // Arrival is at least t + 1: the next run can see it at the earliest.
    if (arrival[t] < trace.length) arrivingAt[arrival[t]].push(t);
  }
  return { shardHours: shardMinutes / 60, throttledMinutes, calls: history.length, rejectedCalls, maxCallsIn24Hours };
}
