/** Runs cdk-nag's AwsSolutions pack over an app and returns the unacknowledged findings. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  readonly paths: string[];
}

interface ValidationReport {
  pluginReports: Array<{
    violations: Array<{
      ruleName: string;
      severity: string;
      description: string;
      violatingConstructs: Array<{ constructPath: string }>;
    }>;
  }>;
}

/** Adds AwsSolutionsChecks, writing acknowledgments into template metadata so tests can read their reasons. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
}

/**
 * Synthesizes the app (into its temp outdir) and returns every unacknowledged policy-validation
 * finding, errors and warnings alike. The assembly is written before validation runs, so templates
 * can be read even when validation fails; any other synth error is rethrown.
 */
export function synthWithNag(app: App): { findings: NagFinding[]; outdir: string } {
  const outdir = app.outdir;
  let failed: unknown;
  try {
    app.synth({ force: true });
  } catch (error) {
    failed = error;
  }
  const reportFile = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) {
    if (failed) throw failed;
    return { findings: [], outdir };
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ValidationReport;
  const findings = report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((v) => ({
      rule: v.ruleName,
      severity: v.severity,
      description: v.description,
      paths: v.violatingConstructs.map((c) => c.constructPath),
    })),
  );
  if (failed && findings.length === 0) throw failed;
  return { findings, outdir };
}

/** The synthesized template of a stack, read from the assembly folder (written even when validation failed). */
export function readTemplate(outdir: string, stackArtifactId: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(outdir, `${stackArtifactId}.template.json`), 'utf8'));
}
