import {
  DEFAULT_SCALER_CONFIG,
  type DecisionInput,
  type MinuteObservation,
  type ScalerConfig,
  decideShardCount,
  demandInShards,
  excursionDurations,
  returnsAbove,
  seasonalView,
  typicalExcursionMinutes,
} from '../../lambda/shard-scaler/decision';
import { allowedRange, callsInWindow, clampTarget } from '../../lambda/shard-scaler/limits';

const MiB = 1024 * 1024;
const NOW = Date.UTC(2026, 0, 10, 12, 0);
const MINUTE = 60_000;

/** `count` minutes ending just before NOW, demand in shards of bytes per minute from `shape`. */
function observations(count: number, shape: (minutesAgo: number) => number, throttled = new Set<number>()) {
  return Array.from({ length: count }, (_, i): MinuteObservation => {
    const minutesAgo = count - i;
    return {
      timestamp: NOW - minutesAgo * MINUTE,
      incomingBytes: shape(minutesAgo) * MiB * 60,
      incomingRecords: 10 * 60,
      throttledRecords: throttled.has(minutesAgo) ? 100 : 0,
    };
  });
}

function decide(overrides: Omit<Partial<DecisionInput>, 'config'> & { config?: Partial<ScalerConfig> }) {
  return decideShardCount({
    now: NOW,
    currentShards: 4,
    streamStatus: 'ACTIVE',
    observations: observations(60, () => 2),
    history: [],
    ...overrides,
    config: { ...DEFAULT_SCALER_CONFIG, maxShards: 1000, ...overrides.config },
  });
}

describe('demandInShards', () => {
  test('is the larger of the byte and the record need', () => {
    expect(
      demandInShards({ timestamp: 0, incomingBytes: 3 * MiB * 60, incomingRecords: 60, throttledRecords: 0 }),
    ).toBe(3);
    expect(demandInShards({ timestamp: 0, incomingBytes: 60, incomingRecords: 2500 * 60, throttledRecords: 0 })).toBe(
      2.5,
    );
  });
});

describe('limits', () => {
  test('allowedRange is [ceil(current/2), 2 x current] within [min, max]', () => {
    expect(allowedRange(5, 1, 100)).toEqual({ low: 3, high: 10 });
    expect(allowedRange(5, 4, 8)).toEqual({ low: 4, high: 8 });
    // Far below min or above max: as far as one call may go.
    expect(allowedRange(2, 10, 20)).toEqual({ low: 4, high: 4 });
    expect(allowedRange(100, 1, 10)).toEqual({ low: 50, high: 50 });
  });

  test('clampTarget and callsInWindow', () => {
    expect(clampTarget(50, 5, 1, 100)).toBe(10);
    expect(clampTarget(1, 5, 1, 100)).toBe(3);
    const calls = [
      { at: NOW - 25 * 60 * MINUTE, from: 1, to: 2 },
      { at: NOW - 23 * 60 * MINUTE, from: 2, to: 4 },
    ];
    expect(callsInWindow(calls, NOW)).toEqual([calls[1]]);
  });
});

describe('decideShardCount: inconsistent bounds', () => {
  test('minShards above maxShards: no call (moving back would request the current count every tick)', () => {
    const decision = decide({ currentShards: 5, config: { minShards: 10, maxShards: 5 } });
    expect(decision).toMatchObject({ action: 'none', to: 5, reason: 'minShards 10 is greater than maxShards 5' });
  });
});

describe('decideShardCount: scale-up', () => {
  test('a throttled minute doubles what got through', () => {
    const decision = decide({ observations: observations(60, () => 4, new Set([1])) });
    expect(decision).toMatchObject({ action: 'scale-up', from: 4, to: 8 });
    expect(decision.reason).toMatch(/throttled/);
  });

  test('never more than twice the current shards, nor more than maxShards', () => {
    const flood = observations(60, () => 40);
    expect(decide({ observations: flood })).toMatchObject({ action: 'scale-up', to: 8 });
    expect(decide({ observations: flood, config: { maxShards: 6 } })).toMatchObject({ action: 'scale-up', to: 6 });
  });

  test('throttled at maxShards: no call, flagged for the alarm', () => {
    const decision = decide({ observations: observations(60, () => 4, new Set([1])), config: { maxShards: 4 } });
    expect(decision).toMatchObject({ action: 'none', throttledAtMaxShards: true });
  });

  test('scales up before throttling when demand nears capacity', () => {
    const decision = decide({ observations: observations(60, () => 3.9) });
    expect(decision.action).toBe('scale-up');
    expect(decision.to).toBeGreaterThanOrEqual(5);
  });

  test('a minute throttled before the last resize completed waits for a fresh minute', () => {
    const history = [{ at: NOW - 3 * MINUTE, from: 2, to: 4 }];
    const decision = decide({ history, observations: observations(60, () => 2, new Set([1])) });
    expect(decision.action).toBe('none');
  });

  test('does not chase spikes shorter than a resize once the last day showed them', () => {
    const spikes = new Set([1, 200, 201, 202, 203, 204, 600, 601, 602, 603]);
    const shape = (ago: number) => (spikes.has(ago) ? 8 : 2);
    const decision = decide({ observations: observations(1440, shape, spikes) });
    expect(decision.action).toBe('none');
    expect(decision.reason).toMatch(/shorter than a resize/);
  });

  test('a second scale-up in a short spike keeps the calls to come back down to the usual size', () => {
    // Usual demand 2 shards (3 at targetUtilization); two earlier 20-minute spikes, or 2-hour bursts.
    // 4 -> 8 seven minutes ago, and 8 calls in the last 24 hours: 2 calls left.
    const history = [
      ...Array.from({ length: 7 }, (_, i) => ({ at: NOW - (i + 2) * 60 * MINUTE, from: 4, to: 4 })),
      { at: NOW - 7 * MINUTE, from: 4, to: 8 },
    ];
    const throttled = new Set([1, 2, 3, 4, 5, 6, 7, 8]);
    const now = (ago: number) => (ago === 1 ? 8 : ago <= 8 ? 4 : 2);
    const shortSpikes = (ago: number) => ((ago >= 300 && ago < 320) || (ago >= 700 && ago < 720) ? 8 : now(ago));
    const decision = decide({ currentShards: 8, history, observations: observations(1440, shortSpikes, throttled) });
    // 2 calls left: one up and one halving could only bring 2 x 3 = 6 shards back, not 8 or 16.
    expect(decision).toMatchObject({ action: 'none', to: 8, callsRemaining: 2 });
    expect(decision.reason).toMatch(/could not bring 16 shards back to the usual 3/);
    // Bursts that last hours are worth the second step.
    const longBursts = (ago: number) => ((ago >= 500 && ago < 620) || (ago >= 900 && ago < 1020) ? 8 : now(ago));
    expect(
      decide({ currentShards: 8, history, observations: observations(1440, longBursts, throttled) }),
    ).toMatchObject({
      action: 'scale-up',
      to: 16,
    });
  });

  test('without throttling, a forecast alone keeps the reserved calls for throttling', () => {
    const history = Array.from({ length: 7 }, (_, i) => ({ at: NOW - (i + 2) * 60 * MINUTE, from: 4, to: 4 }));
    // Rising for 10 minutes from 3.0 to 3.63 shards: the trend, not the level, passes the line.
    const rising = (ago: number) => (ago <= 10 ? 3 + (10 - ago) * 0.07 : 3);
    const decision = decide({ history, observations: observations(60, rising) });
    expect(decision.action).toBe('none');
    expect(decision.reason).toMatch(/waiting for throttling/);
  });

  test('demand that sits at the scale-up line for 10 minutes does not wait for throttling', () => {
    // In the real world throttling shows 2 to 4 minutes late and a resize takes 5 more.
    const history = Array.from({ length: 7 }, (_, i) => ({ at: NOW - (i + 2) * 60 * MINUTE, from: 4, to: 4 }));
    const decision = decide({ history, observations: observations(60, () => 3.85) });
    expect(decision).toMatchObject({ action: 'scale-up', callsRemaining: 3 });
  });

  test('a throttled minute just before the latest known one counts while demand hovers at capacity', () => {
    // Datapoints arrive out of order: minute 2 (throttled) is known, minute 1 is not throttled.
    const hovering = observations(60, () => 3.8, new Set([2]));
    expect(decide({ observations: hovering })).toMatchObject({ action: 'scale-up' });
    // After a short spike (demand well below capacity again) it does not.
    const spikeOver = observations(60, (ago) => (ago === 2 ? 4 : 2), new Set([2]));
    expect(decide({ observations: spikeOver }).action).not.toBe('scale-up');
  });
});

describe('decideShardCount: scale-down', () => {
  test('after demand stayed low, by at most half', () => {
    const decision = decide({ currentShards: 20, observations: observations(60, () => 1) });
    expect(decision).toMatchObject({ action: 'scale-down', from: 20, to: 10 });
  });

  test('not within the cooldown after a call', () => {
    const history = [{ at: NOW - 5 * MINUTE, from: 10, to: 20 }];
    expect(decide({ currentShards: 20, history, observations: observations(60, () => 1) }).action).toBe('none');
  });

  test('not when the saving is small', () => {
    const decision = decide({ currentShards: 10, observations: observations(60, () => 6.5) });
    expect(decision.action).toBe('none');
  });

  test('the last call of the budget is kept for a scale-up', () => {
    const history = Array.from({ length: 9 }, (_, i) => ({ at: NOW - (i + 2) * 60 * MINUTE, from: 4, to: 4 }));
    const decision = decide({ currentShards: 20, history, observations: observations(60, () => 1) });
    expect(decision.action).toBe('none');
    expect(decision.callsRemaining).toBe(1);
  });
});

describe('decideShardCount: the last calls after a short spike', () => {
  // 9 calls in the last 24 hours (none about to leave the window): 1 call left. A day of
  // observations, so a scale-down is expected to hold DEFAULT_HOLD_HOURS (3 h): halving saves 1.5
  // fleet-hours, less than the last call's usual price (2.5).
  const history = Array.from({ length: 9 }, (_, i) => ({ at: NOW - (i + 2) * 60 * MINUTE, from: 4, to: 4 }));

  test('are spent to come back down once the spike collapsed, when spikes are short', () => {
    const shortSpikes = (ago: number) => ((ago >= 300 && ago < 320) || (ago >= 700 && ago < 720) ? 8 : 1);
    const decision = decide({ currentShards: 24, history, observations: observations(1440, shortSpikes) });
    expect(decision).toMatchObject({ action: 'scale-down', from: 24, to: 12, callsRemaining: 1 });
  });

  test('are kept when excursions last hours (a burst finding no call left would throttle for hours)', () => {
    const longBursts = (ago: number) => ((ago >= 300 && ago < 420) || (ago >= 700 && ago < 820) ? 8 : 1);
    const decision = decide({ currentShards: 24, history, observations: observations(1440, longBursts) });
    expect(decision).toMatchObject({ action: 'none', callsRemaining: 1 });
    expect(decision.reason).toMatch(/would spend the last call of the 24-hour budget/);
  });
});

describe('decideShardCount: when not to act', () => {
  test.each(['UPDATING', 'CREATING', 'DELETING'])('stream %s', (streamStatus) => {
    const decision = decide({ streamStatus, observations: observations(60, () => 9, new Set([1])) });
    expect(decision).toMatchObject({ action: 'none', to: 4 });
    expect(decision.reason).toMatch(streamStatus);
  });

  test('no call left in the rolling 24 hours', () => {
    const history = Array.from({ length: 10 }, (_, i) => ({ at: NOW - (i + 1) * 60 * MINUTE, from: 4, to: 4 }));
    const decision = decide({ history, observations: observations(60, () => 9, new Set([1])) });
    expect(decision).toMatchObject({ action: 'none', callsRemaining: 0 });
    expect(decision.reason).toMatch(/no call left/);
  });

  test('maxCallsPer24Hours lower than 10 is the budget', () => {
    const history = Array.from({ length: 3 }, (_, i) => ({ at: NOW - (i + 1) * 60 * MINUTE, from: 4, to: 4 }));
    const decision = decide({
      history,
      observations: observations(60, () => 9, new Set([1])),
      config: { maxCallsPer24Hours: 3, reservedScaleUpCalls: 1 },
    });
    expect(decision.action).toBe('none');
  });

  test('outside [minShards, maxShards] it moves back first', () => {
    expect(decide({ currentShards: 2, config: { minShards: 10 } })).toMatchObject({ action: 'scale-up', to: 4 });
    expect(decide({ currentShards: 50, config: { maxShards: 30 } })).toMatchObject({ action: 'scale-down', to: 30 });
  });
});

describe('history helpers of the policy', () => {
  test('returnsAbove counts comebacks after real drops, not noise around the level', () => {
    const bursts = [...Array(20).fill(1), ...Array(5).fill(9), ...Array(20).fill(1), ...Array(5).fill(9)];
    expect(returnsAbove(bursts, 5)).toBe(2);
    const noise = Array.from({ length: 100 }, (_, i) => (i % 2 ? 5.2 : 4.8));
    expect(returnsAbove(noise, 5)).toBe(0);
  });

  test('excursionDurations measures runs above the running level', () => {
    const demands = [...Array(30).fill(2), ...Array(5).fill(8), ...Array(30).fill(2)];
    const obs = demands.map((d, i) => ({
      timestamp: i * MINUTE,
      incomingBytes: d * MiB * 60,
      incomingRecords: 0,
      throttledRecords: 0,
    }));
    expect(excursionDurations(obs)).toEqual([5]);
  });

  test('typicalExcursionMinutes: 75th percentile of runs of at least 5 minutes, once two are known', () => {
    const obs = (demands: number[]) =>
      demands.map((d, i) => ({
        timestamp: i * MINUTE,
        incomingBytes: d * MiB * 60,
        incomingRecords: 0,
        throttledRecords: 0,
      }));
    const one = [...Array(30).fill(2), ...Array(20).fill(8), ...Array(30).fill(2)];
    expect(typicalExcursionMinutes(obs(one))).toBeUndefined();
    const blip = [...Array(30).fill(2), ...Array(2).fill(8), ...Array(30).fill(2)];
    expect(typicalExcursionMinutes(obs([...one, ...blip, ...one]))).toBe(20);
  });

  test('seasonalView needs a day of observations', () => {
    expect(
      seasonalView(
        observations(600, () => 2),
        NOW,
      ),
    ).toBeUndefined();
    const view = seasonalView(
      observations(30 * 60, () => 2),
      NOW,
    );
    expect(view?.level).toBeCloseTo(2);
  });
});
