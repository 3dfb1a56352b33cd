/**
 * Every TypeScript example in README.md and docs/ compiles exactly as a user pastes it, in a
 * user-like CDK app that installed the packed packages: strict, with NodeNext resolution (what
 * `cdk init app --language typescript` sets up) and with the older CommonJS/node10 resolution.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { docExamples, documentationFiles, type DocExample } from '../support/doc-examples';
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

const RESOLUTIONS = {
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  node10: { module: 'commonjs', moduleResolution: 'node10' },
} as const;

let app: string;

beforeAll(() => {
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckp-pack-'));
  app = createUserApp(packPackages(packDir));
  fs.rmSync(packDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(app, 'examples'));
  for (const example of examples) fs.writeFileSync(path.join(app, 'examples', example.fileName), example.code);
  for (const [name, resolution] of Object.entries(RESOLUTIONS)) {
    fs.writeFileSync(
      path.join(app, `tsconfig.${name}.json`),
      JSON.stringify(
        { compilerOptions: { ...COMMON_OPTIONS, ...resolution }, include: ['examples/*.ts'] },
        undefined,
        2,
      ),
    );
  }
}, 120_000);

afterAll(() => {
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

test('README.md and docs/ have TypeScript examples', () => {
  expect(examples.length).toBeGreaterThan(10);
});

describe.each(Object.keys(RESOLUTIONS))('with %s module resolution', (resolution) => {
  test('every example compiles', () => {
    const result = runTsc(app, `tsconfig.${resolution}.json`);
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
});
