/**
 * npm run bench:autoscaler — replays 7-day per-minute traffic traces through the shard scaler's
 * real decision function, at the construct's defaults, in the realistic world (metrics 1–3
 * minutes late, missing datapoints and outages, missed runs, resizes that take longer on large
 * streams, producer retries; see world.ts) and, beside it, in the ideal world. Compares it with
 * the offline optimum, static provisioning at peak and the public samples' policy, and checks
 * the goals of issue 19 in the realistic world.
 *
 * Flags: --fixed-only (the four fixed traces), --detail (a table per trace).
 */
import { DEFAULT_SCALER_CONFIG } from '../../lambda/shard-scaler/decision';
import { MAX_CALLS_PER_24_HOURS } from '../../lambda/shard-scaler/limits';
import { defaultMaxShards } from '../../lib/stream/scaler-defaults';
import { delayedInformationBound } from './bound';
import { offlineOptimum } from './optimum';
import { baselinePolicy, shardScalerPolicy, staticPolicy } from './policies';
import { type SimulationResult, type TraceMinute, lowerBoundShardHours, shardsNeeded, simulate } from './simulator';
import {
  FIXED_TRACES,
  GENERATED_SHAPES,
  SHAPE_DESCRIPTIONS,
  type TraceShape,
  generateShape,
  generateTrace,
  loadTrace,
} from './traces';
import { IDEAL_WORLD, type World, realisticWorld } from './world';

/** Goals of issue 19, realistic world: max ratio and max throttled minutes. */
const GOALS: Record<TraceShape, { ratio: number; throttled: number }> = {
  base: { ratio: 1.55, throttled: 90 },
  spiky5: { ratio: 1.4, throttled: 75 },
  ramp10x: { ratio: 1.25, throttled: 5 },
  bursty: { ratio: 2.6, throttled: 100 },
};
const GENERATED_SEED = 101;
const RESEEDED = 101;

interface Case {
  readonly name: string;
  readonly shape: string;
  readonly trace: readonly TraceMinute[];
  readonly goal?: { ratio: number; throttled: number };
}

/** The first run sizes the stream for its first 10 minutes (a deploy sized for today's traffic). */
function initialShards(trace: readonly TraceMinute[]): number {
  const firstTenMinutes = Math.max(...trace.slice(0, 10).map(shardsNeeded));
  return Math.ceil(firstTenMinutes / DEFAULT_SCALER_CONFIG.targetUtilization);
}

/** Planned for its peak (the capacity planner's 0.8 utilization), the way ScalableStream sets maxShards. */
function maxShardsFor(trace: readonly TraceMinute[]): number {
  const peak = Math.max(...trace.map(shardsNeeded));
  return defaultMaxShards(Math.ceil(peak / 0.8));
}

const fixedOnly = process.argv.includes('--fixed-only');
const detail = process.argv.includes('--detail');
const cases: Case[] = FIXED_TRACES.map((name) => ({
  name,
  shape: 'fixed trace (test/fixtures/traffic-traces)',
  trace: loadTrace(name),
  goal: GOALS[name],
}));
if (!fixedOnly) {
  for (const shape of GENERATED_SHAPES) {
    cases.push({ name: shape, shape: SHAPE_DESCRIPTIONS[shape], trace: generateShape(shape, GENERATED_SEED) });
  }
  for (const shape of FIXED_TRACES) {
    cases.push({
      name: `${shape} (seed ${RESEEDED})`,
      shape: `${shape}, reseeded`,
      trace: generateTrace(shape, RESEEDED),
    });
  }
}

const worlds: World[] = [realisticWorld(), IDEAL_WORLD];

interface Row {
  readonly name: string;
  readonly lowerBound: number;
  readonly maxShards: number;
  readonly optimum: SimulationResult;
  readonly staticAtPeak: SimulationResult;
  readonly peak: number;
  readonly ours: Record<string, SimulationResult>;
  readonly baseline: Record<string, SimulationResult>;
  readonly goal?: { ratio: number; throttled: number };
}

const rows: Row[] = [];
for (const c of cases) {
  const lowerBound = lowerBoundShardHours(c.trace);
  const start = initialShards(c.trace);
  const peak = Math.max(...c.trace.map(shardsNeeded));
  const maxShards = maxShardsFor(c.trace);
  const ours: Record<string, SimulationResult> = {};
  const baseline: Record<string, SimulationResult> = {};
  for (const world of worlds) {
    ours[world.name] = simulate(c.trace, shardScalerPolicy({ maxShards }), start, world);
    baseline[world.name] = simulate(c.trace, baselinePolicy(), start, world);
  }
  rows.push({
    name: c.name,
    lowerBound,
    maxShards,
    // Resizes of large streams take longer: the optimum gets the realistic world's duration at
    // its peak (without the random extra minute), 5 minutes below 50 shards.
    optimum: offlineOptimum(c.trace, start, 5 + Math.floor(peak / 50)),
    staticAtPeak: simulate(c.trace, staticPolicy(), peak),
    peak,
    ours,
    baseline,
    goal: c.goal,
  });
  if (detail) {
    console.log(
      `\n#### ${c.name} — ${c.shape}; lower bound ${lowerBound.toFixed(0)} shard-hours, initial ${start} shards, maxShards ${maxShards}\n`,
    );
    console.log('| policy | world | shard-hours | ratio | throttled min | calls | rejected calls | max calls / 24 h |');
    console.log('|---|---|---:|---:|---:|---:|---:|---:|');
    const line = (name: string, world: string, r: SimulationResult) =>
      console.log(
        `| ${name} | ${world} | ${r.shardHours.toFixed(0)} | ${(r.shardHours / lowerBound).toFixed(2)} | ${r.throttledMinutes} | ${r.calls} | ${r.rejectedCalls} | ${r.maxCallsIn24Hours} |`,
      );
    for (const world of worlds) line('**ShardAutoScaler (ours)**', world.name, ours[world.name]);
    line('offline optimum (DP)', 'perfect foresight', rows[rows.length - 1].optimum);
    line(`static at peak (${peak} shards)`, 'any', rows[rows.length - 1].staticAtPeak);
    for (const world of worlds) line('baseline (public samples)', world.name, baseline[world.name]);
  }
}

const ratio = (r: SimulationResult, row: Row) => r.shardHours / row.lowerBound;
const geoMean = (values: number[]) => Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);
const cell = (r: SimulationResult, row: Row) => `${ratio(r, row).toFixed(2)} / ${r.throttledMinutes}`;

console.log('\n### Shard-hours ÷ lower bound / throttled minutes, construct defaults\n');
console.log(
  '| trace | lower bound (shard-h) | **ours, realistic** | calls (max / 24 h) | ours, ideal | baseline, realistic | baseline, ideal | optimum | static at peak | goal (realistic) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const row of rows) {
  const real = row.ours.realistic;
  const goal = row.goal ? `≤ ${row.goal.ratio.toFixed(2)} / ≤ ${row.goal.throttled}` : '';
  console.log(
    `| ${row.name} | ${row.lowerBound.toFixed(0)} | **${cell(real, row)}** | ${real.calls} (${real.maxCallsIn24Hours}) | ${cell(row.ours.ideal, row)} | ${cell(row.baseline.realistic, row)} | ${cell(row.baseline.ideal, row)} | ${ratio(row.optimum, row).toFixed(2)} | ${ratio(row.staticAtPeak, row).toFixed(2)} | ${goal} |`,
  );
}
const summary = (pick: (row: Row) => SimulationResult) =>
  `${geoMean(rows.map((row) => ratio(pick(row), row))).toFixed(2)} / ${rows.reduce((a, row) => a + pick(row).throttledMinutes, 0)}`;
console.log(
  `| **all ${rows.length} traces: geometric mean / total** | | **${summary((r) => r.ours.realistic)}** | | ${summary((r) => r.ours.ideal)} | ${summary((r) => r.baseline.realistic)} | ${summary((r) => r.baseline.ideal)} | ${summary((r) => r.optimum)} | ${summary((r) => r.staticAtPeak)} | |`,
);

console.log('\n### How low throttling can go at the goal ratio when demand is learnt late (bound.ts)\n');
console.log(
  '| trace | goal | best headroom-over-recent-peak policy, unlimited calls, no 2× rule: realistic (lag 7 min) | ideal (lag 6 min) |',
);
console.log('|---|---|---:|---:|');
for (const row of rows) {
  if (!row.goal) continue;
  const trace = cases.find((c) => c.name === row.name)!.trace;
  const show = (lag: number) => {
    const point = delayedInformationBound(trace, lag, row.goal!.ratio);
    return point
      ? `${point.throttledMinutes} min (ratio ${point.ratio.toFixed(2)}, h ${point.headroom.toFixed(2)}, window ${point.windowMinutes} min)`
      : 'none';
  };
  console.log(`| ${row.name} | ≤ ${row.goal.ratio.toFixed(2)} / ≤ ${row.goal.throttled} | ${show(7)} | ${show(6)} |`);
}

const failures: string[] = [];
for (const row of rows) {
  for (const world of worlds) {
    const r = row.ours[world.name];
    if (r.rejectedCalls > 0) failures.push(`${row.name} (${world.name}): ${r.rejectedCalls} rejected calls`);
    if (r.maxCallsIn24Hours > MAX_CALLS_PER_24_HOURS) {
      failures.push(`${row.name} (${world.name}): ${r.maxCallsIn24Hours} calls in 24 h`);
    }
  }
  const real = row.ours.realistic;
  if (row.goal && ratio(real, row) > row.goal.ratio) {
    failures.push(`${row.name}: ratio ${ratio(real, row).toFixed(2)} > ${row.goal.ratio}`);
  }
  if (row.goal && real.throttledMinutes > row.goal.throttled) {
    failures.push(`${row.name}: ${real.throttledMinutes} throttled min > ${row.goal.throttled}`);
  }
}
console.log(
  failures.length === 0
    ? '\nAll goals met in the realistic world; no rejected call and at most 10 calls per rolling 24 h on every trace in both worlds.'
    : `\nGoals missed:\n- ${failures.join('\n- ')}`,
);
process.exitCode = failures.length === 0 ? 0 : 1;
