/**
 * `npm run bench:transform`: bundles run.ts (the floor and the reference transform) with the
 * options the shipped handlers are bundled with (scripts/esbuild-options.ts) and runs the bundle
 * in a plain node process, so that both sides are timed as the Lambda runs them (one bundle, no
 * TypeScript loader, no per-module export getters), alike.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { handlerBuildOptions } from '../../scripts/esbuild-options';

const root = path.resolve(__dirname, '..', '..');
// At the depth of bench/transform/, so that run.ts finds the fixtures from its own __dirname.
const outfile = path.join(root, '.bench-out', 'transform', 'run.js');
buildSync({ ...handlerBuildOptions(root), entryPoints: [path.join(__dirname, 'run.ts')], outfile });
const run = spawnSync(process.execPath, [outfile], { stdio: 'inherit', cwd: root });
process.exitCode = run.status ?? 1;
