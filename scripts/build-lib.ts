/**
 * Builds the construct library with jsii (`npm run build:lib`, part of `npm run build` and so of
 * `npm ci` via `prepare`): dist/lib/ (JavaScript + declarations, where package.json main/types/
 * exports point) and the `.jsii` assembly that Construct Hub and jsii-pacmak (Python, Java, .NET,
 * Go) read. jsii compiles with tsconfig.jsii.json (package.json `jsii.tsconfig`), so it never
 * touches the repository's tsconfig.json.
 *
 * After a successful compile it records a hash of everything the assembly is built from in
 * JSII_SOURCES_HASH_FILE; test/packaging/jsii-assembly.test.ts fails when the assembly is missing
 * or the hash no longer matches (lib/ changed since the last build).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

/** Where the build records the hash of the assembly's inputs (not published: outside dist/lib). */
export const JSII_SOURCES_HASH_FILE = 'dist/.jsii-sources.sha256';

/** The package.json fields jsii copies into the assembly. */
const ASSEMBLY_FIELDS = [
  'name',
  'version',
  'description',
  'license',
  'author',
  'repository',
  'homepage',
  'keywords',
  'main',
  'types',
  'peerDependencies',
  'dependencies',
  'bundleDependencies',
  'jsii',
];

function tsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return tsFiles(file);
      return entry.name.endsWith('.ts') ? [file] : [];
    })
    .sort();
}

/**
 * A hash of what the assembly is built from: every lib/ source, tsconfig.jsii.json and the
 * package.json fields jsii reads. The README (embedded in the assembly) is left out: it does not
 * change the API, and `npm pack`/`npm publish` rebuild the assembly anyway (`prepare`).
 */
export function jsiiSourcesHash(): string {
  const hash = createHash('sha256');
  const add = (name: string, content: string | Buffer) => {
    hash.update(`${name}\0${content.length}\0`);
    hash.update(content);
  };
  for (const file of tsFiles(path.join(root, 'lib'))) {
    add(path.relative(root, file).split(path.sep).join('/'), fs.readFileSync(file));
  }
  add('tsconfig.jsii.json', fs.readFileSync(path.join(root, 'tsconfig.jsii.json')));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  add('package.json', JSON.stringify(ASSEMBLY_FIELDS.map((field) => [field, pkg[field] ?? null])));
  return hash.digest('hex');
}

if (require.main === module) {
  const hashFile = path.join(root, JSII_SOURCES_HASH_FILE);
  // Hash first: a source edited while jsii runs then shows up as stale, not as built.
  const hash = jsiiSourcesHash();
  fs.rmSync(hashFile, { force: true });
  const jsii = spawnSync(process.execPath, [require.resolve('jsii/bin/jsii'), ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (jsii.status !== 0) process.exit(jsii.status ?? 1);
  fs.mkdirSync(path.dirname(hashFile), { recursive: true });
  fs.writeFileSync(hashFile, `${hash}\n`);
}
