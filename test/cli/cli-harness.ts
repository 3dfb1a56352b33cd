import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliIo } from '../../packages/cli/src/cli-io';
import { runCli } from '../../packages/cli/src/run-cli';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temporary folder standing in for cwd and HOME (no ~/.aws unless a test writes one). */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ckp-cli-'));
}

/** Runs the CLI in-process with a clean environment: only what the test passes. */
export async function runCliForTest(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; dir?: string } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const dir = options.dir ?? tempDir();
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: options.env ?? {},
    cwd: dir,
    homeDir: dir,
    now: Date.now,
    sleep: (millis) => new Promise((resolve) => setTimeout(resolve, millis)),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** Credentials and region of the emulator; never real ones. */
export const LOCAL_ENV = { AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' };
