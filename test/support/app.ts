/** Test apps with the same feature flags as cdk.json, and no bundling unless asked for. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, type StackProps } from 'aws-cdk-lib';

const cdkJson = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

export const FEATURE_FLAGS: Record<string, unknown> = cdkJson.context;

export interface TestAppOptions {
  /** Allow NodejsFunction bundling (slow). @default false */
  readonly bundling?: boolean;
  readonly context?: Record<string, unknown>;
  /**
   * aws-cdk-lib's built-in CloudFormation validation at synth (schema and default rules, WASM):
   * two thirds of the CPU of a synthesis. Off by default: a user's app without the
   * `@aws-cdk/core:validateAgainstDefaultRules` flag does not run it either, and the suite checks
   * templates with cfn-lint instead; the reference app's tests turn it on.
   * @default false
   */
  readonly builtinValidation?: boolean;
}

export function createTestApp(options: TestAppOptions = {}): App {
  return new App({
    builtinCloudFormationValidation: options.builtinValidation ?? false,
    context: {
      ...FEATURE_FLAGS,
      ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
}

/** A fresh stack in a fresh app; env-agnostic unless props.env is given. */
export function createTestStack(id = 'TestStack', props?: StackProps, options?: TestAppOptions): Stack {
  return new Stack(createTestApp(options), id, props);
}
