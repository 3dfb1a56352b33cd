/**
 * Starts the `kinesis-local` emulator (kinesis-mock compiled to JS) on free 127.0.0.1 ports
 * for one test file, and stops it afterwards. Traffic only ever goes to 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { loopbackOnly } from '../../packages/cli/src/local/kinesis-local';

export interface KinesisLocal {
  readonly endpoint: string;
  /** The emulator's ports (plain HTTP and TLS), both bound to 127.0.0.1. */
  readonly ports: readonly number[];
  readonly client: KinesisClient;
  /** Client settings for code under test that builds its own client. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    requestHandler: NodeHttpHandler;
  };
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface KinesisLocalOptions {
  /** Emulated duration of UPDATING after UpdateShardCount, e.g. '2s'. @default '500ms' */
  readonly updateShardCountDuration?: string;
  /** Shard limit of the emulated account. @default 50 */
  readonly shardLimit?: number;
}

export async function startKinesisLocal(options: KinesisLocalOptions = {}): Promise<KinesisLocal> {
  const packageDir = path.dirname(require.resolve('kinesis-local/package.json'));
  const plainPort = await freePort();
  const tlsPort = await freePort();
  // kinesis-local binds every interface by itself: loaded through the CLI's loopback wrapper, it binds 127.0.0.1.
  const child: ChildProcess = spawn(process.execPath, ['-e', loopbackOnly(path.join(packageDir, 'main.js'))], {
    cwd: packageDir,
    env: {
      PATH: process.env.PATH,
      KINESIS_MOCK_PLAIN_PORT: String(plainPort),
      KINESIS_MOCK_TLS_PORT: String(tlsPort),
      KINESIS_MOCK_CERT_PATH: path.join(packageDir, 'server.json'),
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'ERROR',
      CREATE_STREAM_DURATION: '100ms',
      REGISTER_STREAM_CONSUMER_DURATION: '100ms',
      UPDATE_SHARD_COUNT_DURATION: options.updateShardCountDuration ?? '500ms',
      SHARD_LIMIT: String(options.shardLimit ?? 50),
      SHOULD_PERSIST_DATA: 'false',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));

  const endpoint = `http://127.0.0.1:${plainPort}`;
  const clientConfig = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    // kinesis-local speaks HTTP/1.1 only.
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 10000 }),
  };
  const client = new KinesisClient(clientConfig);

  const stop = async (): Promise<void> => {
    client.destroy();
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 3000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`kinesis-local exited with ${child.exitCode}: ${stderr}`);
    }
    try {
      await client.send(new ListStreamsCommand({}));
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`kinesis-local did not start on ${endpoint}: ${String(error)} ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return { endpoint, ports: [plainPort, tlsPort], client, clientConfig, stop };
}
