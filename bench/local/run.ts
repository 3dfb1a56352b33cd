/**
 * npm run bench:local — the local run (`npm run local`, issue 18) on 10,000 records: the
 * repository's real Apache logs cycled to 10,000 lines plus the three poison records, through
 * the reference app, as `npm run local -- --records 10000` does.
 *
 * Two runs in one process, one after the other: the figure, 10,000 records with `--app`
 * (synthesis included: the "10,000 records finish in ≤ 60 s on 2 cores"); then the
 * baseline, 1,000 records from the assembly the first run synthesized (no synthesis).
 * Printed: wall time per phase of each run (synthesis, producing into kinesis-local and reading
 * back, each event source mapping, each delivery stream (transform, Parquet), the DuckDB query),
 * the account of the 10,000-record run, and the machine's load average (the cores are shared).
 * Goals: the account holds every record; the time per record after synthesis at 10,000 records is
 * at most 1.5 × that at 1,000 in the same run (the cost grows linearly: kinesis-local's PutRecords
 * into one big shard made it quadratic); and the 10,000-record run, synthesis included, within
 * 60 s. A missed goal fails the run, so that `npm run bench` (scripts/bench-all.sh) names it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatAccount } from '../../packages/cli/src/local/account';
import { lineRecords, poisonRecords, readInputLines } from '../../packages/cli/src/local/input';
import { LOCAL_RECORDS_DIR } from '../../packages/cli/src/local/local-aws-server';
import { type LocalRunResult, runLocal } from '../../packages/cli/src/local/run-local';

const REPO = path.resolve(__dirname, '..', '..');
const RECORDS = 10_000;
const BASELINE_RECORDS = 1_000;
const GOAL_SECONDS = 60;
const GOAL_LINEARITY = 1.5;

interface Timed {
  readonly result: LocalRunResult;
  /** Seconds since the run started, per log line. */
  readonly lines: readonly { at: number; line: string }[];
}

async function timedRun(count: number, source: { app?: string; assembly?: string }, outDir: string): Promise<Timed> {
  const lines = readInputLines(['test/fixtures/logs'], REPO);
  const poison = poisonRecords();
  const records = [...lineRecords(lines, count), ...poison];
  const log: { at: number; line: string }[] = [];
  const started = Date.now();
  const result = await runLocal({
    ...source,
    cwd: REPO,
    outDir,
    records,
    poisonKinds: poison.map((p) => p.kind),
    region: 'us-east-1',
    env: process.env,
    // runLocal prefixes each line with its own clock: keep the line, time it here.
    log: (line) => log.push({ at: (Date.now() - started) / 1000, line: line.replace(/^\[[\d.]+ s\] /, '') }),
  });
  return { result, lines: log };
}

/** Phases from the run's log: each one ends at the line that says it is done. */
function phases(run: Timed): { phase: string; seconds: number }[] {
  const at = (prefix: string) => run.lines.find((l) => l.line.startsWith(prefix))?.at;
  const synthesized = at('stream ') ?? 0;
  const putStart = at('putting ') ?? synthesized;
  const readBack = at('read ') ?? putStart;
  const out: { phase: string; seconds: number }[] = [
    { phase: 'synthesis (kinesis-local starting meanwhile)', seconds: synthesized },
    { phase: 'servers up', seconds: putStart - synthesized },
    { phase: 'put into kinesis-local and read back', seconds: readBack - putStart },
  ];
  for (const l of run.lines) {
    if (/: \d+ invocation\(s\) done$/.test(l.line) || / source record\(s\) delivered$/.test(l.line))
      out.push({ phase: `  ${l.line.replace(/KinesisReferencePipeline-/g, '')}`, seconds: l.at - readBack });
  }
  const done = at('consumers and delivery streams done') ?? readBack;
  out.push({ phase: 'consumers and delivery streams (concurrent)', seconds: done - readBack });
  out.push({ phase: 'DuckDB query and account', seconds: run.result.elapsedMs / 1000 - done });
  out.push({ phase: 'total', seconds: run.result.elapsedMs / 1000 });
  return out;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-local-'));
  const loadBefore = os.loadavg();
  console.log(
    `local run benchmark: ${RECORDS} records (+3 poison) through the reference app, baseline ${BASELINE_RECORDS} ` +
      `in the same process; node ${process.version}, ${os.cpus().length} cores, load average ` +
      `${loadBefore.map((l) => l.toFixed(1)).join(' ')} (other processes share the cores).\n`,
  );
  try {
    const big = await timedRun(RECORDS, { app: 'npx tsx bin/reference-pipeline.ts' }, path.join(work, 'big'));
    // The baseline reads the assembly the first run synthesized, from another out folder.
    const assembly = path.join(work, 'big', LOCAL_RECORDS_DIR, 'cdk.out');
    const small = await timedRun(BASELINE_RECORDS, { assembly }, path.join(work, 'small'));
    const loadAfter = os.loadavg();

    const bigPhases = phases(big);
    const smallPhases = phases(small);
    console.log(`| phase | ${RECORDS} records (s) | ${BASELINE_RECORDS} records, from the assembly (s) |`);
    console.log('|---|---:|---:|');
    for (const p of bigPhases) {
      const s = smallPhases.find((x) => x.phase.replace(/\d+/g, '') === p.phase.replace(/\d+/g, ''));
      console.log(`| ${p.phase} | ${p.seconds.toFixed(1)} | ${s ? s.seconds.toFixed(1) : '-'} |`);
    }
    console.log(`\n${formatAccount(big.result.account, big.result.elapsedMs)}`);

    const synthesis = bigPhases[0].seconds;
    const perRecordBig = (big.result.elapsedMs / 1000 - synthesis) / RECORDS;
    const perRecordSmall = small.result.elapsedMs / 1000 / BASELINE_RECORDS;
    const linearity = perRecordBig / perRecordSmall;
    const total = big.result.elapsedMs / 1000;
    const goals = [
      [`every record accounted for (both runs)`, big.result.account.ok && small.result.account.ok],
      [
        `time per record after synthesis, ${RECORDS} / ${BASELINE_RECORDS} records: ${linearity.toFixed(2)} (goal: <= ${GOAL_LINEARITY})`,
        linearity <= GOAL_LINEARITY,
      ],
      [
        `${RECORDS} records, synthesis included: ${total.toFixed(1)} s (goal: <= ${GOAL_SECONDS} s)`,
        total <= GOAL_SECONDS,
      ],
    ] as const;
    console.log(`load average after: ${loadAfter.map((l) => l.toFixed(1)).join(' ')}`);
    for (const [goal, met] of goals) console.log(`${goal} → ${met ? 'MET' : 'NOT MET'}`);
    if (goals.some(([, met]) => !met)) process.exitCode = 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
