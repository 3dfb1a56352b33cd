/**
 * The cloud assembly `cdk synth` writes (cdk.out): the stacks' templates and the asset folders
 * `cdk deploy` would upload. Synthesizing runs the app the way the CDK CLI does, with CDK_OUTDIR
 * and CDK_CONTEXT_JSON (cdk.json's context), so neither the CDK CLI nor an AWS account is needed.
 * @see https://github.com/aws/aws-cdk-cli/blob/main/packages/%40aws-cdk/cloud-assembly-schema/README.md
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from '../cli-io';

/** A CloudFormation resource as the template holds it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface StackArtifact {
  /** The stack's name (its CloudFormation name, as `cdk deploy` would create it). */
  readonly stackName: string;
  readonly resources: Readonly<Record<string, TemplateResource>>;
  /** S3 object key of a file asset (e.g. `<hash>.zip`) → its folder or file in the assembly. */
  readonly assets: ReadonlyMap<string, string>;
}

interface Manifest {
  readonly artifacts?: Record<
    string,
    { type: string; properties?: { templateFile?: string; stackName?: string; file?: string }; displayName?: string }
  >;
}

interface AssetManifest {
  readonly files?: Record<
    string,
    {
      source: { path?: string; packaging?: string };
      destinations: Record<string, { objectKey?: string }>;
    }
  >;
}

/** Reads every CloudFormation stack of an assembly directory (nested assemblies included). */
export function readCloudAssembly(dir: string): StackArtifact[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new CliError(`${dir} is not a cloud assembly: it has no manifest.json (run cdk synth, or give --app)`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
  const artifacts = manifest.artifacts ?? {};
  const assets = new Map<string, string>();
  for (const artifact of Object.values(artifacts)) {
    if (artifact.type !== 'cdk:asset-manifest' || !artifact.properties?.file) continue;
    const assetManifest = JSON.parse(
      fs.readFileSync(path.join(dir, artifact.properties.file), 'utf8'),
    ) as AssetManifest;
    for (const file of Object.values(assetManifest.files ?? {})) {
      if (!file.source.path) continue;
      for (const destination of Object.values(file.destinations)) {
        if (destination.objectKey) assets.set(destination.objectKey, path.join(dir, file.source.path));
      }
    }
  }
  const stacks: StackArtifact[] = [];
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8')) as {
        Resources?: Record<string, TemplateResource>;
      };
      stacks.push({ stackName: artifact.properties.stackName ?? id, resources: template.Resources ?? {}, assets });
    } else if (
      artifact.type === 'cdk:cloud-assembly' &&
      artifact.properties &&
      'directoryName' in artifact.properties
    ) {
      stacks.push(...readCloudAssembly(path.join(dir, String(artifact.properties.directoryName))));
    }
  }
  return stacks;
}

/**
 * Runs `app` (a shell command, as in cdk.json's "app") with the assembly written to `outdir`.
 * The context is cdk.json's (and cdk.context.json's) from `cwd`, as the CDK CLI passes it.
 * As `cdk synth --no-validation` (CDK_VALIDATION=false, unless the caller's environment sets it):
 * aws-cdk-lib's built-in CloudFormation validation (@aws/cloudformation-validate, WebAssembly)
 * took 15 of the reference app's 26 s of synthesis CPU, and only reports on the templates, which
 * the run reads as they are; `cdk synth` still validates them, and plugins the app registers
 * itself (cdk-nag) still run.
 * @see https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/core/README.md#cloudformationvalidateplugin
 */
export async function synthesize(app: string, cwd: string, outdir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const context: Record<string, unknown> = {};
  for (const file of ['cdk.json', 'cdk.context.json']) {
    const full = path.join(cwd, file);
    if (!fs.existsSync(full)) continue;
    const json = JSON.parse(fs.readFileSync(full, 'utf8')) as { context?: Record<string, unknown> };
    Object.assign(context, file === 'cdk.json' ? (json.context ?? {}) : json);
  }
  fs.mkdirSync(outdir, { recursive: true });
  const child = spawn(app, {
    cwd,
    shell: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { CDK_VALIDATION: 'false', ...env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) {
    throw new CliError(`the app '${app}' exited with ${code} while synthesizing:\n${output.trim().slice(-4000)}`);
  }
  if (!fs.existsSync(path.join(outdir, 'manifest.json'))) {
    throw new CliError(`the app '${app}' wrote no cloud assembly to ${outdir} (does it call app.synth()?)`);
  }
}
