/**
 * The esbuild options the shipped handlers are bundled with (scripts/bundle-handlers.ts), shared
 * with the benchmarks that measure handler code (bench/transform), so that they time the code
 * as it runs in Lambda: one bundle, no per-module loader or export getters.
 */
import * as path from 'node:path';
import type { BuildOptions } from 'esbuild';

export function handlerBuildOptions(root: string): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: 'node22',
    // cdk-kinesis-pipeline-runtime resolves to packages/runtime/src through tsconfig.json's paths.
    tsconfig: path.join(root, 'tsconfig.json'),
    format: 'cjs',
    minify: true,
    sourcemap: false,
    // Bundling the SDK pins the version we test with instead of the runtime's.
    external: [],
    legalComments: 'none',
    logLevel: 'warning',
  };
}
