/** The fixed traces of test/fixtures/traffic-traces and seeded generators of the same shapes. */
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
