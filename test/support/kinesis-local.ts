/**
 * Starts the `kinesis-local` emulator for one test file through the local run's launcher (free
 * 127.0.0.1 ports, bound to 127.0.0.1 only) and stops it afterwards. Traffic only ever goes to
 * 127.0.0.1.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startKinesisLocal as startEmulator } from '../../packages/cli/src/local/kinesis-local';

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

export interface KinesisLocalOptions {
  /** Emulated duration of UPDATING after UpdateShardCount, e.g. '2s'. @default '500ms' */
  readonly updateShardCountDuration?: string;
  /** Shard limit of the emulated account. @default 50 */
  readonly shardLimit?: number;
}

export async function startKinesisLocal(options: KinesisLocalOptions = {}): Promise<KinesisLocal> {
  const region = 'us-east-1';
  const emulator = await startEmulator(region, {
    updateShardCountDuration: options.updateShardCountDuration ?? '500ms',
    shardLimit: options.shardLimit ?? 50,
  });
  const clientConfig = {
    endpoint: emulator.endpoint,
    region,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    // kinesis-local speaks HTTP/1.1 only.
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 10000 }),
  };
  const client = new KinesisClient(clientConfig);
  const stop = async (): Promise<void> => {
    client.destroy();
    await emulator.stop();
  };
  return { endpoint: emulator.endpoint, ports: emulator.ports, client, clientConfig, stop };
}
