import { Duration, type CfnResource, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagPack, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { CheckSettings } from './private/rule';
import { PACK_NAME, STREAMING_RULES } from './private/rules';
import { TemplateCache } from './private/template';

/** Props of `StreamingChecks`. */
export interface StreamingChecksProps extends NagPackProps {
  /**
   * The `timeoutMarginMs` your handlers pass to the runtime toolkit's `processKinesisBatch`:
   * functions that use the toolkit need a timeout of at least twice this (rule EsmToolkitTimeout).
   * Between 0 and 15 minutes (Lambda's longest timeout).
   * @default Duration.seconds(5) - the toolkit's default margin
   */
  readonly toolkitTimeoutMargin?: Duration;
}

/** Lambda's longest function timeout. */
const MAX_TIMEOUT_MILLIS = Duration.minutes(15).toMilliseconds();

/**
 * A cdk-nag pack of the rules that keep Kinesis pipelines working once deployed: Lambda event
 * source mappings that neither lose nor block records, alarms on metrics that exist and that can
 * notify, Firehose settings that deploy and file data where Athena finds it, Glue tables Firehose
 * can convert with, and streams and functions that deploy in any account.
 *
 * It reads the rendered L1 resources, so it checks this library's constructs, aws-cdk-lib L2s,
 * your own L1s and `CfnInclude`d templates alike. Register it like any cdk-nag 3 pack:
 * `Validations.of(app).addPlugins(new StreamingChecks(app))`; acknowledge a finding with
 * `Validations.of(construct).acknowledge({ id: 'Streaming-EsmBisectOnError', reason: '...' })`.
 * The rule table, with the AWS documentation behind each rule, is in docs/checks.md.
 */
export class StreamingChecks extends NagPack {
  /** The plugin name in the validation report. */
  public readonly name: string = PACK_NAME;

  private readonly settings: CheckSettings;
  private templates = new TemplateCache();

  constructor(scope?: IConstruct, props: StreamingChecksProps = {}) {
    super(scope, props);
    this.packName = PACK_NAME;
    const margin = props.toolkitTimeoutMargin ?? Duration.seconds(5);
    if (!margin.isUnresolved()) {
      const millis = margin.toMilliseconds();
      if (!(millis >= 0 && millis <= MAX_TIMEOUT_MILLIS)) {
        throw new Error(
          `toolkitTimeoutMargin must be between 0 and 15 minutes (Lambda's longest timeout). Received ${margin.toHumanString()}`,
        );
      }
    }
    this.settings = { toolkitTimeoutMarginMs: margin.toMilliseconds() };
  }

  /** Validates a construct tree; each run renders each stack's resources afresh. */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.templates = new TemplateCache();
    return super.validateScope(scope);
  }

  protected checkResource(node: CfnResource): void {
    const rules = STREAMING_RULES.filter((r) => r.resourceTypes.includes(node.cfnResourceType));
    if (rules.length === 0) return;
    const found = this.templates.lookup(node);
    if (!found) return;
    for (const rule of rules) {
      this.applyRule({
        ruleSuffixOverride: rule.id,
        info: rule.info,
        explanation: `${rule.explanation} (${rule.docs})`,
        level: rule.level,
        node,
        rule: () => rule.evaluate(found.resource, found.template, this.settings),
      });
    }
  }
}
