import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import type { StackTemplate, TemplateResource } from './template';

/** Settings of a StreamingChecks run that rules read. */
export interface CheckSettings {
  /** The runtime toolkit's timeout margin (processKinesisBatch timeoutMarginMs). */
  readonly toolkitTimeoutMarginMs: number;
}

/** One rule of the pack: what StreamingChecks hands to NagPack.applyRule, plus the docs it rests on. */
export interface StreamingRule {
  /** The id after `Streaming-`. */
  readonly id: string;
  readonly level: NagMessageLevel;
  /** One line: what is wrong. */
  readonly info: string;
  /** Why it fails in AWS, naming the AWS documentation. */
  readonly explanation: string;
  /** The AWS documentation the rule rests on (also in docs/checks.md). */
  readonly docs: string;
  /** The CloudFormation types the rule looks at; any other resource is not applicable. */
  readonly resourceTypes: readonly string[];
  /** COMPLIANT, NON_COMPLIANT, or NOT_APPLICABLE when the template does not say enough. */
  evaluate(resource: TemplateResource, template: StackTemplate, settings: CheckSettings): NagRuleCompliance;
}

export const ERROR = NagMessageLevel.ERROR;
export const WARN = NagMessageLevel.WARN;
export const NOT_APPLICABLE = NagRuleCompliance.NOT_APPLICABLE;

/** COMPLIANT when `ok`, else NON_COMPLIANT; NOT_APPLICABLE when `ok` is undefined (unknown). */
export function compliantIf(ok: boolean | undefined): NagRuleCompliance {
  if (ok === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
