/**
 * README.md is the user's first page (what it is, install, an example, links to docs/); docs/*.md
 * are the reference pages. Links between them must lead somewhere: a file of the repository and,
 * for `#anchor`, a heading of that file (GitHub's anchor rules: lowercase, punctuation dropped,
 * spaces to hyphens, repeats numbered).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const docsPages = fs
  .readdirSync(path.join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const markdownFiles = ['README.md', 'CHANGELOG.md', ...docsPages];

/** GitHub's heading anchors of a markdown file (outside fenced code). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = fenced ? undefined : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Relative links `[text](target)` outside fenced code, with their line numbers. */
function relativeLinks(markdown: string): Array<{ line: number; target: string }> {
  const links: Array<{ line: number; target: string }> = [];
  let fenced = false;
  markdown.split('\n').forEach((text, index) => {
    if (/^\s*```/.test(text)) fenced = !fenced;
    if (fenced) return;
    for (const match of text.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z]+:/i.test(match[1])) links.push({ line: index + 1, target: match[1] });
    }
  });
  return links;
}

test('anchors follow GitHub: punctuation and code marks dropped, repeats numbered', () => {
  const anchors = headingAnchors('## Runtime toolkit: `processKinesisBatch`\n### Props (`X`)\n### Props (`X`)\n');
  expect([...anchors]).toEqual(['runtime-toolkit-processkinesisbatch', 'props-x', 'props-x-1']);
});

test.each(markdownFiles)('every relative link of %s leads to a file and heading of the repository', (file) => {
  const broken: string[] = [];
  for (const { line, target } of relativeLinks(read(file))) {
    const [filePart, anchor] = target.split('#');
    const targetFile = filePart ? path.posix.normalize(path.posix.join(path.posix.dirname(file), filePart)) : file;
    if (!fs.existsSync(path.join(root, targetFile))) {
      broken.push(`${file}:${line}: ${target} (no file ${targetFile})`);
    } else if (anchor !== undefined && !headingAnchors(read(targetFile)).has(anchor)) {
      broken.push(`${file}:${line}: ${target} (no heading #${anchor} in ${targetFile})`);
    }
  }
  expect(broken).toEqual([]);
});

describe('README.md', () => {
  const readme = read('README.md');

  test('is a page for users: at most ~400 lines, starting with what it is, then install and an example', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(400);
    const order = ['## Packages', '## Use it', '## Documentation', '## Teardown and cost', '## Contributing'];
    const positions = order.map((heading) => readme.indexOf(`\n${heading}\n`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('links every page of docs/', () => {
    const linked = new Set(relativeLinks(readme).map((l) => l.target.split('#')[0]));
    expect(docsPages.filter((page) => !linked.has(page))).toEqual([]);
  });

  test('gives the two set-up commands that .ci/run runs', () => {
    const ci = read('.ci/run');
    expect(readme).toContain('npm ci && npx cdk synth');
    expect(readme).toContain('npm ci && npm test');
    expect(ci).toMatch(/^npm ci && npm test$/m);
  });
});
