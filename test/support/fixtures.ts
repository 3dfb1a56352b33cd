/**
 * Loads the real-world fixtures kept in the repository under test/fixtures (copied from public
 * projects; each folder's SOURCES.md names the origin, commit and licence of every file).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FIXTURES_DIR = path.resolve(__dirname, '..', 'fixtures');

export function fixturePath(...parts: string[]): string {
  const file = path.join(FIXTURES_DIR, ...parts);
  if (!fs.existsSync(file)) {
    throw new Error(`fixture not found: ${file}`);
  }
  return file;
}

export function readFixture(...parts: string[]): string {
  return fs.readFileSync(fixturePath(...parts), 'utf8');
}

export function loadJsonFixture<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFixture(...parts)) as T;
}

/** An AWS sample event from test/fixtures/aws-sample-events. */
export function loadSampleEvent<T = unknown>(fileName: string): T {
  return loadJsonFixture<T>('aws-sample-events', fileName);
}

/** The lines of a real log file from test/fixtures/logs, without empty lines. */
export function loadLogLines(fileName: string): string[] {
  return readFixture('logs', fileName)
    .split(/\r?\n/)
    .filter((line) => line.length > 0);
}

export function listFixtures(folder: string): string[] {
  return fs.readdirSync(path.join(FIXTURES_DIR, folder)).sort();
}
