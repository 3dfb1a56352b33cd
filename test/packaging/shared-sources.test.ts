import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedSources } from '../../scripts/shared-sources';

const root = path.resolve(__dirname, '..', '..');

describe('sources the constructs share with the runtime toolkit', () => {
  test.each(sharedSources().map((s) => [s.copy, s]))('%s is the current copy (npm run build:shared)', (_, shared) => {
    expect(fs.readFileSync(path.join(root, shared.copy), 'utf8')).toBe(shared.expected);
  });
});
