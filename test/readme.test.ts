import * as fs from 'node:fs';
import * as path from 'node:path';
import { assembleReadme } from '../scripts/build-readme';

test('README.md is assembled from docs/ (run `npm run readme` after editing docs/*.md)', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');
  expect(readme).toBe(assembleReadme());
});

test('the README gives the two set-up commands that .ci/run runs', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');
  const ci = fs.readFileSync(path.resolve(__dirname, '..', '.ci', 'run'), 'utf8');
  expect(readme).toContain('npm ci && npx cdk synth');
  expect(readme).toContain('npm ci && npm test');
  expect(ci).toMatch(/^npm ci && npm test$/m);
});
