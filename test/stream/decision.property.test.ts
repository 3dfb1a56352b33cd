/**
 * Invariants of the scaling policy for any observations (also late, missing and in outages),
 * history and settings: the UpdateShardCount limits hold for every single decision, no scale-down
 * rests on absent data, and over whole simulated days (ideal and realistic world) the rolling
 * budget holds and no call is ever rejected.
 */
import fc from 'fast-check';
import {
  DEFAULT_SCALER_CONFIG,
  IDLE_MINUTES,
  MAX_DATA_AGE_MINUTES,
  MIN_KNOWN_SHARE,
  type MinuteObservation,
  type ScalerConfig,
  decideShardCount,
} from '../../lambda/shard-scaler/decision';
import { missingMinute } from '../../lambda/shard-scaler/observations';
import { callsInWindow } from '../../lambda/shard-scaler/limits';
import { shardScalerPolicy } from '../../bench/autoscaler/policies';
import { type TraceMinute, simulate } from '../../bench/autoscaler/simulator';
import { realisticWorld } from '../../bench/autoscaler/world';

const NOW = Date.UTC(2026, 0, 10);
const MINUTE = 60_000;

const configArb: fc.Arbitrary<ScalerConfig> = fc
  .record({
    minShards: fc.integer({ min: 1, max: 50 }),
    span: fc.integer({ min: 0, max: 200 }),
    targetUtilization: fc.double({ min: 0.1, max: 1, noNaN: true }),
    reservedScaleUpCalls: fc.integer({ min: 0, max: 9 }),
    maxCallsPer24Hours: fc.integer({ min: 1, max: 10 }),
  })
  .map(({ minShards, span, targetUtilization, reservedScaleUpCalls, maxCallsPer24Hours }) => ({
    ...DEFAULT_SCALER_CONFIG,
    minShards,
    maxShards: minShards + span,
    targetUtilization,
    scaleUpUtilization: Math.max(targetUtilization, 0.95),
    reservedScaleUpCalls: Math.min(reservedScaleUpCalls, maxCallsPer24Hours - 1),
    maxCallsPer24Hours,
  }));

/**
 * Minutes as the Lambda sees them: some datapoints missing (never arrived), the latest 0 to 3
 * minutes still on their way, sometimes an outage of up to 90 minutes.
 */
const observationsArb: fc.Arbitrary<MinuteObservation[]> = fc
  .record({
    minutes: fc.array(
      fc.record({
        shards: fc.double({ min: 0, max: 500, noNaN: true }),
        recordShare: fc.double({ min: 0, max: 2, noNaN: true }),
        throttled: fc.boolean(),
        missing: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      }),
      { maxLength: 120 },
    ),
    delay: fc.integer({ min: 0, max: 3 }),
    outage: fc.option(fc.record({ start: fc.nat(120), length: fc.integer({ min: 1, max: 90 }) })),
  })
  .map(({ minutes, delay, outage }) =>
    minutes.map((m, i) => {
      const timestamp = NOW - (minutes.length - i) * MINUTE;
      const inOutage = outage !== null && i >= outage.start && i < outage.start + outage.length;
      if (m.missing || inOutage || i >= minutes.length - delay) return missingMinute(timestamp);
      return {
        timestamp,
        incomingBytes: m.shards * 1024 * 1024 * 60,
        incomingRecords: m.shards * m.recordShare * 1000 * 60,
        throttledRecords: m.throttled ? 1 : 0,
      };
    }),
  );

/** Stream created this many minutes before NOW (or unknown). */
const createdArb = fc.option(fc.integer({ min: 0, max: 48 * 60 }));

const historyArb = fc.array(
  fc.record({
    minutesAgo: fc.integer({ min: 0, max: 48 * 60 }),
    from: fc.integer({ min: 1, max: 500 }),
    to: fc.integer({ min: 1, max: 500 }),
  }),
  { maxLength: 14 },
);

describe('every decision keeps the UpdateShardCount limits', () => {
  test('target within [ceil(current/2), 2 x current] and [min, max]; no call when not ACTIVE or out of budget; no scale-down on absent data', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.integer({ min: 1, max: 600 }),
        observationsArb,
        historyArb,
        fc.constantFrom('ACTIVE', 'ACTIVE', 'UPDATING', 'CREATING'),
        createdArb,
        (config, currentShards, observations, rawHistory, streamStatus, createdMinutesAgo) => {
          const history = rawHistory.map((h) => ({ at: NOW - h.minutesAgo * MINUTE, from: h.from, to: h.to }));
          const streamCreatedAt = createdMinutesAgo === null ? undefined : NOW - createdMinutesAgo * MINUTE;
          const decision = decideShardCount({
            now: NOW,
            streamCreatedAt,
            currentShards,
            streamStatus,
            observations,
            history,
            config,
          });
          const used = callsInWindow(history, NOW).length;
          if (decision.action === 'none') {
            expect(decision.to).toBe(currentShards);
            return;
          }
          expect(streamStatus).toBe('ACTIVE');
          expect(used).toBeLessThan(config.maxCallsPer24Hours);
          expect(Number.isInteger(decision.to)).toBe(true);
          expect(decision.to).not.toBe(currentShards);
          expect(decision.to).toBeLessThanOrEqual(2 * currentShards);
          expect(decision.to).toBeGreaterThanOrEqual(Math.ceil(currentShards / 2));
          expect(decision.action).toBe(decision.to > currentShards ? 'scale-up' : 'scale-down');
          const inBounds = currentShards >= config.minShards && currentShards <= config.maxShards;
          if (inBounds) {
            expect(decision.to).toBeGreaterThanOrEqual(config.minShards);
            expect(decision.to).toBeLessThanOrEqual(config.maxShards);
          } else {
            // Out of bounds it moves into them, or as close as one call allows.
            const nearest = Math.min(config.maxShards, Math.max(config.minShards, currentShards));
            const inside = decision.to >= config.minShards && decision.to <= config.maxShards;
            if (!inside) expect(Math.abs(decision.to - nearest)).toBeLessThan(Math.abs(currentShards - nearest));
          }
          if (decision.action === 'scale-down' && inBounds) {
            // A scale-down never spends the last call.
            expect(config.maxCallsPer24Hours - used).toBeGreaterThan(1);
            // Never on absent data: fresh datapoints for most of the window, or an idle stream.
            const known = observations.filter((o) => !o.missing);
            const latest = known.length > 0 ? known[known.length - 1].timestamp : -Infinity;
            const windowStart = latest - (config.scaleDownWindowMinutes - 1) * MINUTE;
            const fresh =
              latest >= NOW - MAX_DATA_AGE_MINUTES * MINUTE &&
              known.filter((o) => o.timestamp >= windowStart).length >=
                Math.ceil(MIN_KNOWN_SHARE * config.scaleDownWindowMinutes);
            const quiet = latest < NOW - IDLE_MINUTES * MINUTE;
            const existed =
              streamCreatedAt !== undefined ? streamCreatedAt <= NOW - IDLE_MINUTES * MINUTE : latest > -Infinity;
            expect(fresh || (quiet && existed)).toBe(true);
          }
        },
      ),
      { numRuns: 400, seed: 11 },
    );
  });
});

describe('over simulated days', () => {
  const segmentArb = fc.record({
    minutes: fc.integer({ min: 5, max: 240 }),
    recordsPerSecond: fc.double({ min: 0, max: 30_000, noNaN: true }),
    bytesPerRecord: fc.integer({ min: 50, max: 5000 }),
  });

  test('never more than 10 calls in any rolling 24 h and never a rejected call', () => {
    fc.assert(
      fc.property(
        fc.array(segmentArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 20 }),
        (segments, start) => {
          const trace: TraceMinute[] = [];
          for (const s of segments) {
            for (let i = 0; i < s.minutes && trace.length < 2 * 1440; i++) {
              trace.push({
                recordsPerSecond: s.recordsPerSecond,
                bytesPerSecond: s.recordsPerSecond * s.bytesPerRecord,
              });
            }
          }
          const result = simulate(trace, shardScalerPolicy(), start);
          expect(result.rejectedCalls).toBe(0);
          expect(result.maxCallsIn24Hours).toBeLessThanOrEqual(10);
        },
      ),
      { numRuns: 12, seed: 12 },
    );
  });

  test('the same in the realistic world: late and missing datapoints, missed runs, slow resizes', () => {
    fc.assert(
      fc.property(
        fc.array(segmentArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 1000 }),
        (segments, start, seed) => {
          const trace: TraceMinute[] = [];
          for (const s of segments) {
            for (let i = 0; i < s.minutes && trace.length < 2 * 1440; i++) {
              trace.push({
                recordsPerSecond: s.recordsPerSecond,
                bytesPerSecond: s.recordsPerSecond * s.bytesPerRecord,
              });
            }
          }
          // Harsher than the benchmark's world: more gaps and outages.
          const world = realisticWorld({ seed, missingDatapointRate: 0.05, outageRate: 1 / 240, missedTickRate: 0.05 });
          const result = simulate(trace, shardScalerPolicy(), start, world);
          expect(result.rejectedCalls).toBe(0);
          expect(result.maxCallsIn24Hours).toBeLessThanOrEqual(10);
        },
      ),
      { numRuns: 8, seed: 19 },
    );
  });
});
