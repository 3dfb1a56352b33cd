import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|require\()\s*'([^']+)'/g)].map((m) => m[1]);
}

describe('the construct package depends only on its peers', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

  test('package.json has no dependencies, only peers', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(expect.arrayContaining(['aws-cdk-lib', 'constructs']));
  });

  test('lib/ imports only its peers, Node.js built-ins and its own files', () => {
    const peers = Object.keys(pkg.peerDependencies);
    const outside = tsFiles(path.join(root, 'lib')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => {
          if (spec.startsWith('node:')) return false;
          if (spec.startsWith('.')) return !path.resolve(path.dirname(file), spec).startsWith(path.join(root, 'lib'));
          return !peers.some((peer) => spec === peer || spec.startsWith(`${peer}/`));
        })
        .map((spec) => `${path.relative(root, file)}: ${spec}`),
    );
    expect(outside).toEqual([]);
  });
});
