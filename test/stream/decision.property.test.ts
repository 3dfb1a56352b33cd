/**
 * Invariants of the scaling policy for any observations, history and settings: the UpdateShardCount
 * limits hold for every single decision, and over whole simulated days the rolling budget holds
 * and no call is ever rejected.
 */
import fc from 'fast-check';
import {
  DEFAULT_SCALER_CONFIG,
  type MinuteObservation,
  type ScalerConfig,
  decideShardCount,
} from '../../lambda/shard-scaler/decision';
import { callsInWindow } from '../../lambda/shard-scaler/limits';
import { shardScalerPolicy } from '../../bench/autoscaler/policies';
import { type TraceMinute, simulate } from '../../bench/autoscaler/simulator';

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

const observationsArb: fc.Arbitrary<MinuteObservation[]> = fc
  .array(
    fc.record({
      shards: fc.double({ min: 0, max: 500, noNaN: true }),
      recordShare: fc.double({ min: 0, max: 2, noNaN: true }),
      throttled: fc.boolean(),
    }),
    { maxLength: 120 },
  )
  .map((minutes) =>
    minutes.map((m, i) => ({
      timestamp: NOW - (minutes.length - i) * MINUTE,
      incomingBytes: m.shards * 1024 * 1024 * 60,
      incomingRecords: m.shards * m.recordShare * 1000 * 60,
      throttledRecords: m.throttled ? 1 : 0,
    })),
  );

const historyArb = fc.array(
  fc.record({
    minutesAgo: fc.integer({ min: 0, max: 48 * 60 }),
    from: fc.integer({ min: 1, max: 500 }),
    to: fc.integer({ min: 1, max: 500 }),
  }),
  { maxLength: 14 },
);

describe('every decision keeps the UpdateShardCount limits', () => {
  test('target within [ceil(current/2), 2 x current] and [min, max]; no call when not ACTIVE or out of budget', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.integer({ min: 1, max: 600 }),
        observationsArb,
        historyArb,
        fc.constantFrom('ACTIVE', 'ACTIVE', 'UPDATING', 'CREATING'),
        (config, currentShards, observations, rawHistory, streamStatus) => {
          const history = rawHistory.map((h) => ({ at: NOW - h.minutesAgo * MINUTE, from: h.from, to: h.to }));
          const decision = decideShardCount({ now: NOW, currentShards, streamStatus, observations, history, config });
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
          // A scale-down never spends the last call.
          if (decision.action === 'scale-down' && inBounds) expect(config.maxCallsPer24Hours - used).toBeGreaterThan(1);
        },
      ),
      { numRuns: 400 },
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
      { numRuns: 12 },
    );
  });
});
