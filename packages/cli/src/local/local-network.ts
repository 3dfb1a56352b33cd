import * as net from 'node:net';

/** Credentials of the local run: fake, so that nothing can ever authenticate against AWS. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIDLOCALRUN', secretAccessKey: 'local-run-not-a-secret' };

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
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
