/**
 * Property-based test over the props of every public construct (test/fuzz/cases.ts): each case
 * must end either in a clear error that names the prop and what it received, or in a template
 * CloudFormation accepts, in an app without this repository's feature flags. Every accepted
 * template passes a fast structural oracle (template-oracle.ts); cfn-lint runs once over a sample
 * of them, one per template shape, when FUZZ_LINT=1.
 *
 * Seeded and bounded: the same cases every run. FUZZ_SCALE=10 runs ten times as many (and
 * FUZZ_SEED another seed) for a deeper local search; FUZZ_REPORT=1 prints the figures per construct.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { FUZZ_CASES } from './cases';
import { describeCase, runCase, type OutcomeKind } from './run-case';
import { lintSample, templateShape } from './lint-sample';

const SEED = Number(process.env.FUZZ_SEED ?? 1_204_2025);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** One accepted template per case and shape, for cfn-lint. */
const sample = new Map<string, Record<string, unknown>>();
const figures: Record<string, Record<OutcomeKind, number>> = {};
afterAll(() => {
  if (process.env.FUZZ_REPORT) console.log(JSON.stringify(figures));
});

describe.each(FUZZ_CASES.map((c, index) => [c.name, c, index] as const))('%s', (_name, fuzzCase, index) => {
  test('every case ends in a clear error or a valid template', () => {
    const runs = Math.max(1, Math.round(fuzzCase.runs * SCALE));
    const cases = fc.sample(fuzzCase.props, { seed: SEED + index, numRuns: runs });
    const counts: Record<OutcomeKind, number> = { accepted: 0, clear: 0, unclear: 0, invalid: 0 };
    const failures: string[] = [];
    const cpu = process.cpuUsage();
    for (const props of cases) {
      const outcome = runCase(fuzzCase, props, outdir);
      counts[outcome.kind]++;
      if (outcome.kind === 'unclear' || outcome.kind === 'invalid') {
        failures.push(`${outcome.kind}: ${describeCase(fuzzCase, props)}\n    → ${outcome.detail}`);
      }
      if (outcome.template) {
        const key = `${fuzzCase.name}:${templateShape(outcome.template)}`;
        if (!sample.has(key)) sample.set(key, outcome.template);
      }
    }
    figures[fuzzCase.name] = counts;
    if (process.env.FUZZ_REPORT) {
      const used = process.cpuUsage(cpu);
      const seconds = ((used.user + used.system) / 1e6).toFixed(1);
      console.log(`${fuzzCase.name}: ${JSON.stringify(counts)} in ${seconds} s CPU\n${failures.join('\n')}`);
    }
    // Some cases of every construct are accepted: a generator that only makes errors tests nothing.
    if (!fuzzCase.check && !fuzzCase.combinations) expect(counts.accepted).toBeGreaterThan(0);
    expect(failures.slice(0, 5)).toEqual([]);
  });
});

// cfn-lint takes about a second per template: opt-in (FUZZ_LINT=1), run before a release and
// with FUZZ_SCALE for a deep search; test/templates lints the template variants in every run.
const lintTest = process.env.FUZZ_LINT ? test : test.skip;
lintTest('cfn-lint accepts one accepted template of each shape', () => {
  const findings = lintSample([...sample.values()]);
  if (findings === undefined) return; // cfn-lint missing outside CI: lintSample says so
  expect(findings).toEqual([]);
});
