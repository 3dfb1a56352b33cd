/**
 * `npm run bench:consumer`: bundles run.ts (the bare loops, processKinesisBatch, Powertools and
 * the simulator) with the options the shipped handlers are bundled with
 * (scripts/esbuild-options.ts) and runs the bundle in a plain node process, so that every
 * contender is timed as a Lambda runs it (one bundle, no TypeScript loader, no per-module export
 * getters on the per-record calls), alike.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { handlerBuildOptions } from '../../scripts/esbuild-options';

const root = path.resolve(__dirname, '..', '..');
const outfile = path.join(root, '.bench-out', 'consumer', 'run.js');
buildSync({ ...handlerBuildOptions(root), entryPoints: [path.join(__dirname, 'run.ts')], outfile });
const run = spawnSync(process.execPath, [outfile], { stdio: 'inherit', cwd: root });
process.exitCode = run.status ?? 1;
