/**
 * How the local run synthesizes an app: as the CDK CLI runs it (CDK_OUTDIR, CDK_CONTEXT_JSON from
 * cdk.json), and as `cdk synth --no-validation` does (CDK_VALIDATION=false) unless the caller's
 * environment says otherwise: aws-cdk-lib's built-in CloudFormation validation was most of the
 * reference app's synthesis time, and the run only reads the templates.
 * @see https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/core/README.md#cloudformationvalidateplugin
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesize } from '../../packages/cli/src/local/cloud-assembly';

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-synth-'));
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ context: { answer: 42 } }));
  // A stand-in app: writes a manifest and the environment it was given.
  fs.writeFileSync(
    path.join(dir, 'app.js'),
    `const fs = require('node:fs'), path = require('node:path');
fs.writeFileSync(path.join(process.env.CDK_OUTDIR, 'manifest.json'), '{}');
fs.writeFileSync(path.join(process.env.CDK_OUTDIR, 'env.json'), JSON.stringify({ CDK_VALIDATION: process.env.CDK_VALIDATION, CDK_CONTEXT_JSON: process.env.CDK_CONTEXT_JSON }));`,
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function envOfApp(env: NodeJS.ProcessEnv): Promise<{ CDK_VALIDATION?: string; CDK_CONTEXT_JSON: string }> {
  const out = fs.mkdtempSync(path.join(dir, 'out-'));
  await synthesize(`"${process.execPath}" app.js`, dir, out, env);
  return JSON.parse(fs.readFileSync(path.join(out, 'env.json'), 'utf8')) as {
    CDK_VALIDATION?: string;
    CDK_CONTEXT_JSON: string;
  };
}

test("the app runs with cdk.json's context and without the built-in CloudFormation validation", async () => {
  const env = await envOfApp({ PATH: process.env.PATH });
  expect(env.CDK_VALIDATION).toBe('false');
  expect(JSON.parse(env.CDK_CONTEXT_JSON)).toEqual({ answer: 42 });
});

test('CDK_VALIDATION set by the caller is kept', async () => {
  expect((await envOfApp({ PATH: process.env.PATH, CDK_VALIDATION: 'true' })).CDK_VALIDATION).toBe('true');
});
