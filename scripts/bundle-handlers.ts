/**
 * Pre-bundles every Lambda handler the library ships (lambda/<name>/index.ts) into
 * assets/<name>/index.js with esbuild, so that users' synths need neither esbuild nor Docker.
 * Runs from `npm run build` (and so from `npm ci` via `prepare`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { handlerBuildOptions } from './esbuild-options';

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
    ...handlerBuildOptions(root),
    entryPoints: [path.join(lambdaDir, name, 'index.ts')],
    outfile: path.join(assetsDir, name, 'index.js'),
  });
}
console.log(`bundled ${handlers.length} handler(s) into assets/: ${handlers.join(', ')}`);
