/**
 * A user's project, as close as a test can build one offline: our three packages are packed with
 * `npm pack` and unpacked into the app's node_modules exactly as `npm install <tarball>` lays them
 * out; every other dependency (aws-cdk-lib, constructs, TypeScript, type packages) is linked from
 * this repository's node_modules, so no registry is needed.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** The packages this repository publishes: the root package and the npm workspaces. */
export const PUBLISHED_PACKAGES = ['cdk-kinesis-pipeline', 'cdk-kinesis-pipeline-runtime', 'cdk-kinesis-pipeline-cli'];

export interface PackedPackage {
  readonly name: string;
  readonly tarball: string;
}

/** `npm pack` of every published package (no lifecycle scripts: `npm ci` has built them). */
export function packPackages(destination: string): PackedPackage[] {
  return PUBLISHED_PACKAGES.map((name) => {
    const workspace = name === 'cdk-kinesis-pipeline' ? [] : ['--workspace', name];
    const out = execFileSync(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', destination, ...workspace],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const [info] = JSON.parse(out) as Array<{ filename: string }>;
    return { name, tarball: path.join(destination, info.filename) };
  });
}

/**
 * A temporary app folder with the packed packages installed; returns its path. `bins` are the
 * command-line tools the user installed as devDependencies (e.g. `tsx`, `esbuild`), linked into
 * node_modules/.bin as npm links them.
 */
export function createUserApp(packages: readonly PackedPackage[], bins: readonly string[] = []): string {
  const app = fs.mkdtempSync(path.join(os.tmpdir(), 'ckp-user-app-'));
  const modules = path.join(app, 'node_modules');
  fs.mkdirSync(modules);
  for (const { name, tarball } of packages) {
    const dir = path.join(modules, name);
    fs.mkdirSync(dir);
    execFileSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
  }
  const ours = new Set(packages.map((p) => p.name));
  for (const entry of fs.readdirSync(path.join(root, 'node_modules'))) {
    if (ours.has(entry) || entry.startsWith('.')) continue;
    fs.symlinkSync(path.join(root, 'node_modules', entry), path.join(modules, entry), 'dir');
  }
  if (bins.length > 0) fs.mkdirSync(path.join(modules, '.bin'));
  for (const bin of bins) {
    fs.symlinkSync(fs.readlinkSync(path.join(root, 'node_modules', '.bin', bin)), path.join(modules, '.bin', bin));
  }
  // No "type" field: a CommonJS project, as `cdk init app --language typescript` creates.
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'user-app', version: '0.0.0', private: true }, undefined, 2),
  );
  return app;
}

export interface TscResult {
  readonly exitCode: number;
  readonly output: string;
}

/** Runs the repository's TypeScript compiler on a tsconfig of the app. */
export function runTsc(app: string, tsconfig: string): TscResult {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    const output = execFileSync(process.execPath, [tsc, '-p', tsconfig, '--pretty', 'false'], {
      cwd: app,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { exitCode: 0, output };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { exitCode: e.status ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
