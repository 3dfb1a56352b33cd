/**
 * npm run bench:autoscaler — replays 7-day per-minute traffic traces through the shard scaler's
 * real decision function and compares it with the offline optimum, static provisioning at peak
 * and the public samples' policy. Prints one Markdown table per trace and checks the goals.
 */
import { DEFAULT_SCALER_CONFIG } from '../../lambda/shard-scaler/decision';
import { offlineOptimum } from './optimum';
import { baselinePolicy, shardScalerPolicy, staticPolicy } from './policies';
import { type SimulationResult, type TraceMinute, lowerBoundShardHours, shardsNeeded, simulate } from './simulator';
import { FIXED_TRACES, type TraceShape, generateTrace, loadTrace } from './traces';

/** Goals of the issue on the fixed traces: max ratio and max throttled minutes. */
const GOALS: Record<TraceShape, { ratio: number; throttled: number }> = {
  base: { ratio: 1.7, throttled: 110 },
  spiky5: { ratio: 1.5, throttled: 75 },
  ramp10x: { ratio: 1.25, throttled: 5 },
  bursty: { ratio: 2.8, throttled: 70 },
};
const GENERATED_SEEDS = [101, 202];

function initialShards(trace: readonly TraceMinute[]): number {
  const firstTenMinutes = Math.max(...trace.slice(0, 10).map(shardsNeeded));
  return Math.ceil(firstTenMinutes / DEFAULT_SCALER_CONFIG.targetUtilization);
}

function row(name: string, result: SimulationResult, lowerBound: number): string {
  return `| ${name} | ${result.shardHours.toFixed(0)} | ${(result.shardHours / lowerBound).toFixed(2)} | ${result.throttledMinutes} | ${result.calls} | ${result.rejectedCalls} | ${result.maxCallsIn24Hours} |`;
}

function benchmark(label: string, trace: readonly TraceMinute[]): SimulationResult {
  const lowerBound = lowerBoundShardHours(trace);
  const start = initialShards(trace);
  const peak = Math.max(...trace.map(shardsNeeded));
  const ours = simulate(trace, shardScalerPolicy(), start);
  const results: Array<[string, SimulationResult]> = [
    ['**ShardAutoScaler (ours)**', ours],
    ['offline optimum (DP)', offlineOptimum(trace, start)],
    [`static at peak (${peak} shards)`, simulate(trace, staticPolicy(), peak)],
    ['baseline: 2x after 5×5 min ≥75%, ½ after 57/60 min <25%', simulate(trace, baselinePolicy(), start)],
  ];
  console.log(`\n#### ${label} — lower bound ${lowerBound.toFixed(0)} shard-hours, initial ${start} shards\n`);
  console.log('| policy | shard-hours | ratio | throttled min | calls | rejected calls | max calls / 24 h |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [name, result] of results) console.log(row(name, result, lowerBound));
  return ours;
}

const failures: string[] = [];
console.log('### Fixed traces (test/fixtures/traffic-traces)');
for (const name of FIXED_TRACES) {
  const trace = loadTrace(name);
  const ours = benchmark(name, trace);
  const ratio = ours.shardHours / lowerBoundShardHours(trace);
  const goal = GOALS[name];
  if (ratio > goal.ratio) failures.push(`${name}: ratio ${ratio.toFixed(2)} > ${goal.ratio}`);
  if (ours.throttledMinutes > goal.throttled)
    failures.push(`${name}: ${ours.throttledMinutes} throttled min > ${goal.throttled}`);
  if (ours.rejectedCalls > 0) failures.push(`${name}: ${ours.rejectedCalls} rejected calls`);
  if (ours.maxCallsIn24Hours > 10) failures.push(`${name}: ${ours.maxCallsIn24Hours} calls in 24 h`);
}
if (!process.argv.includes('--fixed-only')) {
  console.log('\n### Generated traces (same shapes, other seeds)');
  for (const shape of FIXED_TRACES) {
    for (const seed of GENERATED_SEEDS) benchmark(`${shape}, seed ${seed}`, generateTrace(shape, seed));
  }
}
console.log(
  failures.length === 0 ? '\nAll goals met on the fixed traces.' : `\nGoals missed:\n- ${failures.join('\n- ')}`,
);
process.exitCode = failures.length === 0 ? 0 : 1;
