/**
 * `cdk-kinesis-pipeline local`: usage errors are caught before anything is synthesized or started
 * (exit code 2, the message names the option), and --help documents the options.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCliForTest, tempDir } from '../cli/cli-harness';

test('--help lists the options and says where the servers listen', async () => {
  const run = await runCliForTest(['local', '--help']);
  expect(run.code).toBe(0);
  for (const option of ['--app', '--assembly', '--file', '--records', '--poison', '--stream', '--out', '--json'])
    expect(run.stdout).toContain(option);
  expect(run.stdout).toContain('127.0.0.1');
});

test.each([
  [[], /--app <command> or --assembly <cdk.out>, exactly one/],
  [['--app', 'x', '--assembly', 'cdk.out', '--file', 'f'], /exactly one/],
  [['--assembly', 'cdk.out'], /local needs --file/],
  [
    ['--assembly', 'cdk.out', '--file', 'events.ndjson', '--region', 'mars'],
    /--region must look like us-east-1. Received 'mars'/,
  ],
  [['--assembly', 'cdk.out', '--file', 'events.ndjson', '--records', '0'], /--records/],
])('local %j is a usage error', async (args, message) => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'events.ndjson'), '{"id":1}\n');
  const run = await runCliForTest(['local', ...args], { dir });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
  // Nothing was synthesized or written.
  expect(fs.readdirSync(dir)).toEqual(['events.ndjson']);
});
