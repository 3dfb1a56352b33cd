/**
 * Replays a per-minute traffic trace through a scaling policy under the rules of a provisioned
 * Kinesis stream:
 * - capacity per shard: 1,000 records/s and 1 MiB/s; demand above capacity is throttled and the
 *   scaler observes only the accepted part (capped at capacity) plus the rejected-record count;
 * - UpdateShardCount puts the stream in UPDATING for 5 minutes: calls made then are rejected
 *   (ResourceInUseException), capacity is min(old, new) and billing is max(old, new);
 * - at most 10 accepted calls per rolling 24 hours (further calls are rejected with
 *   LimitExceededException), targets within [ceil(current/2), 2 × current].
 */
import { type MinuteObservation, OBSERVATION_MINUTES } from '../../lambda/shard-scaler/decision';
import {
  MAX_CALLS_PER_24_HOURS,
  SHARD_BYTES_PER_SECOND,
  SHARD_RECORDS_PER_SECOND,
  type ScalingCall,
  callsInWindow,
} from '../../lambda/shard-scaler/limits';

export const UPDATE_MINUTES = 5;

export interface TraceMinute {
  readonly recordsPerSecond: number;
  readonly bytesPerSecond: number;
}

export interface PolicyContext {
  readonly now: number;
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

export function simulate(trace: readonly TraceMinute[], policy: Policy, initialShards: number): SimulationResult {
  let shards = initialShards;
  let pending: number | undefined;
  let updateEndsAt = -1;
  let shardMinutes = 0;
  let throttledMinutes = 0;
  let rejectedCalls = 0;
  let maxCallsIn24Hours = 0;
  const history: ScalingCall[] = [];
  const observations: MinuteObservation[] = [];

  for (let t = 0; t < trace.length; t++) {
    const now = t * 60_000;
    if (pending !== undefined && t >= updateEndsAt) {
      shards = pending;
      pending = undefined;
    }
    const updating = pending !== undefined;
    const wanted = policy({
      now,
      currentShards: shards,
      streamStatus: updating ? 'UPDATING' : 'ACTIVE',
      observations: observations.slice(-OBSERVATION_MINUTES),
      history: callsInWindow(history, now),
    });
    if (wanted !== undefined && wanted !== shards) {
      const inWindow = callsInWindow(history, now).length;
      const valid = Number.isInteger(wanted) && wanted >= Math.ceil(shards / 2) && wanted <= shards * 2 && wanted >= 1;
      if (updating || inWindow >= MAX_CALLS_PER_24_HOURS || !valid) {
        rejectedCalls++;
      } else {
        history.push({ at: now, from: shards, to: wanted });
        pending = wanted;
        updateEndsAt = t + UPDATE_MINUTES;
        maxCallsIn24Hours = Math.max(maxCallsIn24Hours, inWindow + 1);
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
    observations.push({
      timestamp: now,
      incomingBytes: demand.bytesPerSecond * 60 * accepted,
      incomingRecords: demand.recordsPerSecond * 60 * accepted,
      // A flag only (1 when throttled): in AWS the count includes producer retries.
      throttledRecords: accepted < 1 ? 1 : 0,
    });
    if (observations.length > OBSERVATION_MINUTES * 2) observations.splice(0, OBSERVATION_MINUTES);
  }
  return { shardHours: shardMinutes / 60, throttledMinutes, calls: history.length, rejectedCalls, maxCallsIn24Hours };
}
