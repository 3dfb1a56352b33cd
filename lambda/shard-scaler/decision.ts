/**
 * The shard scaling policy: a pure function of (recent per-minute observations, current shard
 * count, scaling history, config) → target shard count and a reason. No AWS calls here; the
 * adapter (index.ts) and the benchmark simulator (bench/autoscaler) both call it.
 *
 * It is written for what the Lambda really sees: CloudWatch delivers a minute's stream metrics 1
 * to 3 minutes late, out of order and sometimes not at all, and a resize takes 5 minutes or more.
 *
 * Policy in short:
 * - demand is measured in shards: max(bytes/s ÷ 1 MiB, records/s ÷ 1000), per minute; a minute
 *   without datapoints is unknown, never zero demand (see knownObservations: only a stream without
 *   any datapoint for an hour counts as idle);
 * - scale up at once when the latest known minute was throttled, or one of the last three while
 *   demand hovers at capacity (to twice what got through: throttled traffic is capped at
 *   capacity, so the real demand is unknown), or when the recent demand plus trend would pass
 *   `scaleUpUtilization` of capacity (a step is not extrapolated as a ramp: the trend adds at most
 *   a quarter); size for `targetUtilization`; with few calls left a forecast waits for
 *   throttling, demand that sits at the line for 10 minutes does not;
 * - scale down only with fresh datapoints for most of `scaleDownWindowMinutes` of low demand,
 *   never below a level that the last 24 hours show demand returning above again and again
 *   (throttled minutes count as above: they show only what the shards accepted), and only when
 *   the shards saved are worth one of the remaining calls: the price of a call rises as the budget
 *   runs down, and the last call stays for a scale-up unless another comes back within the hour
 *   or a short spike collapsed (demand below a third of the shards, past excursions usually over
 *   within half an hour): a spike that then finds no call left throttles for its short duration,
 *   while staying at the spike's size costs hours of most of the shards;
 * - a second scale-up during an excursion that usually ends before the added shards would serve
 *   10 minutes (or while no excursion is known yet) stays small enough for the calls left to halve
 *   the stream back to its usual size: chasing the spike's last minutes with the budget's last call
 *   would leave the stream at the spike's size for up to a day;
 * - every target lies within [ceil(current/2), 2 × current] and [minShards, maxShards].
 */
import {
  type MinuteObservation,
  currentThrottleRun,
  demandInShards,
  excursionDurations,
  percentile,
  returnsAbove,
  slopePerMinute,
  typicalExcursionMinutes,
} from './demand';
import { MAX_CALLS_PER_24_HOURS, ROLLING_WINDOW_MS, type ScalingCall, allowedRange, callsInWindow } from './limits';
import { expectedHoldHours, seasonalView } from './seasonal';

export * from './demand';
export * from './seasonal';

export interface ScalerConfig {
  readonly minShards: number;
  readonly maxShards: number;
  /** Utilization the targets are sized for, in (0, 1]. */
  readonly targetUtilization: number;
  /** Utilization (of the recent peak plus trend) above which we scale up before any throttling. */
  readonly scaleUpUtilization: number;
  /** Calls of the rolling 24-hour budget that only scale-ups (and large savings) may use. */
  readonly reservedScaleUpCalls: number;
  /** Minutes of low demand required before a scale-down. */
  readonly scaleDownWindowMinutes: number;
  /** Minutes after any call before a scale-down is considered. */
  readonly scaleDownCooldownMinutes: number;
  /** How often within 24 hours demand may come back above a level before we stop scaling below it. */
  readonly maxReturns: number;
  /**
   * Price of one call in "fraction of the shards × hours" a scale-down must save when the budget
   * is full; it rises as calls run out (see scaleDownCallPrice).
   */
  readonly scaleDownCallPriceHours: number;
  /** The least fraction of the shards a scale-down removes; smaller steps are not worth a call. */
  readonly minScaleDownFraction: number;
  /** Minutes of trend looked ahead when forecasting (a resize takes about 5). */
  readonly forecastMinutes: number;
  /** Budget of calls per rolling 24 hours (AWS: 10). */
  readonly maxCallsPer24Hours: number;
}

/** Minutes a resize usually keeps the stream UPDATING. */
export const RESIZE_MINUTES = 5;
/** Minutes of history in which recurring returns of demand keep us from scaling down. */
export const RETURNS_LOOKBACK_MINUTES = 24 * 60;
/** Observations the policy uses: a day, plus the 6 hours the seasonal view looks ahead from yesterday. */
export const OBSERVATION_MINUTES = 24 * 60 + 6 * 60;
/**
 * Minutes without any datapoint after which a stream counts as idle (its missing minutes read as
 * zero), provided it existed, or had traffic, before them. Shorter gaps are delays or outages.
 */
export const IDLE_MINUTES = 60;
/** A scale-down needs datapoints for at least this share of its window... */
export const MIN_KNOWN_SHARE = 0.8;
/**
 * ...and a latest datapoint at most this many minutes old: stream metrics arrive 1 to 3 minutes
 * late, so older means an outage.
 */
export const MAX_DATA_AGE_MINUTES = 6;
/** Minutes after a scale-up during which only a halving scale-down is allowed (hysteresis). */
const SCALE_UP_HOLD_MINUTES = 60;
/** How far below scaleUpUtilization a scale-down puts the recent peak. */
const SCALE_DOWN_PEAK_MARGIN = 0.15;
/** A throttling that starts from below this utilization is a spike. */
const SPIKE_BASE_UTILIZATION = 0.85;
/** How far ahead calls about to leave the rolling window lower a call's price. */
const BUDGET_REFILL_LOOKAHEAD_MS = 2 * 60 * 60_000;
/** A look-ahead above this share of the recent peak is a rising trend. */
const RISING_SHARE = 0.05;
/** The trend's look-ahead adds at most this share of the recent peak to the forecast. */
const MAX_TREND_SHARE = 0.25;
/** A scale-down may spend the last call only if another returns to the budget this soon. */
const LAST_CALL_REFILL_MS = 60 * 60_000;
/** The smallest factor of a scale-up that follows another within SCALE_UP_HOLD_MINUTES. */
const MIN_FOLLOW_UP_STEP = 1.25;
/** Minutes over which the median demand tells the usual size of the stream. */
const USUAL_LEVEL_MINUTES = 6 * 60;
/** Price of the very last call of the budget, in fleet-hours. */
const LAST_CALL_PRICE_HOURS = 2.5;
/**
 * A follow-up scale-up (within SCALE_UP_HOLD_MINUTES of the last one) whose added shards would serve
 * fewer minutes of a typical excursion than this must leave calls to come back down.
 */
const FOLLOW_UP_MIN_SERVE_MINUTES = 10;
/** Excursions that usually end within this many minutes are short spikes. */
const SHORT_EXCURSION_MINUTES = 30;
/** Demand below this share of the shards after a spike: the spike is over (collapsed). */
const COLLAPSED_DEMAND_SHARE = 1 / 3;
/** Highest price, in fleet-hours, of the last calls for a scale-down after a short spike collapsed. */
const COLLAPSED_SPIKE_CALL_PRICE_HOURS = 1.5;

/** The ShardAutoScaler's defaults (lib/stream/scaler-defaults.ts); test/stream/max-shards.property.test.ts checks. */
export const DEFAULT_SCALER_CONFIG: ScalerConfig = {
  minShards: 1,
  // Not UpdateShardCount's 10,000: a function deployed without MAX_SHARDS must not scale past the construct's bound.
  maxShards: 100,
  targetUtilization: 0.85,
  scaleUpUtilization: 0.95,
  reservedScaleUpCalls: 3,
  scaleDownWindowMinutes: 20,
  scaleDownCooldownMinutes: 15,
  maxReturns: 4,
  forecastMinutes: 10,
  minScaleDownFraction: 0.3,
  scaleDownCallPriceHours: 0.25,
  maxCallsPer24Hours: MAX_CALLS_PER_24_HOURS,
};

export interface DecisionInput {
  /** Now, epoch milliseconds. */
  readonly now: number;
  /**
   * When the stream was created (DescribeStreamSummary StreamCreationTimestamp), epoch ms: minutes
   * before it have no datapoints because the stream did not exist, not because it was idle.
   * @default - unknown: idleness needs earlier datapoints
   */
  readonly streamCreatedAt?: number;
  /** Open shards of the stream. */
  readonly currentShards: number;
  /** ACTIVE, UPDATING, CREATING or DELETING. */
  readonly streamStatus: string;
  /**
   * Per-minute observations, oldest first, up to the latest complete minute; minutes whose
   * datapoints have not arrived (yet) are marked `missing`.
   */
  readonly observations: readonly MinuteObservation[];
  /** Earlier UpdateShardCount calls (at least those of the last 24 hours). */
  readonly history: readonly ScalingCall[];
  readonly config: ScalerConfig;
}

export type ScalingAction = 'scale-up' | 'scale-down' | 'none';

export interface ScalingDecision {
  readonly action: ScalingAction;
  readonly from: number;
  /** Equal to `from` when action is 'none'. */
  readonly to: number;
  readonly reason: string;
  /** Utilization of the latest minute against the current capacity (0..1). */
  readonly utilization: number;
  /** True when the latest minute was throttled while already at maxShards. */
  readonly throttledAtMaxShards: boolean;
  /** Calls left in the rolling 24-hour budget before this decision. */
  readonly callsRemaining: number;
  /**
   * Shards the recent demand needs at targetUtilization (peak of the last 3 known minutes; a
   * lower bound while throttled, since throttled traffic is capped at capacity). 0 without data.
   * Above maxShards, the stream cannot grow to what its traffic needs.
   */
  readonly shardsNeeded: number;
}

/**
 * The price of one UpdateShardCount call, in "fraction of the shards × hours" a scale-down must
 * save: cheap while the budget is full, dear as it runs low; the last call is kept for a scale-up.
 */
export function scaleDownCallPrice(callsRemaining: number, callsSoonBack: number, config: ScalerConfig): number {
  const effective = Math.min(config.maxCallsPer24Hours, callsRemaining + callsSoonBack);
  if (callsRemaining === 0) return Infinity;
  // The last call only for a large saving (e.g. half the shards for many hours after a spike).
  if (effective <= 1) return LAST_CALL_PRICE_HOURS;
  return (config.scaleDownCallPriceHours * (config.maxCallsPer24Hours - 1)) / (effective - 1);
}

/**
 * The minutes whose demand is known. Missing minutes are unknown, except on an idle stream: no
 * datapoint for IDLE_MINUTES although the stream existed (or had datapoints) before them. Then
 * the missing minutes since its creation read as zero, so that a stream whose producers stopped
 * scales down.
 */
export function knownObservations(
  observations: readonly MinuteObservation[],
  now: number,
  streamCreatedAt?: number,
): { known: MinuteObservation[]; idle: boolean } {
  const quietSince = now - IDLE_MINUTES * 60_000;
  const known = observations.filter((o) => !o.missing);
  const lastKnown = known.length > 0 ? known[known.length - 1].timestamp : -Infinity;
  const existedBefore =
    streamCreatedAt !== undefined ? streamCreatedAt <= quietSince : lastKnown > -Infinity && lastKnown < quietSince;
  if (lastKnown >= quietSince || !existedBefore) return { known, idle: false };
  const since = streamCreatedAt ?? -Infinity;
  return {
    known: observations
      .filter((o) => !o.missing || o.timestamp >= since)
      .map((o) => (o.missing ? { ...o, missing: false } : o)),
    idle: true,
  };
}

export function decideShardCount(input: DecisionInput): ScalingDecision {
  const { now, currentShards: current, config } = input;
  const { known: observations, idle } = knownObservations(input.observations, now, input.streamCreatedAt);
  const latest = observations.length > 0 ? observations[observations.length - 1] : undefined;
  const latestDemand = latest ? demandInShards(latest) : 0;
  const utilization = current > 0 ? Math.min(1, latestDemand / current) : 0;
  const lastCall = input.history.reduce((last, call) => Math.max(last, call.at), -Infinity);
  // A minute that started before the last resize could complete was throttled at the old, smaller
  // capacity: it tells nothing about the new one, so we wait for a fresh minute.
  const settledSince = lastCall + RESIZE_MINUTES * 60_000;
  // Datapoints arrive 1 to 3 minutes late and not in order: besides the latest known minute, a
  // throttled one among the last 3 known counts too while demand stays near capacity (below).
  const throttledMinute = observations
    .slice(-3)
    .reverse()
    .find((o) => o.throttledRecords > 0 && o.timestamp >= settledSince);
  const latestThrottled = throttledMinute !== undefined && throttledMinute === latest;
  const budget = Math.min(config.maxCallsPer24Hours, MAX_CALLS_PER_24_HOURS);
  const callsRemaining = Math.max(0, budget - callsInWindow(input.history, now).length);
  const recentKnown = observations.slice(-3).map(demandInShards);
  const shardsNeeded = Math.ceil(Number((Math.max(0, ...recentKnown) / config.targetUtilization).toFixed(6)));
  const base = { from: current, utilization, callsRemaining, throttledAtMaxShards: false, shardsNeeded };
  const none = (reason: string, throttledAtMaxShards = false): ScalingDecision => ({
    ...base,
    throttledAtMaxShards,
    action: 'none',
    to: current,
    reason,
  });

  if (input.streamStatus !== 'ACTIVE') return none(`stream is ${input.streamStatus}, not ACTIVE`);
  if (current < 1) return none('stream has no open shards');
  // No count is inside an empty range: "moving back" would request the current count every tick.
  if (config.minShards > config.maxShards) {
    return none(`minShards ${config.minShards} is greater than maxShards ${config.maxShards}`);
  }
  const { low, high } = allowedRange(current, config.minShards, config.maxShards);

  // Out of [min, max] (for example after the bounds were changed): move back first.
  if (current < config.minShards || current > config.maxShards) {
    if (callsRemaining === 0) return none('outside [minShards, maxShards] but no call left in the 24-hour budget');
    // The nearest allowed count: minShards (or 2x) from below, maxShards (or half) from above.
    const to = current < config.minShards ? low : high;
    return {
      ...base,
      action: to > current ? 'scale-up' : 'scale-down',
      to,
      reason: `shard count ${current} outside [${config.minShards}, ${config.maxShards}]`,
    };
  }

  const demands = observations.map(demandInShards);
  const throttledFlags = observations.map((o) => o.throttledRecords > 0);
  const recentPeak = Math.max(0, ...demands.slice(-3));
  // The median of the last 5 minutes decides scale-ups, so that noisy minutes do not.
  const recentMedian = demands.length >= 5 ? percentile(demands.slice(-5), 0.5) : recentPeak;
  // A throttled minute just before the latest: demand hovering at capacity (not a spike that
  // just ended) is throttling again and again.
  const throttled =
    latestThrottled ||
    (throttledMinute !== undefined && recentMedian >= current * SPIKE_BASE_UTILIZATION && latestDemand > 0);
  const seasonalAhead = seasonalView(observations, now, demands);
  const seasonal = seasonalAhead?.level ?? 0;
  // The trend only from unthrottled minutes at the current capacity: capped minutes and the jump
  // after a resize would read as steep growth.
  const settled = observations
    .slice(-15)
    .filter((o) => o.timestamp >= settledSince && o.throttledRecords === 0)
    .map(demandInShards);
  const trend = settled.length >= 5 ? Math.max(0, slopePerMinute(settled)) : 0;
  // A ramp is extrapolated; a step (a burst that starts within a minute) is not a ramp: the
  // look-ahead adds at most a quarter of the recent peak.
  const ahead = Math.min(trend * config.forecastMinutes, MAX_TREND_SHARE * recentPeak);
  const forecast = recentPeak + ahead;
  // Targets: the mean level at targetUtilization, and the noisy peaks clear of the scale-up line.
  // A scale-down keeps the peaks further below the scale-up line than a scale-up does (hysteresis),
  // so that noise does not send the stream back up.
  const sizeFor = (level: number, peak: number, headroom: number, peakMargin: number): number =>
    Math.ceil(
      Math.max(level / config.targetUtilization, peak / Math.max(0.3, config.scaleUpUtilization - peakMargin)) *
        headroom,
    );
  const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

  // Spikes shorter than a resize are over before added shards open: chasing them costs two calls
  // and shard-hours and saves no throttled minute. When the last day's excursions were short,
  // react only once the current one has outlasted them.
  // Demand that was already close to capacity before the throttling is no spike.
  if (throttled) {
    const run = currentThrottleRun(observations);
    const before = demands.slice(-run - 5, -run);
    const jumped = before.length > 0 && Math.max(...before) < current * SPIKE_BASE_UTILIZATION;
    const durations = excursionDurations(observations.slice(0, -run), demands.slice(0, -run)).filter((d) => d >= 2);
    const typical = durations.length >= 2 ? percentile(durations, 0.75) : Infinity;
    if (jumped && typical <= RESIZE_MINUTES + 1 && run <= typical) {
      return none(`throttled for ${run} min; past spikes lasted ≤ ${typical} min, shorter than a resize`);
    }
  }

  // Scale up.
  // Also ahead of a rise that yesterday's same hours announce, once the shards are well used.
  const seasonalRise =
    seasonal > current * config.scaleUpUtilization && recentMedian > current * config.targetUtilization;
  if (throttled || seasonalRise || recentMedian + ahead > current * config.scaleUpUtilization) {
    if (high <= current) {
      return none(throttled ? 'throttled at maxShards' : 'forecast above capacity but at maxShards', throttled);
    }
    if (callsRemaining === 0) return none('scale-up needed but no call left in the 24-hour budget');
    // Already at three times the usual size (a spike in progress): the last call of the budget is kept
    // to come back down, or the stream could stay at the peak for up to a day.
    const usual = Math.ceil(percentile(demands.slice(-USUAL_LEVEL_MINUTES), 0.5) / config.targetUtilization);
    if (callsRemaining === 1 && current >= 3 * Math.max(1, usual)) {
      return none('scale-up needed, but the last call of the 24-hour budget is kept to scale back down');
    }
    // With few calls left, a forecast alone waits for throttling; demand that sits above the
    // scale-up line for 10 minutes does not (in the real world throttling is seen 2 to 4 minutes
    // late and a resize takes 5 more).
    const sustained =
      demands.length >= 10 && percentile(demands.slice(-10), 0.5) >= current * (config.scaleUpUtilization - 0.05);
    if (!throttled && !sustained && callsRemaining <= config.reservedScaleUpCalls) {
      return none(`forecast above capacity, but only ${callsRemaining} calls left: waiting for throttling`);
    }
    const level = (settled.length >= 5 ? mean(settled.slice(-5)) : recentPeak) + ahead;
    const sized = sizeFor(Math.max(level, seasonal), forecast, 1, 0.05);
    // No more than the highest demand of the last day needs: recurring bursts get the size they
    // had, not a blind doubling. One-off spikes (not recurring) that throttle still double.
    // A peak that was throttled shows only the capacity it hit: its real size is unknown.
    const day = demands.slice(-24 * 60);
    const dayPeak = Math.max(...day);
    const dayThrottled = throttledFlags.slice(-24 * 60);
    const peakKnown = !day.some((d, i) => dayThrottled[i] && d >= dayPeak * 0.95);
    // A forecast without a rising trend does not creep past the day's known peak one shard at a time.
    const rising = ahead > RISING_SHARE * recentPeak;
    const cap = Math.max(
      current + (throttled || rising || !peakKnown ? 1 : 0),
      Math.ceil(dayPeak / (config.scaleUpUtilization - 0.05)),
    );
    const recurring =
      returnsAbove(
        demands.slice(-RETURNS_LOOKBACK_MINUTES),
        current * 0.9,
        15,
        throttledFlags.slice(-RETURNS_LOOKBACK_MINUTES),
      ) > config.maxReturns;
    const doubled = Math.max(sized, Math.ceil(2 * latestDemand));
    const wanted = throttled ? (recurring ? Math.min(cap, doubled) : doubled) : Math.min(cap, sized);
    if (wanted <= current) return none('throttled before the last resize completed; waiting for a fresh minute');
    // A second step soon after a scale-up is a sign of a steep rise: make it a big one, a call is
    // too dear for one more shard.
    const lastUp = input.history.reduce((last, c) => (c.to > c.from ? Math.max(last, c.at) : last), -Infinity);
    const followUp = (now - lastUp) / 60_000 < SCALE_UP_HOLD_MINUTES;
    // (A forecast alone, without throttling, gets no such push: noise would trigger it.)
    let to = Math.min(high, Math.max(wanted, Math.ceil(current * (followUp && throttled ? MIN_FOLLOW_UP_STEP : 1))));
    if (followUp) {
      // The excursion began about when the last scale-up was made; the new shards open a resize later.
      // Past excursions are those that ended before this one began.
      const typical = typicalExcursionMinutes(observations.filter((o) => o.timestamp < lastUp - 10 * 60_000));
      const elapsed = (now - lastUp) / 60_000 + 1;
      const serves = typical === undefined ? 0 : typical - elapsed - RESIZE_MINUTES;
      if (serves < FOLLOW_UP_MIN_SERVE_MINUTES) {
        // Each remaining call after this one can halve the stream: stay where they can bring it back.
        const comeBack = Math.max(1, usual) * 2 ** (callsRemaining - 1);
        if (comeBack <= current) {
          return none(
            `throttled again, but ${callsRemaining} calls left could not bring ${to} shards back to the usual ${usual} after a spike of ~${typical ?? '?'} min`,
          );
        }
        to = Math.min(to, comeBack);
      }
    }
    return {
      ...base,
      action: 'scale-up',
      to,
      reason: throttled
        ? `throttled (${throttledMinute?.throttledRecords} records rejected) at ${(utilization * 100).toFixed(0)}% utilization`
        : `forecast ${forecast.toFixed(2)} shards above ${(config.scaleUpUtilization * 100).toFixed(0)}% of ${current}`,
    };
  }

  // Scale down.
  if (current <= low) return none('at minShards');
  if ((now - lastCall) / 60_000 < config.scaleDownCooldownMinutes) return none('cooling down after the last call');
  const lastScaleUp = input.history.reduce(
    (last, call) => (call.to > call.from ? Math.max(last, call.at) : last),
    -Infinity,
  );
  const recentlyUp = (now - lastScaleUp) / 60_000 < SCALE_UP_HOLD_MINUTES;
  // Missing data is no evidence of low demand: a scale-down needs recent datapoints for most of
  // its window (not so after a deploy, nor during a metric outage).
  if (!latest || latest.timestamp < now - MAX_DATA_AGE_MINUTES * 60_000) {
    return none(
      latest
        ? `no datapoint for ${Math.round((now - latest.timestamp) / 60_000)} min: not scaling down on missing data`
        : 'no datapoints yet: not scaling down on missing data',
    );
  }
  const windowStart = latest.timestamp - (config.scaleDownWindowMinutes - 1) * 60_000;
  const window = observations.filter((o) => o.timestamp >= windowStart);
  if (window.length < Math.ceil(MIN_KNOWN_SHARE * config.scaleDownWindowMinutes)) {
    return none(
      `${window.length} of the last ${config.scaleDownWindowMinutes} minutes have datapoints: not scaling down on missing data`,
    );
  }
  if (window.some((o) => o.throttledRecords > 0)) return none('throttled within the scale-down window');
  const windowDemands = window.map(demandInShards);
  const windowPeak = Math.max(...windowDemands);
  const windowMean = mean(windowDemands);
  const expected = Math.max(windowMean + ahead, seasonal);
  let to = Math.max(low, sizeFor(expected, Math.max(windowPeak, forecast), 1, SCALE_DOWN_PEAK_MARGIN));
  // Stay above levels that demand kept coming back to: each return would cost a scale-up call
  // and minutes of throttling. Returns are counted over the last RETURNS_LOOKBACK_MINUTES.
  const lookback = demands.slice(-RETURNS_LOOKBACK_MINUTES);
  const lookbackThrottled = throttledFlags.slice(-RETURNS_LOOKBACK_MINUTES);
  while (to < current && returnsAbove(lookback, to, 15, lookbackThrottled) > config.maxReturns) to++;
  if (to >= current) return none(`demand ${windowPeak.toFixed(2)} shards fits ${current} shards`);
  if ((current - to) / current < config.minScaleDownFraction) {
    return none(`scale-down to ${to} removes less than ${config.minScaleDownFraction * 100}% of the shards`);
  }
  // Right after a scale-up only a collapse of demand (a spike that ended) justifies going back.
  if (recentlyUp && to > current / 2) return none('holding the last scale-up');
  const holdHours = expectedHoldHours(seasonalAhead, to * config.scaleUpUtilization);
  const saving = ((current - to) / current) * holdHours;
  // Calls that leave the rolling window within the next hours make the budget less tight.
  const soonBack = callsInWindow(input.history, now).filter(
    (call) => call.at + ROLLING_WINDOW_MS < now + BUDGET_REFILL_LOOKAHEAD_MS,
  ).length;
  let price = scaleDownCallPrice(callsRemaining, soonBack, config);
  // A short spike that collapsed: the last calls are worth spending to come back down.
  const typical = typicalExcursionMinutes(observations, 5, demands);
  const collapsedShortSpike =
    windowPeak < current * COLLAPSED_DEMAND_SHARE && typical !== undefined && typical <= SHORT_EXCURSION_MINUTES;
  if (callsRemaining > 0 && collapsedShortSpike) price = Math.min(price, COLLAPSED_SPIKE_CALL_PRICE_HOURS);
  // Otherwise the last call of the budget stays for a scale-up, unless another one comes back
  // within the hour: with excursions that last long, one that finds no call left is throttled for
  // as long as it lasts.
  const backWithinHour = callsInWindow(input.history, now).some(
    (call) => call.at + ROLLING_WINDOW_MS < now + LAST_CALL_REFILL_MS,
  );
  if (callsRemaining <= 1 && !backWithinHour && !collapsedShortSpike) {
    return none(`scale-down to ${to} would spend the last call of the 24-hour budget`);
  }
  if (saving < price) {
    return none(
      `scale-down to ${to} saves ${saving.toFixed(2)} fleet-hours, less than a call's price ${price.toFixed(2)} (${callsRemaining} calls left)`,
    );
  }
  return {
    ...base,
    action: 'scale-down',
    to,
    reason: idle
      ? `no datapoint for ${IDLE_MINUTES} min: the stream is idle`
      : `peak demand ${windowPeak.toFixed(2)} shards over ${config.scaleDownWindowMinutes} min`,
  };
}
