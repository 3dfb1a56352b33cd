/**
 * Runs one fuzz case in a fresh app WITHOUT this repository's feature flags (a user's `new App()`,
 * bundling off) and classifies the outcome:
 * - `clear`: an Error whose message names a prop the case set and says what it received;
 * - `unclear`: any other error (from deep inside aws-cdk-lib, a TypeError, no prop named);
 * - `invalid`: accepted, but the template holds a value CloudFormation rejects or misreads;
 * - `accepted`: accepted, and the template passes the structural oracle.
 */
import { App, Stack } from 'aws-cdk-lib';
import type { FuzzCase } from './cases';
import { templateProblems } from './template-oracle';
import { describeValue, propNames } from './values';

export type OutcomeKind = 'accepted' | 'clear' | 'unclear' | 'invalid';

export interface Outcome {
  readonly kind: OutcomeKind;
  /** The error message or the template problems. */
  readonly detail?: string;
  /** The template, when accepted. */
  readonly template?: Record<string, unknown>;
}

/** Keys of the case descriptions that group props rather than name one. */
const GROUPS = new Set(['fn', 'options', 'props', 'input', 'efo']);

/**
 * The app a user writes: no feature flags from cdk.json (in particular no
 * `@aws-cdk/core:validateAgainstDefaultRules`, so aws-cdk-lib's template validation only warns),
 * bundling and asset staging off (no esbuild, no copies). aws-cdk-lib's built-in validation is
 * off as well: without that flag it can only warn, never reject, and it is most of a synthesis's
 * CPU; cfn-lint checks a sample of the accepted templates instead.
 */
export function userApp(outdir: string): App {
  return new App({
    outdir,
    builtinCloudFormationValidation: false,
    // Construct stack traces and tree.json do not change the template; they are a third of the CPU.
    stackTraces: false,
    treeMetadata: false,
    context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true },
  });
}

export function runCase(fuzzCase: FuzzCase, props: Record<string, unknown>, outdir: string): Outcome {
  const app = userApp(outdir);
  const stack = new Stack(app, 'Fuzz');
  let result: unknown;
  try {
    result = fuzzCase.run(stack, props);
    if (fuzzCase.check) {
      const problems = fuzzCase.check(result);
      return problems.length > 0 ? { kind: 'invalid', detail: problems.join('; ') } : { kind: 'accepted' };
    }
    const template = synthesizeTemplate(stack);
    const problems = templateProblems(template);
    return problems.length > 0
      ? { kind: 'invalid', detail: problems.join('; '), template }
      : { kind: 'accepted', template };
  } catch (error) {
    return { kind: isClear(error, props) ? 'clear' : 'unclear', detail: messageOf(error) };
  }
}

/**
 * The stack's template as `app.synth()` makes it for a single stack without aspects (the
 * constructs register none): every construct's validations, then the resolved template. It
 * writes no files (assets, manifests), a third of a synthesis's CPU.
 */
function synthesizeTemplate(stack: Stack): Record<string, unknown> {
  const errors = stack.node.findAll().flatMap((c) => c.node.validate().map((message) => `[${c.node.path}] ${message}`));
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  return (stack as unknown as { _toCloudFormation(): Record<string, unknown> })._toCloudFormation();
}

/** An Error naming a prop the case set, and the value received. */
export function isClear(error: unknown, props: Record<string, unknown>): boolean {
  if (!(error instanceof Error) || error instanceof TypeError || error instanceof RangeError) return false;
  const names = [...propNames(props)].filter((n) => !GROUPS.has(n));
  return /Received/.test(error.message) && names.some((n) => new RegExp(`\\b${n}\\b`).test(error.message));
}

function messageOf(error: unknown): string {
  return error instanceof Error
    ? `${error.constructor.name}: ${error.message.split('\n').slice(0, 3).join(' ')}`
    : String(error);
}

export function describeCase(fuzzCase: FuzzCase, props: Record<string, unknown>): string {
  return `${fuzzCase.name} ${describeValue(props)}`;
}
