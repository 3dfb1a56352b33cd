/**
 * Every TypeScript example in README.md and docs/ compiles exactly as a user pastes it, in a
 * user-like CDK app that installed the packed packages: strict, with NodeNext resolution (what
 * `cdk init app --language typescript` sets up). Every module the examples import must also resolve
 * to its type declarations under the older CommonJS/node10, node16 and bundler resolutions
 * (TypeScript's own resolver: type-checking the examples once per resolution would multiply the
 * test's cost for the same finding, TS2307).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { docExamples, documentationFiles, duplicateFileNames, type DocExample } from '../support/doc-examples';
import { createUserApp, packPackages, runTsc } from '../support/user-app';

const examples: DocExample[] = documentationFiles().flatMap(docExamples);

const COMMON_OPTIONS = {
  target: 'ES2022',
  lib: ['ES2022'],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  esModuleInterop: true,
  types: ['node'],
};

const RESOLUTIONS: Record<string, ts.CompilerOptions> = {
  node10: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 },
  node16: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
  nodenext: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  bundler: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
};

/** Subpaths of ours that users import (also from JavaScript config files the examples do not compile). */
const SUBPATHS = ['cdk-kinesis-pipeline/testing', 'cdk-kinesis-pipeline/testing/serializer'];

/** Every package (and subpath) an example imports, e.g. `cdk-kinesis-pipeline-runtime/testing`. */
const importedModules = [
  ...new Set([
    ...SUBPATHS,
    ...examples.flatMap((e) => [...e.code.matchAll(/^import .* from '([^.'][^']*)';$/gm)].map((m) => m[1])),
  ]),
].sort();

let app: string;

beforeAll(() => {
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckp-pack-'));
  app = createUserApp(packPackages(packDir));
  fs.rmSync(packDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(app, 'examples'));
  for (const example of examples) fs.writeFileSync(path.join(app, 'examples', example.fileName), example.code);
  fs.writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: { ...COMMON_OPTIONS, module: 'nodenext', moduleResolution: 'nodenext' },
        include: ['examples/*.ts'],
      },
      undefined,
      2,
    ),
  );
}, 120_000);

afterAll(() => {
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

test('README.md and docs/ have TypeScript examples, each in a file of its own', () => {
  expect(examples.length).toBeGreaterThan(10);
  expect(duplicateFileNames(examples)).toEqual([]);
  // The subpath exports that once failed under node10 are among what the examples import.
  expect(importedModules).toEqual(expect.arrayContaining(['cdk-kinesis-pipeline', 'cdk-kinesis-pipeline-runtime']));
});

test('every example compiles (strict, NodeNext)', () => {
  const result = runTsc(app, 'tsconfig.json');
  // Map "examples/docs-consumer-md-40.ts(3,7): error TS2304: ..." back to the markdown line.
  const byFile = new Map(examples.map((e) => [e.fileName, e]));
  const errors = result.output
    .split('\n')
    .filter((line) => /error TS\d+/.test(line))
    .map((line) => {
      const m = /^examples\/([^()]+)\((\d+),\d+\): (.*)$/.exec(line);
      const example = m ? byFile.get(m[1]) : undefined;
      if (!m || !example) return line;
      const [file, start] = example.location.split(':');
      return `${file}:${Number(start) + Number(m[2])}: ${m[3]}`;
    });
  expect(errors).toEqual([]);
  expect(result.exitCode).toBe(0);
});

test.each(Object.keys(RESOLUTIONS))(
  'every module the examples import resolves to types under %s resolution',
  (name) => {
    const importer = path.join(app, 'examples', 'importer.ts');
    const unresolved = importedModules.filter((module) => {
      const { resolvedModule } = ts.resolveModuleName(module, importer, RESOLUTIONS[name], ts.sys);
      return !resolvedModule || !/\.d\.ts$/.test(resolvedModule.resolvedFileName);
    });
    expect(unresolved).toEqual([]);
  },
);
