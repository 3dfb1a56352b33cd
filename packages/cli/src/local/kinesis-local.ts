/**
 * Starts the `kinesis-local` emulator (kinesis-mock compiled to JavaScript) on free 127.0.0.1
 * ports for one local run and stops it afterwards. Traffic only ever goes to 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CliError } from '../cli-io';
import { freePort, LOCAL_CREDENTIALS } from './local-network';

export interface RunningKinesis {
  readonly endpoint: string;
  /** The emulator's ports (plain HTTP and TLS), both on 127.0.0.1. */
  readonly ports: readonly number[];
  readonly client: KinesisClient;
  stop(): Promise<void>;
}

/**
 * kinesis-local binds its ports on every interface (its host is fixed to 0.0.0.0): the emulator is
 * loaded after `net.Server.prototype.listen` is made to bind 127.0.0.1 whatever host it asks for,
 * so the run never opens a port to the network.
 */
function loopbackOnly(main: string): string {
  return `
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args[0] !== null && typeof args[0] === 'object') args[0] = { ...args[0], host: '127.0.0.1' };
  else if (typeof args[1] === 'string') args[1] = '127.0.0.1';
  else args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};
require(${JSON.stringify(main)});
`;
}

export interface KinesisLocalOptions {
  /** Emulated duration of UPDATING after UpdateShardCount, e.g. '2s'. @default '500ms' */
  readonly updateShardCountDuration?: string;
  /** Shard limit of the emulated account. @default 500 */
  readonly shardLimit?: number;
}

export async function startKinesisLocal(region: string, options: KinesisLocalOptions = {}): Promise<RunningKinesis> {
  const packageDir = path.dirname(require.resolve('kinesis-local/package.json'));
  const plainPort = await freePort();
  const tlsPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['-e', loopbackOnly(path.join(packageDir, 'main.js'))], {
    cwd: packageDir,
    env: {
      PATH: process.env.PATH,
      KINESIS_MOCK_PLAIN_PORT: String(plainPort),
      KINESIS_MOCK_TLS_PORT: String(tlsPort),
      KINESIS_MOCK_CERT_PATH: path.join(packageDir, 'server.json'),
      AWS_REGION: region,
      LOG_LEVEL: 'ERROR',
      CREATE_STREAM_DURATION: '100ms',
      REGISTER_STREAM_CONSUMER_DURATION: '100ms',
      UPDATE_SHARD_COUNT_DURATION: options.updateShardCountDuration ?? '500ms',
      SHARD_LIMIT: String(options.shardLimit ?? 500),
      SHOULD_PERSIST_DATA: 'false',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + String(chunk)).slice(-4000)));

  const endpoint = `http://127.0.0.1:${plainPort}`;
  const client = new KinesisClient({
    endpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
    // kinesis-local speaks HTTP/1.1 only.
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30_000 }),
  });
  const stop = async (): Promise<void> => {
    client.destroy();
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 3000)))]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new CliError(`kinesis-local exited with ${child.exitCode}: ${stderr}`);
    try {
      await client.send(new ListStreamsCommand({}));
      return { endpoint, ports: [plainPort, tlsPort], client, stop };
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new CliError(`kinesis-local did not start on ${endpoint}: ${String(error)} ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
