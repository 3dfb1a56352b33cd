/**
 * Memory benchmark of `produce --file`: writes a file of N MiB of JSON lines to a temp
 * folder, streams it through the CLI (a child process, so that its own peak RSS is measured)
 * into a null Kinesis endpoint on 127.0.0.1, and reports peak RSS and throughput. Two sizes show
 * whether memory grows with the file (it must not). The files are deleted afterwards.
 *
 *   npm run bench:producer-memory [-- --sizes 64,1024 --aggregate]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { sampleLines } from '../../packages/runtime/src/producer';
import { startNullKinesis } from './null-kinesis';

const MIB = 1024 * 1024;
const ROOT = path.resolve(__dirname, '../..');

interface Run {
  readonly sizeMib: number;
  readonly lines: number;
  readonly sent: number;
  readonly entries: number;
  readonly calls: number;
  readonly seconds: number;
  readonly peakRssMib: number;
  /** CPU seconds of the produce process (user + system): the machine may be shared. */
  readonly cpuSeconds: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, aggregate: { type: 'boolean' } } });
  const sizes = (values.sizes ?? '64,1024').split(',').map(Number);
  const aggregate = values.aggregate === true;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckp-produce-bench-'));
  const runs: Run[] = [];
  try {
    for (const sizeMib of sizes) {
      const file = path.join(dir, `lines-${sizeMib}.log`);
      const lines = writeFile(file, sizeMib * MIB);
      runs.push(await produce(file, sizeMib, lines, aggregate));
      fs.rmSync(file);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nproduce --file${aggregate ? ' --aggregate' : ''} into a null Kinesis endpoint on 127.0.0.1 (4 shards), JSON lines of about 1 KiB, --rate unlimited\n`,
  );
  console.log(
    '| file | lines | records sent | PutRecords calls | wall s | MiB/s | records/s | CPU s of produce | MiB per CPU s | peak RSS | goal ≤ 256 MiB |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|');
  for (const run of runs) {
    console.log(
      `| ${run.sizeMib} MiB | ${fmt(run.lines)} | ${fmt(run.sent)} | ${fmt(run.calls)} | ${run.seconds.toFixed(1)} | ${(run.sizeMib / run.seconds).toFixed(1)} | ${fmt(run.sent / run.seconds)} | ${run.cpuSeconds.toFixed(1)} | ${(run.sizeMib / run.cpuSeconds).toFixed(1)} | ${run.peakRssMib.toFixed(0)} MiB | ${run.peakRssMib <= 256 ? 'yes' : 'NO'} |`,
    );
  }
  console.log(
    `\nnode ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}, ${new Date().toISOString()}`,
  );
}

/**
 * Writes whole lines of about 1 KiB (five sample JSON events each) until the file reaches
 * `bytes`; returns the number of lines. A 1 MiB block is written over and over: the content does
 * not matter to the producer, only the sizes (partition keys are random).
 */
function writeFile(file: string, bytes: number): number {
  const block: string[] = [];
  let blockBytes = 0;
  let events: string[] = [];
  for (const event of sampleLines('json', { seed: 42 })) {
    events.push(event);
    if (events.length < 5) continue;
    const line = `{"events":[${events.join(',')}]}`;
    events = [];
    block.push(line);
    blockBytes += Buffer.byteLength(line) + 1;
    if (blockBytes >= MIB) break;
  }
  const chunk = Buffer.from(`${block.join('\n')}\n`);
  const fd = fs.openSync(file, 'w');
  let written = 0;
  let lines = 0;
  try {
    while (written < bytes) {
      fs.writeSync(fd, chunk);
      written += chunk.length;
      lines += block.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return lines;
}

async function produce(file: string, sizeMib: number, lines: number, aggregate: boolean): Promise<Run> {
  const kinesis = await startNullKinesis(4);
  try {
    const args = [
      '--require',
      path.join(__dirname, 'max-rss.cjs'),
      '--import',
      'tsx',
      path.join(ROOT, 'packages/cli/src/main.ts'),
      'produce',
      '--stream-name',
      'null',
      '--file',
      file,
      '--rate',
      '1000000000',
      '--endpoint-url',
      kinesis.endpoint,
      ...(aggregate ? ['--aggregate'] : []),
    ];
    const started = process.hrtime.bigint();
    const { code, stdout, stderr } = await run(process.execPath, args, {
      PATH: process.env.PATH,
      HOME: os.tmpdir(),
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const sent = Number(/records sent: +(\d+) of (\d+)/.exec(stdout)?.[1] ?? NaN);
    const usage = /max-rss-kib (\d+) cpu-micros (\d+)/.exec(stderr);
    const rss = Number(usage?.[1] ?? NaN);
    if (code !== 0 || sent !== lines || (!aggregate && kinesis.received.entries !== lines)) {
      throw new Error(`produce failed (exit ${code}, sent ${sent} of ${lines}):\n${stdout}\n${stderr.slice(-2000)}`);
    }
    return {
      sizeMib,
      lines,
      sent,
      entries: kinesis.received.entries,
      calls: kinesis.received.calls,
      seconds,
      peakRssMib: rss / 1024,
      cpuSeconds: Number(usage?.[2] ?? NaN) / 1e6,
    };
  } finally {
    await kinesis.stop();
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr = (stderr + String(chunk)).slice(-100_000)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
