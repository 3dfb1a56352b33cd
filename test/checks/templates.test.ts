/**
 * StreamingChecks on plain CloudFormation templates loaded with cloudformation-include: each
 * templates/Streaming-<Rule>.json breaks that one rule (its Description says how), and
 * compliant.json breaks none. The pack must report exactly the rule the file is named after.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as cfninc from 'aws-cdk-lib/cloudformation-include';
import { STREAMING_RULES } from '../../lib/checks/private/rules';
import { NagRuleCompliance } from 'cdk-nag';
import { outcomes, ruleIds } from './fixtures';

const TEMPLATES = path.join(__dirname, 'templates');
const files = fs.readdirSync(TEMPLATES).filter((f) => f.endsWith('.json'));

function included(file: string): Stack {
  const stack = new Stack(new App(), 'Included');
  new cfninc.CfnInclude(stack, 'Template', { templateFile: path.join(TEMPLATES, file) });
  return stack;
}

test('there is a broken template for every rule, and a compliant one', () => {
  expect(files.sort()).toEqual(['compliant.json', ...STREAMING_RULES.map((r) => `Streaming-${r.id}.json`)].sort());
});

test('the compliant template passes, each rule (but on-demand) applying to it', () => {
  const stack = included('compliant.json');
  expect(ruleIds(stack)).toEqual([]);
  for (const rule of STREAMING_RULES.filter((r) => r.id !== 'StreamOnDemandShardCount')) {
    expect([rule.id, outcomes(stack, rule.id)]).toEqual([
      rule.id,
      expect.arrayContaining([NagRuleCompliance.COMPLIANT]),
    ]);
  }
});

test.each(files.filter((f) => f !== 'compliant.json'))('%s reports exactly its rule', (file) => {
  expect(ruleIds(included(file))).toEqual([path.basename(file, '.json')]);
});
