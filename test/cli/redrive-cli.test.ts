/**
 * `cdk-kinesis-pipeline redrive` offline (file source, file target): flags checked before
 * anything runs, streamed input, outcomes and exit codes, and the local ledger's claims.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCAL_ENV, runCliForTest, tempDir } from './cli-harness';

const STREAM = 'arn:aws:kinesis:us-east-1:111111111111:stream/s';

function quarantined(n: number, overrides: Record<string, unknown> = {}) {
  return {
    version: 1,
    reason: 'PoisonRecordError',
    error: { name: 'Error', message: 'bad' },
    streamArn: STREAM,
    shardId: 'shardId-000000000000',
    sequenceNumber: String(1000 + n),
    partitionKey: `k${n}`,
    approximateArrivalTimestamp: '2024-01-01T00:00:00Z',
    quarantinedAt: '2024-01-01T00:00:00Z',
    data: Buffer.from(`record ${n}`).toString('base64'),
    ...overrides,
  };
}

function sourceFile(dir: string, lines: unknown[], name = 'failures.ndjson'): string {
  fs.writeFileSync(
    path.join(dir, name),
    lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n',
  );
  return name;
}

const outLines = (dir: string) =>
  fs.existsSync(path.join(dir, 'out.ndjson'))
    ? fs.readFileSync(path.join(dir, 'out.ndjson'), 'utf8').trim().split('\n').filter(Boolean)
    : [];

describe('flags are checked before anything is read or written', () => {
  test.each<[string, string[], RegExp]>([
    [
      '--max-objects 0',
      ['--source', 's3://failures/q/', '--dry-run', '--max-objects', '0'],
      /--max-objects must be an integer between 1 and 100000. Received '0'/,
    ],
    ['--max-objects -1', ['--source', 's3://failures/q/', '--dry-run', '--max-objects=-1'], /Received '-1'/],
    ['--max-objects NaN', ['--source', 's3://failures/q/', '--dry-run', '--max-objects', 'NaN'], /Received 'NaN'/],
    ['--max-objects 1e3', ['--source', 's3://failures/q/', '--dry-run', '--max-objects', '1e3'], /Received '1e3'/],
    [
      '--batch-size 501',
      ['--source', 'f.json', '--dry-run', '--batch-size', '501'],
      /--batch-size must be an integer between 1 and 500. Received '501'/,
    ],
    [
      '--source s3:bucket',
      ['--source', 's3:bucket/q/', '--dry-run'],
      /--source must be s3:\/\/bucket\/prefix with a valid bucket name. Received 's3:bucket\/q\/'/,
    ],
    ['--source s3://', ['--source', 's3://', '--dry-run'], /--source must be s3:\/\/bucket\/prefix/],
    ['--source S3://Bucket', ['--source', 'S3://Bucket/x', '--dry-run'], /--source must be s3:\/\/bucket\/prefix/],
    [
      '--to-file s3://',
      ['--source', 'f.json', '--to-file', 's3://failures/out'],
      /--to-file takes a local file path. Received 's3:\/\/failures\/out'/,
    ],
    [
      '--stream-arn not an ARN',
      ['--source', 'f.json', '--stream-arn', 'orders'],
      /--stream-arn must be a Kinesis stream ARN/,
    ],
    [
      '--stream-name with a slash',
      ['--source', 'f.json', '--stream-name', 'a/b'],
      /--stream-name must be 1 to 128 characters/,
    ],
    [
      '--read-back-from not an ARN',
      ['--source', 'f.json', '--dry-run', '--read-back-from', 'x'],
      /--read-back-from must be a Kinesis stream ARN/,
    ],
    [
      'a whole bucket without a scope',
      ['--source', 's3://failures', '--to-file', 'o'],
      /a replay from S3 needs an explicit scope: a prefix \(s3:\/\/failures\/quarantine\/\), --key, or --modified-after\/--modified-before/,
    ],
    [
      '--key with a prefix',
      ['--source', 's3://failures/q/', '--to-file', 'o', '--key', 'q/a'],
      /give --key with --source s3:\/\/bucket only/,
    ],
    [
      '--modified-after yesterday',
      ['--source', 's3://failures', '--to-file', 'o', '--modified-after', 'yesterday'],
      /--modified-after must be an ISO-8601 date/,
    ],
    [
      'an empty time range',
      [
        '--source',
        's3://failures',
        '--to-file',
        'o',
        '--modified-after',
        '2024-05-02',
        '--modified-before',
        '2024-05-01',
      ],
      /--modified-after must be before --modified-before/,
    ],
    [
      '--max-objects on a file',
      ['--source', 'f.json', '--dry-run', '--max-objects', '5'],
      /--max-objects applies to an S3 source/,
    ],
    ['--dry-run=true', ['--source', 'f.json', '--dry-run=true'], /--dry-run/],
    [
      '--ledger s3 without slash',
      ['--source', 'f.json', '--dry-run', '--ledger', 's3://failures/ledger'],
      /--ledger s3:\/\/bucket\/prefix\/ must end with '\/'/,
    ],
  ])('%s: usage error, exit 2', async (_name, args, message) => {
    const dir = tempDir();
    const run = await runCliForTest(['redrive', ...args], { env: LOCAL_ENV, dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('outcomes and exit codes', () => {
  test('every record is replayed once; a rerun finds them done; exit 0', async () => {
    const dir = tempDir();
    const source = sourceFile(dir, [quarantined(1), quarantined(2)]);
    const first = await runCliForTest(['redrive', '--source', source, '--to-file', 'out.ndjson'], { dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/replayed +2/);
    const again = await runCliForTest(['redrive', '--source', source, '--to-file', 'out.ndjson'], { dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already replayed: +2/);
    expect(outLines(dir)).toHaveLength(2);
    // The ledger: a claim before each put, done after.
    expect(
      fs
        .readFileSync(path.join(dir, `${source}.redrive-ledger`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]),
    ).toEqual(['claim', 'claim', 'done', 'done']);
  });

  test('nothing recognised exits 1 and says why, per line', async () => {
    const dir = tempDir();
    const source = sourceFile(dir, [
      '{"hello":"world"}',
      'not json',
      quarantined(3, { partitionKey: '' }),
      quarantined(4, { data: '%%%%' }),
    ]);
    const run = await runCliForTest(['redrive', '--source', source, '--to-file', 'out.ndjson'], { dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/unrecognized: +4/);
    expect(run.stderr).toContain(
      `unrecognized: ${path.join(dir, source)}:1: neither a Kinesis on-failure record nor a quarantine record`,
    );
    expect(run.stderr).toContain(':2: not JSON');
    expect(run.stderr).toContain(':3: quarantine record has no partition key');
    expect(run.stderr).toContain(':4: quarantine record data is not base64');
    expect(outLines(dir)).toEqual([]);
  });

  test('a pretty-printed single document is read whole', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'one.json'), JSON.stringify(quarantined(5), null, 2));
    const run = await runCliForTest(['redrive', '--source', 'one.json', '--to-file', 'out.ndjson'], { dir });
    expect(run.code).toBe(0);
    expect(outLines(dir)).toHaveLength(1);
  });

  test('a large file is streamed in chunks: every line replayed once, in order', async () => {
    const dir = tempDir();
    const count = 1234;
    const source = sourceFile(
      dir,
      Array.from({ length: count }, (_, n) => quarantined(n)),
    );
    const run = await runCliForTest(['redrive', '--source', source, '--to-file', 'out.ndjson', '--batch-size', '500'], {
      dir,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`records found: +${count}\\n`));
    const keys = outLines(dir).map((l) => (JSON.parse(l) as { partitionKey: string }).partitionKey);
    expect(keys).toEqual(Array.from({ length: count }, (_, n) => `k${n}`));
  });
});

describe('the local ledger', () => {
  test('a second run on a ledger in use stops with one line, puts nothing', async () => {
    const dir = tempDir();
    const source = sourceFile(dir, [quarantined(1)]);
    fs.writeFileSync(
      path.join(dir, `${source}.redrive-ledger.lock`),
      JSON.stringify({ pid: process.pid, host: require('node:os').hostname(), since: '2024-01-01T00:00:00.000Z' }),
    );
    const run = await runCliForTest(['redrive', '--source', source, '--to-file', 'out.ndjson'], { dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: redrive ledger ${path.join(dir, source)}.redrive-ledger is in use by process ${process.pid} on ${require('node:os').hostname()} since 2024-01-01T00:00:00.000Z; wait for it, or delete ${path.join(dir, source)}.redrive-ledger.lock if that run is gone\n`,
    );
    expect(outLines(dir)).toEqual([]);
  });

  test("a crashed run's lock is taken over and its unmarked claims replayed", async () => {
    const dir = tempDir();
    const source = sourceFile(dir, [quarantined(1), quarantined(2)]);
    const ledger = path.join(dir, `${source}.redrive-ledger`);
    const key = (n: number) => `${STREAM}/shardId-000000000000/${1000 + n}`;
    // Crashed after putting record 1 (marked) and record 2 (claimed, not marked).
    fs.writeFileSync(ledger, `claim\t${key(1)}\nclaim\t${key(2)}\ndone\t${key(1)}\n`);
    fs.writeFileSync(
      `${ledger}.lock`,
      JSON.stringify({ pid: 2 ** 22 + 1, host: require('node:os').hostname(), since: 'x' }),
    );
    const run = await runCliForTest(['redrive', '--source', source, '--to-file', 'out.ndjson'], { dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/already replayed: +1/);
    expect(outLines(dir).map((l) => (JSON.parse(l) as { idempotencyKey: string }).idempotencyKey)).toEqual([key(2)]);
    expect(fs.existsSync(`${ledger}.lock`)).toBe(false);
  });

  test('a ledger that cannot be written: one line, exit 1, no stack trace', async () => {
    const dir = tempDir();
    const source = sourceFile(dir, [quarantined(1)]);
    fs.mkdirSync(path.join(dir, 'ledger-dir'));
    const run = await runCliForTest(
      ['redrive', '--source', source, '--to-file', 'out.ndjson', '--ledger', 'ledger-dir'],
      { dir },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: redrive ledger .*ledger-dir: cannot (read|write) it: EISDIR\n$/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
