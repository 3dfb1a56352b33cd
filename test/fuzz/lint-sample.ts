/**
 * cfn-lint over a sample of the templates the fuzz test accepted: one per template shape (its
 * resource types and property names), so that every kind of accepted template is linted once,
 * in a single cfn-lint run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The resource types and property paths of a template, without values: what the sample dedupes on. */
export function templateShape(template: Record<string, unknown>): string {
  const keys = (value: unknown, at: string): string[] => {
    if (value === null || typeof value !== 'object') return [at];
    if (Array.isArray(value)) return value.length > 0 ? keys(value[0], `${at}[]`) : [at];
    // Intrinsics and asset references are values, not shape.
    const entries = Object.entries(value).filter(([k]) => !k.startsWith('Fn::') && k !== 'Ref');
    return entries.length > 0 ? entries.flatMap(([k, v]) => keys(v, `${at}.${k}`)) : [at];
  };
  const resources = Object.values((template.Resources ?? {}) as Record<string, { Type: string; Properties?: unknown }>);
  return [...new Set(resources.flatMap((r) => keys(r.Properties ?? {}, r.Type)))].sort().join('|');
}

/** At most this many templates are linted (cfn-lint takes about a second per template). */
const MAX_TEMPLATES = 40;

/**
 * Lints up to MAX_TEMPLATES templates in one cfn-lint run and returns its Error-level findings
 * (warnings are advice about aws-cdk-lib's own output, see test/templates). Returns undefined when
 * cfn-lint v1 is not installed, except under CI=true, where that fails.
 */
export function lintSample(templates: Array<Record<string, unknown>>): string[] | undefined {
  const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0 || !/cfn-lint 1\./.test(`${version.stdout}${version.stderr}`)) {
    if (process.env.CI === 'true') throw new Error('cfn-lint v1 is required under CI=true (pip install cfn-lint)');
    console.warn('cfn-lint v1 is not installed (pip install cfn-lint): the fuzz sample is not linted');
    return undefined;
  }
  const chosen = spreadPick(templates, MAX_TEMPLATES);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-lint-'));
  try {
    const files = chosen.map((t, i) => {
      const file = path.join(dir, `t${i}.template.json`);
      fs.writeFileSync(file, JSON.stringify(t));
      return file;
    });
    if (files.length === 0) return [];
    const run = spawnSync('cfn-lint', ['--format', 'json', '--', ...files], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status === 1 || run.status === null) throw new Error(`cfn-lint failed: ${run.stderr}`);
    const report = JSON.parse(run.stdout || '[]') as Array<{
      Filename: string;
      Level: string;
      Message: string;
      Rule: { Id: string };
      Location: { Path?: Array<string | number> };
    }>;
    return report
      .filter((f) => f.Level === 'Error')
      .map((f) => `${path.basename(f.Filename)} ${f.Rule.Id} at ${(f.Location.Path ?? []).join('/')}: ${f.Message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Up to `n` items spread evenly over the list (every construct's templates get a share). */
function spreadPick<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}
