import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The pre-bundled code of a handler this library ships (assets/<name>/index.js, built by
 * `npm run build`). Works from the sources (lib/private) and from the package (dist/lib/private).
 */
export function handlerCode(name: string): lambda.Code {
  return lambda.Code.fromAsset(handlerAssetDir(name));
}

export function handlerAssetDir(name: string): string {
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
