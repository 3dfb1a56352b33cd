/** docs/checks.md lists every rule of the pack with its level and the documentation it rests on. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NagMessageLevel } from 'cdk-nag';
import { STREAMING_RULES } from '../../lib/checks/private/rules';

const doc = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'checks.md'), 'utf8');
const rows = new Map(
  doc
    .split('\n')
    .filter((line) => line.startsWith('| `Streaming-'))
    .map((line) => [/`Streaming-(\w+)`/.exec(line)![1], line]),
);

test('the rule table has one row per rule, and no other', () => {
  expect([...rows.keys()]).toEqual(STREAMING_RULES.map((r) => r.id));
});

test.each(STREAMING_RULES.map((r) => [r.id, r] as const))('%s: its level and documentation link', (id, rule) => {
  const row = rows.get(id) ?? '';
  const level = rule.level === NagMessageLevel.ERROR ? 'Error' : 'Warning';
  expect(row.split('|')[2].trim()).toBe(level);
  expect(row).toContain(rule.docs);
  // The explanation the finding carries names the same documentation.
  expect(rule.explanation).toMatch(/documentation|knowledge center|API reference/i);
});
