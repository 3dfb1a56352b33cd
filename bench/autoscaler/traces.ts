/**
 * The fixed traces of test/fixtures/traffic-traces, seeded generators of the same shapes, and
 * generated traces of other shapes (surges, flash crowds, decay, noise, large records, steps,
 * near-zero traffic, a stream of several hundred shards).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { seededRandom } from '../../packages/runtime/src/producer/sample-data';
import type { TraceMinute } from './simulator';

export const TRACES_DIR = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'traffic-traces');
export const FIXED_TRACES = ['base', 'spiky5', 'ramp10x', 'bursty'] as const;
export type TraceShape = (typeof FIXED_TRACES)[number];

export function loadTrace(name: string, dir = TRACES_DIR): TraceMinute[] {
  const lines = fs
    .readFileSync(path.join(dir, `${name}.csv`), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1);
  return lines.map((line) => {
    const [, records, bytes] = line.split(',');
    return { recordsPerSecond: Number(records), bytesPerSecond: Number(bytes) };
  });
}

const MINUTES = 7 * 24 * 60;

/** Diurnal load in records/s: low at night, a daytime plateau, weekends at 60%. */
function diurnal(minute: number, peakRecords: number): number {
  const hour = (minute / 60) % 24;
  const day = Math.floor(minute / 1440);
  const shape = 0.25 + 0.75 * Math.max(0, Math.sin(((hour - 4) / 20) * Math.PI)) ** 1.2;
  return peakRecords * shape * (day >= 5 ? 0.6 : 1);
}

/** Generates a 7-day trace of one of the four shapes; seeds differ from the fixed traces. */
export function generateTrace(shape: TraceShape, seed: number): TraceMinute[] {
  const rnd = seededRandom(seed);
  const noise = () => 1 + (rnd() * 2 - 1) * 0.1;
  const trace: TraceMinute[] = [];
  const spikes: Array<{ start: number; length: number; factor: number }> = [];
  if (shape === 'base' || shape === 'spiky5') {
    for (let day = 0; day < 7; day++) {
      for (let k = 0; k < 2; k++) {
        const start = day * 1440 + Math.floor(rnd() * 1400);
        spikes.push(
          shape === 'base' ? { start, length: 20, factor: 2 + rnd() * 2 } : { start, length: 5, factor: 3 + rnd() * 3 },
        );
      }
    }
  }
  let burstOn = false;
  let burstLevel = 0;
  let nextToggle = 0;
  const peak = 4000 + rnd() * 3000;
  for (let m = 0; m < MINUTES; m++) {
    let records: number;
    let recordSize = 600;
    if (shape === 'ramp10x') {
      const growth = Math.min(1, m / (3 * 1440));
      records = 2300 * (1 + 9 * growth);
      recordSize = 1000;
    } else if (shape === 'bursty') {
      if (m >= nextToggle) {
        burstOn = !burstOn;
        burstLevel = 4000 + rnd() * 6000;
        nextToggle = m + (burstOn ? 30 + rnd() * 150 : 30 + rnd() * 210);
      }
      records = burstOn ? burstLevel : 2000;
      recordSize = 800;
    } else {
      records = diurnal(m, peak);
      const hour = (m / 60) % 24;
      if (hour >= 18 && hour < 22) recordSize = 1100;
      for (const spike of spikes) if (m >= spike.start && m < spike.start + spike.length) records *= spike.factor;
    }
    const r = records * noise();
    trace.push({ recordsPerSecond: r, bytesPerSecond: r * recordSize });
  }
  return trace;
}

/** Shapes other than the fixed traces', each a 7-day per-minute trace from a seed. */
export const GENERATED_SHAPES = [
  'weekly-surge',
  'flash-crowd',
  'slow-decay',
  'noise',
  'large-records',
  'step',
  'near-zero',
  'big-diurnal',
] as const;
export type GeneratedShape = (typeof GENERATED_SHAPES)[number];

/** What each generated shape is, for the benchmark's table. */
export const SHAPE_DESCRIPTIONS: Record<GeneratedShape, string> = {
  'weekly-surge': 'diurnal, then a 3× surge for 30 h mid-week (3-hour ramps)',
  'flash-crowd': 'diurnal, one 20× flash crowd (3-minute rise, 40 minutes, 1-hour decay)',
  'slow-decay': '10× decay over 4 days, then level',
  noise: 'level 8 shards with ±50 % noise every minute',
  'large-records': '50 KB records (bytes-bound), diurnal',
  step: '4× step up on day 3, back down on day 5',
  'near-zero': '~3 records/s with rare 5–15-minute bursts of 1–2 shards',
  'big-diurnal': 'diurnal stream of ~400 shards at its peak, ±10 % noise',
};

/** Generates a 7-day trace of one of the generated shapes. */
export function generateShape(shape: GeneratedShape, seed: number): TraceMinute[] {
  const rnd = seededRandom(seed);
  const jitter = (amount: number) => 1 + (rnd() * 2 - 1) * amount;
  const trace: TraceMinute[] = [];
  const flashStart = 3 * 1440 + 14 * 60 + Math.floor(rnd() * 120);
  // near-zero: a burst every 2 to 8 hours, 5 to 15 minutes at 800 to 1,500 records/s.
  const bursts: Array<{ start: number; end: number; level: number }> = [];
  for (let m = 60 + Math.floor(rnd() * 120); m < MINUTES; m += 120 + Math.floor(rnd() * 360)) {
    bursts.push({ start: m, end: m + 5 + Math.floor(rnd() * 11), level: 800 + rnd() * 700 });
  }
  for (let m = 0; m < MINUTES; m++) {
    let records: number;
    let recordSize = 700;
    switch (shape) {
      case 'weekly-surge': {
        const base = diurnal(m, 5000);
        const start = 2 * 1440 + 8 * 60;
        const ramp = 180;
        const end = start + 30 * 60;
        const surge =
          m < start || m > end + ramp ? 0 : m < start + ramp ? (m - start) / ramp : m < end ? 1 : 1 - (m - end) / ramp;
        records = base * (1 + 2 * surge) * jitter(0.1);
        break;
      }
      case 'flash-crowd': {
        const base = diurnal(m, 3000);
        const since = m - flashStart;
        const factor =
          since < 0
            ? 1
            : since < 3
              ? 1 + (19 * (since + 1)) / 3
              : since < 43
                ? 20
                : 1 + 19 * Math.exp(-(since - 43) / 20);
        records = base * factor * jitter(0.1);
        recordSize = 500;
        break;
      }
      case 'slow-decay': {
        const decay = Math.min(1, m / (4 * 1440));
        records = 30_000 * (1 - 0.9 * decay) * jitter(0.1);
        recordSize = 800;
        break;
      }
      case 'noise':
        records = 8000 * jitter(0.5);
        recordSize = 500;
        break;
      case 'large-records':
        records = (diurnal(m, 5.5 * 1024 * 1024) / 50_000) * jitter(0.1);
        recordSize = 50_000;
        break;
      case 'step': {
        const high = m >= 2.5 * 1440 && m < 4.5 * 1440;
        records = (high ? 8000 : 2000) * jitter(0.1);
        break;
      }
      case 'near-zero': {
        const burst = bursts.find((b) => m >= b.start && m < b.end);
        records = (burst ? burst.level : 3) * jitter(0.2);
        recordSize = 1000;
        break;
      }
      case 'big-diurnal':
        records = diurnal(m, 380_000) * jitter(0.1);
        recordSize = 1000;
        break;
    }
    trace.push({ recordsPerSecond: records, bytesPerSecond: records * recordSize });
  }
  return trace;
}
