/**
 * `cdk-kinesis-pipeline local --app` on a user's own project, the way the README tells a user to
 * build one: the README's app and its `entry` handler (bundled by NodejsFunction with the
 * project's esbuild, as `cdk synth` bundles it), our three packages installed from their packed
 * tarballs, and the CLI run from the project's node_modules. The account must hold every record:
 * the orders the handler took, the order it rejected as poison (quarantined with its payload),
 * and the poison records the command adds.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LocalAccount } from '../../packages/cli/src/local/account';
import { docExamples } from '../support/doc-examples';
import { createUserApp, packPackages } from '../support/user-app';

const README = docExamples('README.md');
const APP = README.find((e) => e.code.includes("consumers: { Billing: { entry: 'src/billing.ts' } }"));
const HANDLER = README.find((e) => e.code.startsWith('// src/billing.ts\n'));

const ORDERS = 20;
const events = [
  ...Array.from({ length: ORDERS }, (_, i) => JSON.stringify({ orderId: `o-${i}`, amount: i })),
  // The handler throws PoisonRecordError for an order without orderId.
  JSON.stringify({ amount: 7, note: 'no order id' }),
];
/** What `--poison` adds: invalid UTF-8, a corrupt KPL aggregate, a log line that is not JSON. */
const POISON_RECORDS = 3;
const PRODUCED = events.length + POISON_RECORDS;

let app: string;
let run: { code: number | null; stdout: string; stderr: string };
let account: LocalAccount;

beforeAll(async () => {
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckp-pack-'));
  app = createUserApp(packPackages(packDir), ['tsx', 'esbuild']);
  fs.rmSync(packDir, { recursive: true, force: true });
  fs.writeFileSync(path.join(app, 'app.ts'), APP?.code ?? '');
  fs.mkdirSync(path.join(app, 'src'));
  fs.writeFileSync(path.join(app, 'src', 'billing.ts'), HANDLER?.code ?? '');
  // NodejsFunction finds the project root by its lock file.
  fs.writeFileSync(
    path.join(app, 'package-lock.json'),
    JSON.stringify({ name: 'user-app', version: '0.0.0', lockfileVersion: 3, requires: true, packages: {} }),
  );
  fs.writeFileSync(path.join(app, 'events.ndjson'), `${events.join('\n')}\n`);
  const cli = path.join(app, 'node_modules', 'cdk-kinesis-pipeline-cli', 'bin', 'cdk-kinesis-pipeline.js');
  run = await new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, 'local', '--app', 'npx tsx app.ts', '--file', 'events.ndjson', '--poison', '--json', 'account.json'],
      { cwd: app, timeout: 200_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  const json = path.join(app, 'account.json');
  if (fs.existsSync(json)) account = JSON.parse(fs.readFileSync(json, 'utf8')) as LocalAccount;
}, 240_000);

afterAll(() => {
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

test("the README's app and handler are the user's project", () => {
  expect({ app: APP?.location, handler: HANDLER?.location }).toEqual({
    app: expect.stringMatching(/^README\.md:\d+$/),
    handler: expect.stringMatching(/^README\.md:\d+$/),
  });
});

test('the run synthesizes the app with --app, bundles its entry, and accounts for every record', () => {
  expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(account.checks.filter((c) => !c.ok)).toEqual([]);
  expect(account.produced).toBe(PRODUCED);
  expect(run.stdout).toContain('every record is accounted for');
});

test("the user's consumer ran its own bundled handler: orders processed, the poison quarantined", () => {
  expect(account.consumers).toHaveLength(1);
  const [billing] = account.consumers;
  expect(billing).toMatchObject({
    records: PRODUCED,
    processed: ORDERS,
    // The order without orderId, and the three poison records (none is a JSON order).
    quarantined: 1 + POISON_RECORDS,
    sentToOnFailure: 0,
    functionErrors: 0,
    lost: {},
  });
  expect(billing.quarantineObjects?.count).toBe(1 + POISON_RECORDS);
  // The rejected order is kept with its exact payload (base64), not only its metadata.
  const objects = fs
    .readdirSync(path.join(app, '.local-run'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.includes('/quarantine/'))
    .map((f) => path.join(app, '.local-run', f))
    .filter((f) => fs.statSync(f).isFile());
  const payloads = objects.flatMap((f) =>
    fs
      .readFileSync(f, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => Buffer.from((JSON.parse(line) as { data: string }).data, 'base64').toString('latin1')),
  );
  expect(payloads).toContain(events[ORDERS]);
});

test('the default lake (no schema) delivered every record the stream held', () => {
  const [delivery] = account.deliveries;
  const failed = Object.values(delivery.failed).reduce((a, b) => a + b, 0);
  expect(delivery.sourceRecords).toBe(PRODUCED);
  expect(delivery.ok + delivery.dropped + failed).toBe(delivery.sourceRecords);
});
