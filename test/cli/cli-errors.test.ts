/** Help and bad input, all decided before any AWS call (no endpoint is reachable here). */
import { hivePrefix, parseColumns } from '../../packages/cli/src/commands/verify';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCAL_ENV, runCliForTest, tempDir } from './cli-harness';

// An endpoint nothing listens on: a test that reached AWS code would fail with a connection error, not the message asserted.
const NOWHERE = ['--endpoint-url', 'http://127.0.0.1:9'];

describe('help', () => {
  test('main help lists the commands; no command is a usage error', async () => {
    const help = await runCliForTest(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/produce .*\n\s+verify .*\n\s+redrive /);
    expect((await runCliForTest([])).code).toBe(2);
  });

  test.each(['produce', 'verify', 'redrive'])('%s --help', async (command) => {
    const run = await runCliForTest([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: cdk-kinesis-pipeline ${command}`);
  });

  test('unknown command and unknown option exit 2 and say what was wrong', async () => {
    const unknown = await runCliForTest(['consume']);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toMatch(/unknown command 'consume'. Expected one of: produce, verify, redrive/);
    const option = await runCliForTest(['produce', '--stream-name', 's', '--bogus']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/Unknown option '--bogus'/);
  });
});

describe('produce: bad input', () => {
  test.each([
    ['0', /--rate must be a number greater than 0. Received '0'/],
    ['-5', /--rate must be a number greater than 0. Received '-5'/],
    ['fast', /--rate must be a number greater than 0. Received 'fast'/],
  ])('rate %s', async (rate, message) => {
    const run = await runCliForTest(['produce', '--stream-name', 's', `--rate=${rate}`, ...NOWHERE], {
      env: LOCAL_ENV,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  test('missing region, without calling AWS', async () => {
    const run = await runCliForTest(['produce', '--stream-name', 's', ...NOWHERE], {
      env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/missing AWS region: pass --region, set AWS_REGION/);
  });

  test('missing credentials, without calling AWS (no env keys, no ~/.aws, no container role)', async () => {
    const run = await runCliForTest(['produce', '--stream-name', 's', '--region', 'eu-west-1', ...NOWHERE]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/missing AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  test('credentials and region from ~/.aws files are found; an unknown --profile is named', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, '.aws'));
    fs.writeFileSync(
      path.join(dir, '.aws', 'credentials'),
      '[dev]\naws_access_key_id = AKID\naws_secret_access_key = s\n',
    );
    fs.writeFileSync(path.join(dir, '.aws', 'config'), '[profile dev]\nregion = eu-central-1\n');
    // Past the credential and region checks; the missing file stops it before any AWS call.
    const ok = await runCliForTest(
      ['produce', '--stream-name', 's', '--profile', 'dev', '--file', 'missing.txt', ...NOWHERE],
      { dir },
    );
    expect(ok.stderr).toMatch(/cannot read --file .*missing.txt: ENOENT/);
    const unknown = await runCliForTest(['produce', '--stream-name', 's', '--profile', 'prod', ...NOWHERE], { dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/--profile 'prod' has no credentials in .*credentials or .*config/);
  });

  test('a malformed region is named', async () => {
    const run = await runCliForTest(['produce', '--stream-name', 's', '--region', 'mars', ...NOWHERE], {
      env: LOCAL_ENV,
    });
    expect(run.stderr).toMatch(/--region must be an AWS region such as eu-west-1. Received 'mars'/);
  });

  test('unreadable input file: missing, or a directory', async () => {
    const dir = tempDir();
    const missing = await runCliForTest(['produce', '--stream-name', 's', '--file', 'nope.ndjson', ...NOWHERE], {
      env: LOCAL_ENV,
      dir,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read --file .*nope.ndjson: ENOENT/);
    const directory = await runCliForTest(['produce', '--stream-name', 's', '--file', dir, ...NOWHERE], {
      env: LOCAL_ENV,
      dir,
    });
    expect(directory.stderr).toMatch(/cannot read --file .*: not a regular file/);
  });

  test('a record over 1 MB is refused before anything is sent, naming the line and the size', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'big.ndjson'), `{"ok":1}\n${'x'.repeat(1024 * 1024 + 1)}\n{"ok":2}\n`);
    const run = await runCliForTest(['produce', '--stream-name', 's', '--file', 'big.ndjson', ...NOWHERE], {
      env: LOCAL_ENV,
      dir,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /line 2 of .*big.ndjson is over 1048575 bytes; a Kinesis record can hold at most 1048575 bytes of data/,
    );
    expect(run.stderr).not.toMatch(/ECONNREFUSED/);
  });

  test('conflicting or missing targets, unknown sample kind, bad partition key', async () => {
    const targets = await runCliForTest(['produce', '--stream-name', 'a', '--firehose', 'b'], { env: LOCAL_ENV });
    expect(targets.stderr).toMatch(/exactly one target.*Received 2/);
    const none = await runCliForTest(['produce'], { env: LOCAL_ENV });
    expect(none.stderr).toMatch(/exactly one target.*Received 0/);
    const sample = await runCliForTest(['produce', '--stream-name', 'a', '--sample', 'csv'], { env: LOCAL_ENV });
    expect(sample.stderr).toMatch(/--sample must be one of apache-access, apache-error, json. Received 'csv'/);
    const key = await runCliForTest(['produce', '--stream-name', 'a', '--partition-key', 'hash'], { env: LOCAL_ENV });
    expect(key.stderr).toMatch(/--partition-key must be random, field:<json.path> or explicit:<key>. Received 'hash'/);
    const endpoint = await runCliForTest(['produce', '--stream-name', 'a', '--endpoint-url', 'not a url'], {
      env: LOCAL_ENV,
    });
    expect(endpoint.stderr).toMatch(/--endpoint-url must be a URL.*Received 'not a url'/);
  });
});

describe('verify and redrive: bad input', () => {
  test('verify needs an outputs file with the pipeline outputs', async () => {
    const dir = tempDir();
    expect((await runCliForTest(['verify'], { env: LOCAL_ENV, dir })).stderr).toMatch(/verify needs --outputs-file/);
    // A group of outputs is all or nothing: the data lake's, then the Glue table's.
    const partialOutputs = { Pipeline: { StreamName: 's', DeliveryStreamName: 'd', GlueTableName: 't' } };
    fs.writeFileSync(path.join(dir, 'outputs.json'), JSON.stringify(partialOutputs));
    const partial = await runCliForTest(['verify', '--outputs-file', 'outputs.json'], { env: LOCAL_ENV, dir });
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(
      /outputs.json lacks the stack outputs DataBucketName, DataPrefix, GlueDatabaseName, TableColumns, PartitionKeys/,
    );
    fs.writeFileSync(path.join(dir, 'stream.json'), JSON.stringify({ Pipeline: { StreamName: 's' } }));
    const checkData = await runCliForTest(['verify', '--outputs-file', 'stream.json', '--check-data'], {
      env: LOCAL_ENV,
      dir,
    });
    expect(checkData.stderr).toMatch(
      /stream.json lacks the stack outputs DeliveryStreamName, DataBucketName, DataPrefix, PartitionKeys/,
    );
    fs.writeFileSync(path.join(dir, 'two.json'), JSON.stringify({ A: {}, B: {} }));
    expect((await runCliForTest(['verify', '--outputs-file', 'two.json'], { env: LOCAL_ENV, dir })).stderr).toMatch(
      /holds 2 stacks \(A, B\); pass --stack-name/,
    );
    expect((await runCliForTest(['verify', '--outputs-file', 'nope.json'], { env: LOCAL_ENV, dir })).stderr).toMatch(
      /cannot read --outputs-file .*nope.json/,
    );
  });

  test('redrive needs a source and one target; an unreadable source is named', async () => {
    expect((await runCliForTest(['redrive'])).stderr).toMatch(/redrive needs --source/);
    expect((await runCliForTest(['redrive', '--source', 'x.json'])).stderr).toMatch(/exactly one target.*Received 0/);
    const missing = await runCliForTest(['redrive', '--source', 'x.json', '--to-file', 'out.ndjson']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read --source .*x.json: ENOENT/);
    const noCreds = await runCliForTest([
      'redrive',
      '--source',
      'x.json',
      '--stream-name',
      's',
      '--region',
      'us-east-1',
    ]);
    expect(noCreds.stderr).toMatch(/missing AWS credentials/);
  });
});

describe('verify helpers', () => {
  test("today's Hive prefix follows the leading date keys of PartitionKeys (UTC)", () => {
    const at = new Date('2026-03-04T23:30:00-05:00'); // 2026-03-05 04:30 UTC
    expect(hivePrefix(at, ['year', 'month', 'day', 'hour'])).toBe('year=2026/month=03/day=05/');
    expect(hivePrefix(at, ['year', 'month'])).toBe('year=2026/month=03/');
    expect(hivePrefix(at, ['tenant', 'year'])).toBe('');
  });

  test('TableColumns splits at top-level commas only', () => {
    expect(parseColumns('a:int, b:struct<x:int,y:string>,c:decimal(10,2),D:String')).toEqual([
      'a:int',
      'b:struct<x:int,y:string>',
      'c:decimal(10,2)',
      'd:string',
    ]);
  });
});
