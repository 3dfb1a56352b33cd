/**
 * An independent validator: cfn-lint v1 (AWS's CloudFormation linter, checking templates against
 * the CloudFormation resource schemas) over the reference template and every variant of
 * ./variants.ts, in one run. No errors; warnings only those listed below, each with its reason.
 * Skipped with a notice when cfn-lint is not installed, except under CI=true.
 */
import { describeFinding, lintTemplates, requireCfnLint, type CfnLintFinding } from '../support/cfn-lint';
import { TEMPLATE_VARIANTS, synthesizeVariants } from './variants';

/**
 * Warnings that come from aws-cdk-lib's L2 constructs, not from what this library writes. Each
 * names the rule, what it matches exactly, and why it stays.
 */
export const ACCEPTED_WARNINGS: ReadonlyArray<{
  readonly rule: string;
  readonly matches: (f: CfnLintFinding, template: any) => boolean;
  readonly reason: string;
}> = [
  {
    rule: 'W3005',
    // "'XServiceRole…' dependency already enforced by a 'GetAtt' at 'Resources/X/Properties/Role'"
    matches: (f, template) => {
      const [, resource, dependsOn] = f.path.split('/');
      const function_ = template.Resources[resource];
      return (
        dependsOn === 'DependsOn' &&
        function_?.Type === 'AWS::Lambda::Function' &&
        new RegExp(`GetAtt' at 'Resources/${resource}/Properties/Role'$`).test(f.message)
      );
    },
    reason:
      "aws-cdk-lib's lambda.Function adds DependsOn on its execution role and the role's DefaultPolicy; the policy dependency is what matters (the function must not run before it may act), the role half repeats the Role GetAtt. Harmless, and not ours to remove.",
  },
  {
    rule: 'W3005',
    // "'FailureTopic…' dependency already enforced by a 'Ref' at 'Resources/…Notifications…/Properties/NotificationConfiguration/…'"
    matches: (f, template) => {
      const [, resource, dependsOn] = f.path.split('/');
      return (
        dependsOn === 'DependsOn' &&
        template.Resources[resource]?.Type === 'Custom::S3BucketNotifications' &&
        new RegExp(`at 'Resources/${resource}/Properties/NotificationConfiguration/`).test(f.message)
      );
    },
    reason:
      "aws-cdk-lib's bucket.addEventNotification makes the notification depend on the destination topic or queue and its resource policy; the policy half matters (S3 checks it may publish when the notification is set), the topic/queue half repeats the Ref. Harmless, and not ours to remove.",
  },
];

/** A template with two schema errors, linted with the others to prove the run reports them. */
const CANARY = 'BrokenCanary';
const BROKEN_TEMPLATE = {
  Resources: {
    Stream: {
      Type: 'AWS::Kinesis::Stream',
      Properties: { ShardCount: 0, StreamModeDetails: { StreamMode: 'SOMETIMES' } },
    },
  },
};

const run = requireCfnLint('cfn-lint template check');

(run ? describe : describe.skip)('cfn-lint v1', () => {
  let templates: Record<string, any>;
  let findings: CfnLintFinding[];
  let canary: CfnLintFinding[];
  beforeAll(() => {
    templates = synthesizeVariants();
    // One cfn-lint run for everything: the variants and a canary that must fail.
    const all = lintTemplates({ ...templates, [CANARY]: BROKEN_TEMPLATE });
    canary = all.filter((f) => f.template === CANARY);
    findings = all.filter((f) => f.template !== CANARY);
  }, 600_000);

  test('covers the reference template and at least ten variants', () => {
    expect(Object.keys(templates)).toEqual(TEMPLATE_VARIANTS.map((v) => v.name));
    expect(Object.keys(templates)).toContain('Reference');
    expect(Object.keys(templates).length).toBeGreaterThanOrEqual(11);
  });

  test('no errors', () => {
    expect(findings.filter((f) => f.level === 'Error').map(describeFinding)).toEqual([]);
  });

  test('no warnings but the accepted ones', () => {
    const unexplained = findings
      .filter((f) => f.level !== 'Error')
      .filter((f) => !ACCEPTED_WARNINGS.some((a) => a.rule === f.rule && a.matches(f, templates[f.template])));
    expect(unexplained.map(describeFinding)).toEqual([]);
    const byRule = new Map<string, number>();
    for (const f of findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    console.info(
      `cfn-lint: ${Object.keys(templates).length} templates, ${findings.filter((f) => f.level === 'Error').length} errors, ` +
        `accepted warnings: ${[...byRule].map(([rule, n]) => `${rule}×${n}`).join(', ') || 'none'}`,
    );
  });

  test('the lint really runs: the broken canary template is reported', () => {
    // E3034: ShardCount below its minimum of 1; E3030: a StreamMode that is not in the enum.
    expect(
      canary
        .filter((f) => f.level === 'Error')
        .map((f) => f.rule)
        .sort(),
    ).toEqual(['E3030', 'E3034']);
  });
});
