import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliIo } from '../cli-io';
import { formatAccount } from '../local/account';
import { lineRecords, poisonRecords, readInputLines } from '../local/input';
import { runLocal } from '../local/run-local';
import { parsePositiveNumber } from './common-options';

export const LOCAL_HELP = `Usage: cdk-kinesis-pipeline local (--app <command> | --assembly <cdk.out>) --file <path> [options]

Runs the pipeline of a CDK app on this machine, without an AWS account, driven by its
synthesized templates: the stream on kinesis-local, every event source mapping invoking the
bundled handler assets cdk deploy uploads (template settings, environment, timeout), every
Firehose delivery stream (transform, JSON to Parquet through the Glue table, prefixes, error
prefix, source backup) into a local S3 folder, and the lake queried with DuckDB through the
table's partition projection. Prints where every record went; exits 1 if any is unaccounted
for. Emulators listen on 127.0.0.1 only and stop at the end. See docs/local.md.

Options:
  --app <command>        the CDK app, as in cdk.json (e.g. "npx tsx bin/my-app.ts"); synthesized
                         with cdk.json's context into <out>/_local/cdk.out
  --assembly <dir>       an existing cloud assembly (cdk.out) instead of --app
  --file <path>          records to produce, one per non-empty line (a folder: its files);
                         repeatable
  --records <n>          produce n records, cycling through the lines (default: each line once)
  --poison               also produce poison records (invalid UTF-8, a corrupt KPL aggregate, a
                         log line that does not fit the table): each must be quarantined or land
                         under the error prefix
  --stream <name>        the stream to produce into, when the app has several (name or logical id)
  --out <dir>            the local S3 root, <out>/<bucket>/<key> (default: .local-run)
  --json <file>          also write the account as JSON
  --region <region>      region of the ARNs (default: us-east-1)`;

export async function localCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      app: { type: 'string' },
      assembly: { type: 'string' },
      file: { type: 'string', multiple: true },
      records: { type: 'string' },
      poison: { type: 'boolean' },
      stream: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${LOCAL_HELP}\n`);
    return 0;
  }
  if ((values.app === undefined) === (values.assembly === undefined)) {
    throw new UsageError('local needs --app <command> or --assembly <cdk.out>, exactly one');
  }
  if (!values.file || values.file.length === 0)
    throw new UsageError('local needs --file <path> (records to produce, one per line)');
  const count = values.records === undefined ? undefined : parsePositiveNumber('--records', values.records, true);
  const region = values.region ?? 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
    throw new UsageError(`--region must look like us-east-1. Received '${region}'`);

  const lines = readInputLines(values.file, io.cwd);
  const poison = values.poison ? poisonRecords() : [];
  const records = [...lineRecords(lines, count), ...poison];
  const result = await runLocal({
    app: values.app,
    assembly: values.assembly,
    cwd: io.cwd,
    outDir: values.out ?? '.local-run',
    records,
    poisonKinds: poison.map((p) => p.kind),
    streamId: values.stream,
    region,
    env: io.env,
    log: (line) => io.stderr.write(`${line}\n`),
  });
  io.stdout.write(formatAccount(result.account, result.elapsedMs));
  if (values.json) {
    fs.writeFileSync(
      path.resolve(io.cwd, values.json),
      `${JSON.stringify({ ...result.account, elapsedMs: result.elapsedMs }, null, 2)}\n`,
    );
  }
  return result.account.ok ? 0 : 1;
}
