import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HANDLER_RUNTIME } from './handler-runtime';

/** The props that make a function run one of the handlers this library ships. */
export type BundledHandlerProps = Pick<lambda.FunctionProps, 'runtime' | 'handler' | 'code'>;

/**
 * Runtime, entry point and code of a pre-bundled handler (assets/<name>/index.js, built by
 * `npm run build`): every function the library deploys from lambda/<name>/ starts from these.
 */
export function bundledHandlerProps(name: string): BundledHandlerProps {
  return { runtime: HANDLER_RUNTIME, handler: 'index.handler', code: handlerCode(name) };
}

/** Works from the sources (lib/private) and from the package (dist/lib/private). */
function handlerCode(name: string): lambda.Code {
  return lambda.Code.fromAsset(handlerAssetDir(name));
}

function handlerAssetDir(name: string): string {
  for (const up of [
    ['..', '..'],
    ['..', '..', '..'],
  ]) {
    const dir = path.resolve(__dirname, ...up, 'assets', name);
    if (fs.existsSync(path.join(dir, 'index.js'))) return dir;
  }
  throw new Error(
    `The pre-bundled handler '${name}' is missing (assets/${name}/index.js). Run 'npm run build' in cdk-kinesis-pipeline.`,
  );
}
