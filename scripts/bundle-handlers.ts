/**
 * Pre-bundles every Lambda handler the library ships (lambda/<name>/index.ts) into
 * assets/<name>/index.js with esbuild, so that users' synths need neither esbuild nor Docker.
 * Runs from `npm run build` (and so from `npm ci` via `prepare`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const root = path.resolve(__dirname, '..');
const lambdaDir = path.join(root, 'lambda');
const assetsDir = path.join(root, 'assets');

const handlers = fs
  .readdirSync(lambdaDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .filter((name) => fs.existsSync(path.join(lambdaDir, name, 'index.ts')))
  .sort();

// Overwrite in place (no rm -rf): tests that read assets/ may run while this rebuilds.
for (const name of handlers) {
  buildSync({
    entryPoints: [path.join(lambdaDir, name, 'index.ts')],
    outfile: path.join(assetsDir, name, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    // cdk-kinesis-pipeline-runtime resolves to packages/runtime/src through tsconfig.json's paths.
    tsconfig: path.join(root, 'tsconfig.json'),
    format: 'cjs',
    minify: true,
    sourcemap: false,
    // Bundling the SDK pins the version we test with instead of the runtime's.
    external: [],
    legalComments: 'none',
    logLevel: 'warning',
  });
}
console.log(`bundled ${handlers.length} handler(s) into assets/: ${handlers.join(', ')}`);
