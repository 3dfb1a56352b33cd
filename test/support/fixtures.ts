/** Loads the shared, real-world fixtures from ../shared/data (override with SHARED_DATA_DIR). */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SHARED_DATA_DIR =
  process.env.SHARED_DATA_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'data');

export function fixturePath(...parts: string[]): string {
  const file = path.join(SHARED_DATA_DIR, ...parts);
  if (!fs.existsSync(file)) {
    throw new Error(`fixture not found: ${file} (set SHARED_DATA_DIR to the shared/data folder)`);
  }
  return file;
}

export function readFixture(...parts: string[]): string {
  return fs.readFileSync(fixturePath(...parts), 'utf8');
}

export function loadJsonFixture<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFixture(...parts)) as T;
}

/** An AWS sample event from ../shared/data/aws-sample-events. */
export function loadSampleEvent<T = unknown>(fileName: string): T {
  return loadJsonFixture<T>('aws-sample-events', fileName);
}

/** The lines of a real log file from ../shared/data/logs, without empty lines. */
export function loadLogLines(fileName: string): string[] {
  return readFixture('logs', fileName)
    .split(/\r?\n/)
    .filter((line) => line.length > 0);
}

export function listFixtures(folder: string): string[] {
  return fs.readdirSync(path.join(SHARED_DATA_DIR, folder)).sort();
}
