/**
 * Runs cfn-lint (v1, the CloudFormation linter AWS maintains: https://github.com/aws-cloudformation/cfn-lint)
 * over synthesized templates: an independent check of what we write against the CloudFormation
 * resource schemas. It is a Python tool, not an npm dependency: `pip install cfn-lint`.
 *
 * Run it ONCE over every template of a test file (lintTemplates), not once per template: its
 * start-up (loading the schemas) costs more than linting a template.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type CfnLintLevel = 'Error' | 'Warning' | 'Informational';

export interface CfnLintFinding {
  /** The template's name as given to lintTemplates (its file name without `.template.json`). */
  readonly template: string;
  /** E.g. E3002 or W3005. */
  readonly rule: string;
  readonly level: CfnLintLevel;
  readonly message: string;
  /** Where in the template, e.g. Resources/MyFunction/DependsOn/1. */
  readonly path: string;
}

export interface CfnLintAvailability {
  readonly available: boolean;
  /** e.g. 'cfn-lint 1.51.0' */
  readonly version?: string;
}

const INSTALL_HINT = 'pip install cfn-lint';

let cached: CfnLintAvailability | undefined;

/** Whether a cfn-lint v1 is on the PATH. */
export function cfnLintAvailability(): CfnLintAvailability {
  if (cached) return cached;
  const run = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  const version = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim();
  cached = run.status === 0 && /cfn-lint 1\./.test(version) ? { available: true, version } : { available: false };
  return cached;
}

/**
 * Decides whether a cfn-lint test runs: true when cfn-lint v1 is installed. Without it, under
 * CI=true this throws (CI must lint); elsewhere it prints how to install it and returns false, so
 * the caller skips its tests.
 */
export function requireCfnLint(what: string): boolean {
  if (cfnLintAvailability().available) return true;
  const message = `${what}: cfn-lint v1 is not installed (${INSTALL_HINT}).`;
  if (process.env.CI === 'true') {
    throw new Error(`${message} CI=true requires it.`);
  }
  console.warn(`${message} Skipping; install it to run this check.`);
  return false;
}

export interface LintOptions {
  /** Rules to leave out (`--ignore-checks`), for a rule that cannot apply. @default - none */
  readonly ignoreChecks?: string[];
}

/**
 * Writes each template to a fresh temp folder as `<name>.template.json`, runs cfn-lint once over
 * all of them and returns every finding (Error and Warning; Informational only if asked for by
 * cfn-lint's own defaults). The folder is removed afterwards.
 */
export function lintTemplates(templates: Record<string, unknown>, options: LintOptions = {}): CfnLintFinding[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  try {
    const files = Object.entries(templates).map(([name, template]) => {
      if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`template name must be a file name. Received '${name}'`);
      const file = path.join(dir, `${name}.template.json`);
      fs.writeFileSync(file, JSON.stringify(template, undefined, 1));
      return file;
    });
    return runCfnLint(files, options).map((f) => ({ ...f, template: path.basename(f.template, '.template.json') }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface JsonFinding {
  Filename: string;
  Level: CfnLintLevel;
  Message: string;
  Rule: { Id: string };
  Location: { Path?: Array<string | number> };
}

/** Runs cfn-lint once over template files and parses its JSON report. */
export function runCfnLint(files: string[], options: LintOptions = {}): CfnLintFinding[] {
  if (files.length === 0) return [];
  const args = [
    '--format',
    'json',
    ...(options.ignoreChecks?.length ? ['--ignore-checks', ...options.ignoreChecks] : []),
  ];
  const run = spawnSync('cfn-lint', [...args, '--', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  // Exit codes are a bit mask of the levels found (2 error, 4 warning, 8 info); 1 is a crash.
  if (run.status === 1 || run.status === null) {
    throw new Error(`cfn-lint failed (exit ${run.status}): ${run.stderr}`);
  }
  const report = JSON.parse(run.stdout || '[]') as JsonFinding[];
  return report.map((f) => ({
    template: f.Filename,
    rule: f.Rule.Id,
    level: f.Level,
    message: f.Message,
    path: (f.Location.Path ?? []).join('/'),
  }));
}

/** One line per finding, for readable test failures. */
export function describeFinding(f: CfnLintFinding): string {
  return `${f.template}: ${f.rule} (${f.level}) at ${f.path}: ${f.message}`;
}
