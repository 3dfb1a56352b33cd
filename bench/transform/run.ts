/**
 * Benchmark of the reference Firehose transform (Apache log lines → web-log rows, coerced to the
 * Glue column types, newline-delimited JSON, base64) against a floor that does only the
 * unavoidable work: base64 decode + split into lines + JSON.stringify + base64 encode.
 * Both run in the same process on the same events. `npm run bench:transform` runs it bundled,
 * as the handler ships (bundled.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createApacheLogTransform, plainAccessLineJson, WEB_LOG_COLUMNS } from '../../packages/runtime/src/apache-log';
import {
  compileRowCoercer,
  processFirehoseRecords,
  type FirehoseTransformationEvent,
  type FirehoseTransformationResponse,
} from '../../packages/runtime/src/firehose-transform';

const DATA_DIR = path.resolve(__dirname, '..', '..', 'test', 'fixtures');
const TARGET_LINES = Number(process.env.BENCH_LINES ?? 60_000);
const BATCH_BYTES = 1024 * 1024; // the default transform buffer (1 MB of source data per invocation)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

function realLines(): string[] {
  const logs = path.join(DATA_DIR, 'logs');
  // Web server logs only (access, error, proxy): the syslog-only fixtures are not web logs.
  const files = fs.readdirSync(logs).filter((f) => !/SOURCES|sshd|pf-|pfsense|syslog|ssl-request/.test(f));
  const lines = files.flatMap((f) =>
    fs
      .readFileSync(path.join(logs, f), 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.length > 0),
  );
  // BENCH_SUBSET=plain|other: only the plain lines (those the fast path reads), or only the others.
  const subset = process.env.BENCH_SUBSET;
  const picked =
    subset === undefined
      ? lines
      : lines.filter((line) => (plainAccessLineJson(line) !== undefined) === (subset === 'plain'));
  // Cycle the real lines up to the target count (access lines dominate, as in a real web log).
  return Array.from({ length: TARGET_LINES }, (_, i) => picked[i % picked.length]);
}

function buildEvents(lines: string[], linesPerRecord: number): FirehoseTransformationEvent[] {
  const events: FirehoseTransformationEvent[] = [];
  let records: { recordId: string; approximateArrivalTimestamp: number; data: string }[] = [];
  let bytes = 0;
  for (let i = 0; i < lines.length; i += linesPerRecord) {
    const payload = `${lines.slice(i, i + linesPerRecord).join('\n')}\n`;
    const data = Buffer.from(payload, 'utf8').toString('base64');
    if (bytes + payload.length > BATCH_BYTES && records.length > 0) {
      events.push({ invocationId: `inv-${events.length}`, records });
      records = [];
      bytes = 0;
    }
    records.push({
      recordId: `${events.length}-${records.length}`,
      approximateArrivalTimestamp: 1700000000000 + i,
      data,
    });
    bytes += payload.length;
  }
  if (records.length > 0) events.push({ invocationId: `inv-${events.length}`, records });
  return events;
}

/** The floor: what any transform must do to turn each line into one JSON row. */
function floor(event: FirehoseTransformationEvent): FirehoseTransformationResponse {
  return {
    records: event.records.map((r) => {
      const text = Buffer.from(r.data, 'base64').toString('utf8');
      let out = '';
      for (const line of text.split('\n')) if (line.length > 0) out += `${JSON.stringify({ line })}\n`;
      return { recordId: r.recordId, result: 'Ok' as const, data: Buffer.from(out, 'utf8').toString('base64') };
    }),
  };
}

const transform = createApacheLogTransform();
const coercer = compileRowCoercer(WEB_LOG_COLUMNS);
async function reference(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResponse> {
  return (await processFirehoseRecords(event, transform, { coercer })).response;
}

type Runner = (
  e: FirehoseTransformationEvent,
) => FirehoseTransformationResponse | Promise<FirehoseTransformationResponse>;

// A scavenge (young-generation collection) before every timed run: the garbage one transform
// leaves behind is then collected before the other one runs, not charged to it.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as (options: { type: 'minor' | 'major' }) => void;

/** CPU time this process has used (user + system, all its threads), in seconds. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

interface Measure {
  /** CPU seconds of each round. */
  readonly cpu: number[];
  /** Wall-clock seconds of each round. */
  readonly wall: number[];
  /** Bytes of base64 data answered per round. */
  readonly outBytes: number;
}

/**
 * Runs both transforms on every event, back to back and alternating which goes first, for ROUNDS
 * rounds, adding up each one's CPU time per round. CPU time, not wall-clock time: on the shared
 * build machine (2 cores, load average ~20) the process waits for a core most of the time, and
 * that waiting is not its work. CPU time (process.cpuUsage: user + system, including V8's
 * garbage collector threads) still swings with the neighbours' load (shared caches and cores),
 * within seconds: interleaving per event (1 MB, tens of milliseconds) puts both under the same
 * load, and the ratio is the median of the rounds' ratios. Each timed run starts after a
 * scavenge, so that each pays for collecting its own garbage.
 */
async function measurePair(
  runners: readonly [Runner, Runner],
  events: FirehoseTransformationEvent[],
  rounds = ROUNDS,
): Promise<Measure[]> {
  const cpu: number[][] = [[], []];
  const wall: number[][] = [[], []];
  const outBytes = [0, 0];
  for (let round = 0; round < rounds; round++) {
    const roundCpu = [0, 0];
    const roundWall = [0, 0];
    const bytes = [0, 0];
    for (let e = 0; e < events.length; e++) {
      for (const which of (round + e) % 2 === 0 ? [0, 1] : [1, 0]) {
        collectGarbage({ type: 'minor' });
        const wallStart = process.hrtime.bigint();
        const cpuStart = cpuSeconds();
        const response = await runners[which](events[e]);
        roundCpu[which] += cpuSeconds() - cpuStart;
        roundWall[which] += Number(process.hrtime.bigint() - wallStart) / 1e9;
        for (const r of response.records) bytes[which] += r.data.length;
      }
    }
    for (const which of [0, 1]) {
      cpu[which].push(roundCpu[which]);
      wall[which].push(roundWall[which]);
      outBytes[which] = bytes[which];
    }
  }
  return [0, 1].map((i) => ({ cpu: cpu[i], wall: wall[i], outBytes: outBytes[i] }));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median over rounds of reference time / floor time (same round). */
function pairedRatio(reference: readonly number[], floorTimes: readonly number[]): number {
  return median(reference.map((t, i) => t / floorTimes[i]));
}

async function main(): Promise<void> {
  const lines = realLines();
  const inputMB = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0) / 1e6;
  console.log(
    `transform benchmark: ${lines.length} real-format web log lines${process.env.BENCH_SUBSET ? ` (BENCH_SUBSET=${process.env.BENCH_SUBSET})` : ''} (${inputMB.toFixed(1)} MB), ` +
      `batches of ${BATCH_BYTES / 1024 / 1024} MB, node ${process.version}, bundled with esbuild as the handlers are, load average ${os.loadavg()[0].toFixed(1)} ` +
      `on ${os.cpus().length} cores.\nMethod: process CPU time (process.cpuUsage, user + system) of each run; ` +
      `${ROUNDS} rounds, floor and reference back to back on each 1 MB event (alternating which goes first, ` +
      `a scavenge before each); same events, same process; ` +
      `× floor = median over rounds of the reference's CPU time / the floor's in the same round; ` +
      `lines/s from each one's median round. Beside it: the same ratio of the least-CPU rounds, and of wall-clock time.\n`,
  );
  console.log(
    '| records | transform | lines/s (CPU) | MB/s (input, CPU) | output MB | × floor CPU time | (best rounds) | (wall-clock) |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  let worst = 0;
  for (const linesPerRecord of [1, 10]) {
    const events = buildEvents(lines, linesPerRecord);
    await measurePair([floor, reference], events.slice(0, 3)); // warm-up
    const [f, r] = await measurePair([floor, reference], events);
    const ratio = pairedRatio(r.cpu, f.cpu);
    worst = Math.max(worst, ratio);
    if (process.env.BENCH_VERBOSE) {
      console.log(`rounds (${linesPerRecord}): ${r.cpu.map((t, i) => (t / f.cpu[i]).toFixed(2)).join(' ')}`);
    }
    const label = `${linesPerRecord} line${linesPerRecord > 1 ? 's' : ''}/record`;
    for (const [name, m, x, best, w] of [
      ['floor (decode+split+stringify+encode)', f, 1, 1, 1],
      [
        'reference (parse+type+serialize)',
        r,
        ratio,
        Math.min(...r.cpu) / Math.min(...f.cpu),
        pairedRatio(r.wall, f.wall),
      ],
    ] as const) {
      const seconds = median(m.cpu);
      console.log(
        `| ${label} | ${name} | ${Math.round(lines.length / seconds).toLocaleString('en-US')} | ` +
          `${(inputMB / seconds).toFixed(1)} | ${(m.outBytes / 1e6).toFixed(1)} | ${x.toFixed(2)} | ${best.toFixed(2)} | ${w.toFixed(2)} |`,
      );
    }
  }
  // Issue 16: within 1.3x of the floor at 1 and 10 lines per record.
  console.log(
    `\nworst reference/floor CPU time ratio: ${worst.toFixed(2)} (goal: <= 1.30) → ${worst <= 1.3 ? 'MET' : 'NOT MET'}`,
  );
  const worstGrowth = await hostileRecords();
  // A missed goal fails the run, so that `npm run bench` (scripts/bench-all.sh) names it.
  if (worst > 1.3 || worstGrowth > HOSTILE_GOAL) process.exitCode = 1;
}

/**
 * Hostile records: many short lines that lack what a parser searches for (a space, a ']', a
 * quote). A search that runs past the line's end to the next line that has the character costs
 * the rest of the record per line: quadratic in the record's size. The same bytes are timed as
 * one 1 MB record (Firehose's record limit is 1,000 KiB) and as ten 100 KB records: time per byte
 * must not grow with the record's size as a quadratic cost does (goal: the 1 MB record costs at
 * most 3x per byte). Measured: 1.0-1.2x; 4.2-5.3x when the scanner searched past line ends, and
 * one long access line took 3 s per 100 KB when a lazy regex read its rest.
 */
const HOSTILE_GOAL = 3;

async function hostileRecords(): Promise<number> {
  const common = '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326';
  const lines = (line: string) => (bytes: number) => line.repeat(Math.floor(bytes / line.length));
  // One access line whose rest (after %b) is long: a regex ending in `(?: (.*?))?\s*$` read it
  // in time quadratic in its length (100 KB: 3 s; with integers and a '\r' before the end, 24 s).
  const oneLine = (rest: (n: number) => string) => (bytes: number) => `${common}${rest(bytes - common.length)}\n`;
  const shapes: [string, (bytes: number) => string][] = [
    ["'x' lines (no space)", lines('x\n')],
    ["'a b c [x' lines (no ']')", lines('a b c [x\n')],
    ["'a b c [x] y' lines (no quote)", lines('a b c [x] y\n')],
    ['one access line: a, spaces, b', oneLine((n) => ` a${' '.repeat(n - 3)}b`)],
    ["one access line: ' 1' x n, then '\\rx'", oneLine((n) => `${' 1'.repeat((n - 3) >> 1)} \rx`)],
  ];
  const size = 1_000_000;
  const event = (records: number, text: (bytes: number) => string): FirehoseTransformationEvent => {
    const data = Buffer.from(text(Math.floor(size / records)), 'utf8').toString('base64');
    return {
      invocationId: 'hostile',
      records: Array.from({ length: records }, (_, i) => ({ recordId: `${i}`, approximateArrivalTimestamp: 0, data })),
    };
  };
  console.log('\n| hostile record | 1 MB record: ms (CPU) | 10 × 100 KB: ms (CPU) | × per byte |');
  console.log('|---|---:|---:|---:|');
  let worstGrowth = 0;
  for (const [name, text] of shapes) {
    const one = event(1, text);
    const ten = event(10, text);
    // Each round times the reference once on each event (the event measurePair passes is unused).
    const [big, small] = await measurePair([() => reference(one), () => reference(ten)], [one], 5);
    const growth = pairedRatio(big.cpu, small.cpu);
    worstGrowth = Math.max(worstGrowth, growth);
    console.log(
      `| ${name} | ${(median(big.cpu) * 1000).toFixed(0)} | ${(median(small.cpu) * 1000).toFixed(0)} | ${growth.toFixed(2)} |`,
    );
  }
  console.log(
    `\nworst per-byte growth from 100 KB to 1 MB records: ${worstGrowth.toFixed(2)} (goal: <= ${HOSTILE_GOAL}) → ${worstGrowth <= HOSTILE_GOAL ? 'MET' : 'NOT MET'}`,
  );
  return worstGrowth;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
