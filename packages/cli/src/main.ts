#!/usr/bin/env node
import * as os from 'node:os';
import { runCli } from './run-cli';

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  homeDir: os.homedir(),
  now: Date.now,
  sleep: (millis) => new Promise((resolve) => setTimeout(resolve, millis)),
}).then((code) => {
  process.exitCode = code;
});
