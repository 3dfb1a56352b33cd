import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError, type CliIo } from './cli-io';
import { localCommand } from './commands/local';
import { produceCommand } from './commands/produce';
import { redriveCommand } from './commands/redrive';
import { verifyCommand } from './commands/verify';

export const MAIN_HELP = `Usage: cdk-kinesis-pipeline <command> [options]

Commands:
  produce   send a file or generated sample data to a stream at a target rate
  verify    check a deployed pipeline from its stack outputs
  redrive   replay failed or quarantined records onto a stream or into a file
  local     run the pipeline of a CDK app on this machine (kinesis-local, Parquet, DuckDB)

Run 'cdk-kinesis-pipeline <command> --help' for the options of a command.`;

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  produce: produceCommand,
  verify: verifyCommand,
  redrive: redriveCommand,
  local: localCommand,
};

/** Runs the CLI and resolves its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(`${MAIN_HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr.write(
      `error: unknown command '${command}'. Expected one of: ${Object.keys(COMMANDS).join(', ')}\n\n${MAIN_HELP}\n`,
    );
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    // node:util parseArgs reports unknown or malformed options with these codes.
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(
        `error: ${(error as Error).message}\nRun 'cdk-kinesis-pipeline ${command} --help' for its options.\n`,
      );
      return 2;
    }
    io.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

function packageVersion(): string {
  for (const up of ['..', path.join('..', '..')]) {
    try {
      return (JSON.parse(fs.readFileSync(path.join(__dirname, up, 'package.json'), 'utf8')) as { version: string })
        .version;
    } catch {
      // try the next location (sources vs dist/)
    }
  }
  return 'unknown';
}
