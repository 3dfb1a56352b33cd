import * as fs from 'node:fs';
import * as path from 'node:path';
import { JSII_SOURCES_HASH_FILE, jsiiSourcesHash } from '../../scripts/build-lib';

const root = path.resolve(__dirname, '..', '..');
const REBUILD = 'run `npm run build:lib`';

interface Assembly {
  readonly name: string;
  readonly version: string;
  readonly targets: { [language: string]: unknown };
  readonly types: { [fqn: string]: { readonly kind: string } };
}

function readAssembly(): Assembly {
  const file = path.join(root, '.jsii');
  if (!fs.existsSync(file)) throw new Error(`the jsii assembly .jsii is missing: ${REBUILD}`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Assembly;
}

describe('the jsii assembly of the construct library', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const assembly = readAssembly();

  test('was built from the current lib/ sources, tsconfig.jsii.json and package.json', () => {
    const hashFile = path.join(root, JSII_SOURCES_HASH_FILE);
    const recorded = fs.existsSync(hashFile) ? fs.readFileSync(hashFile, 'utf8').trim() : 'none';
    // Not toBe(): the message says what to do.
    if (recorded !== jsiiSourcesHash()) {
      throw new Error(`the jsii assembly is stale (lib/ or its configuration changed since it was built): ${REBUILD}`);
    }
  });

  test('names this package and targets Python, Java, .NET and Go', () => {
    expect(assembly.name).toBe(pkg.name);
    expect(assembly.version).toBe(pkg.version);
    expect(Object.keys(assembly.targets).sort()).toEqual(['dotnet', 'go', 'java', 'js', 'python']);
    expect(pkg.files).toContain('.jsii');
    expect(pkg.jsii.tsconfig).toBe('tsconfig.jsii.json');
  });

  test('holds every export of the package entry point (jsii silently leaves out free functions and constants)', () => {
    // Classes and enums exist at run time; interfaces do not, so every run-time export must be an
    // assembly type. A free function or constant exported from lib/ fails here.
    const entry = require(path.join(root, pkg.main)) as Record<string, unknown>;
    const missing = Object.keys(entry).filter((name) => !(`${pkg.name}.${name}` in assembly.types));
    expect(missing).toEqual([]);
    expect(Object.keys(entry).length).toBeGreaterThan(10);
  });
});
