/**
 * End to end on this machine: the reference app (bin/), synthesized, run by
 * `cdk-kinesis-pipeline local` on real log lines plus poison records: kinesis-local on 127.0.0.1,
 * the bundled handler assets, the Firehose emulation into a local S3 folder, DuckDB on the lake.
 * The account must hold every record. The CLI runs in a child process: hyparquet-writer and DuckDB
 * are loaded with import(), which jest's module system does not run.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReferencePipelineStack } from '../../bin/reference-pipeline-stack';
import type { LocalAccount } from '../../packages/cli/src/local/account';
import { createTestApp } from '../support/app';
import { fixturePath, loadLogLines } from '../support/fixtures';

const REPO = path.resolve(__dirname, '..', '..');
const LOGS = [
  'crowdsecurity__hub__.tests__apache2-logs__apache2-logs.log',
  'elastic__beats__filebeat__module__apache__error__test__test.log',
  'tstack__lnav__test__logfile_bad_access_log.0',
];
const LINES = LOGS.flatMap((name) => loadLogLines(name).filter((line) => line.trim() !== '')).length;
const POISON = 3;

let workDir: string;
let run: { code: number | null; stdout: string; stderr: string };
let account: LocalAccount;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-run-'));
  const app = createTestApp();
  new ReferencePipelineStack(app, 'LocalRunTest');
  const assembly = app.synth().directory;
  const json = path.join(workDir, 'account.json');
  run = await new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        require.resolve('tsx/cli'),
        path.join(REPO, 'packages/cli/src/main.ts'),
        'local',
        '--assembly',
        assembly,
        ...LOGS.flatMap((name) => ['--file', fixturePath('logs', name)]),
        '--poison',
        '--out',
        path.join(workDir, 'out'),
        '--json',
        json,
      ],
      { cwd: REPO, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  if (fs.existsSync(json)) account = JSON.parse(fs.readFileSync(json, 'utf8')) as LocalAccount;
}, 240_000);

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

const hourPrefix = (millis: number): string => {
  const d = new Date(millis);
  const two = (n: number) => String(n).padStart(2, '0');
  return `year=${d.getUTCFullYear()}/month=${two(d.getUTCMonth() + 1)}/day=${two(d.getUTCDate())}/hour=${two(d.getUTCHours())}`;
};

test('the run exits 0 and every check of its account holds', () => {
  expect({ code: run.code, failed: account?.checks.filter((c) => !c.ok) }).toEqual({ code: 0, failed: [] });
  expect(account.produced).toBe(LINES + POISON);
  expect(run.stdout).toContain('every record is accounted for');
});

test('the delivery stream accounts for every record: delivered, dropped, or under the error prefix', () => {
  const [delivery] = account.deliveries;
  const failed = Object.values(delivery.failed).reduce((a, b) => a + b, 0);
  expect(delivery.sourceRecords).toBe(LINES + POISON);
  expect(delivery.ok + delivery.dropped + failed).toBe(delivery.sourceRecords);
  // The poison records end under the error prefix: invalid UTF-8 and the corrupt KPL aggregate
  // (the transform answers ProcessingFailed), and the %b that overflows the bigint column (the
  // transform answers Ok, and Firehose's conversion rejects it).
  expect(failed).toBe(POISON);
  expect(delivery.failed['format-conversion-failed']).toBe(1);
  for (const object of delivery.errorObjects) {
    expect(object.key).toMatch(new RegExp(`^errors/${object.type}/year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}/`));
  }
});

test('DuckDB reads as many rows as the records the transform answered Ok that Firehose could convert', () => {
  const [delivery] = account.deliveries;
  const [lake] = account.lake;
  // One line per record, one row per line.
  expect(lake.rows).toBe(delivery.transformOk - (delivery.failed['format-conversion-failed'] ?? 0));
  expect(lake.invisible).toEqual([]);
  expect(lake.summary.reduce((n, row) => n + Number(row.requests), 0)).toBe(lake.rows);
});

test('partitions are the arrival hours: each object under the hour its oldest record arrived in', () => {
  const [delivery] = account.deliveries;
  const [lake] = account.lake;
  for (const object of delivery.dataObjects)
    expect(object.key).toContain(`data/${hourPrefix(object.oldestArrivalMs)}/`);
  const objectHours = new Set(delivery.dataObjects.map((o) => hourPrefix(o.oldestArrivalMs)));
  expect(new Set(Object.keys(lake.rowsPerPartition))).toEqual(objectHours);
  const arrivalHours = new Set(account.arrivalHours);
  for (const o of delivery.dataObjects)
    expect(arrivalHours).toContain(new Date(o.oldestArrivalMs).toISOString().slice(0, 13));
});

test('each consumer, standard and enhanced fan-out, processed or quarantined every record, with no function error', () => {
  expect(account.consumers.map((c) => c.type.split(' ')[0]).sort()).toEqual(['enhanced', 'standard']);
  for (const consumer of account.consumers) {
    expect(consumer.records).toBe(LINES + POISON);
    // The reference consumers report every record through processKinesisBatch: none is only
    // checkpointed, none goes to the on-failure destination, none is lost.
    expect(consumer).toMatchObject({ sentToOnFailure: 0, checkpointedUnreported: 0, lost: {}, functionErrors: 0 });
    // Invalid UTF-8 and the corrupt KPL aggregate, written where the function's environment says.
    expect(consumer.quarantined).toBe(2);
    expect(consumer.processed).toBe(LINES + POISON - 2);
    expect(consumer.quarantineObjects?.count).toBe(2);
  }
});
