/**
 * Every StreamingChecks rule on a compliant and a non-compliant stack (the cdk-nag convention):
 * each non-compliant stack is the compliant L1 pipeline with one property broken, and must make
 * the pack report exactly that rule.
 */
import { STREAMING_RULES } from '../../lib/checks/private/rules';
import { Duration } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { CompliantPipeline, outcomes, ruleIds } from './fixtures';
import { RULE_CASES as CASES } from './rule-cases';

/** Rules the compliant pipeline does not exercise; their cases carry a compliant variant that does. */
const NOT_EXERCISED_BY_DEFAULT = ['StreamOnDemandShardCount'];

test('the compliant pipeline passes every rule, and each rule (but on-demand) applies to it', () => {
  const { stack } = new CompliantPipeline();
  expect(ruleIds(stack)).toEqual([]);
  for (const rule of STREAMING_RULES) {
    if (NOT_EXERCISED_BY_DEFAULT.includes(rule.id)) continue;
    expect([rule.id, outcomes(stack, rule.id)]).toEqual([
      rule.id,
      expect.arrayContaining([NagRuleCompliance.COMPLIANT]),
    ]);
  }
});

test('every rule has a case, and every case a rule', () => {
  expect(CASES.map((c) => c.rule).sort()).toEqual(STREAMING_RULES.map((r) => r.id).sort());
});

describe.each(CASES)('Streaming-$rule', ({ rule, nonCompliant, compliant = [], notApplicable = [] }) => {
  test.each(nonCompliant)('reports %s', (_description, change) => {
    const pipeline = new CompliantPipeline();
    change(pipeline);
    expect(ruleIds(pipeline.stack)).toEqual([`Streaming-${rule}`]);
  });

  if (compliant.length > 0) {
    test.each(compliant)('passes %s', (_description, change) => {
      const pipeline = new CompliantPipeline();
      change(pipeline);
      expect(ruleIds(pipeline.stack)).toEqual([]);
      // The rule looked at the variant and passed it (not merely found nothing to check).
      expect(outcomes(pipeline.stack, rule)).toContain(NagRuleCompliance.COMPLIANT);
    });
  }

  if (notApplicable.length > 0) {
    test.each(notApplicable)('does not apply to %s', (_description, change) => {
      const pipeline = new CompliantPipeline();
      change(pipeline);
      expect(ruleIds(pipeline.stack)).toEqual([]);
      expect(new Set(outcomes(pipeline.stack, rule))).toEqual(new Set([NagRuleCompliance.NOT_APPLICABLE]));
    });
  }
});

describe('toolkitTimeoutMargin', () => {
  test('a 60 s function fails a 31 s margin (under twice the margin) and passes a 30 s one', () => {
    const pipeline = new CompliantPipeline();
    expect(ruleIds(pipeline.stack, { toolkitTimeoutMargin: Duration.seconds(31) })).toEqual([
      'Streaming-EsmToolkitTimeout',
    ]);
    expect(ruleIds(pipeline.stack, { toolkitTimeoutMargin: Duration.seconds(30) })).toEqual([]);
  });

  test('fails outside 0..15 minutes, naming the prop and the value', () => {
    expect(() => ruleIds(new CompliantPipeline().stack, { toolkitTimeoutMargin: Duration.minutes(16) })).toThrow(
      /toolkitTimeoutMargin must be between 0 and 15 minutes .*Received 16 minutes/,
    );
  });
});
