/** The TypeScript examples of README.md and docs/*.md: every ```ts block is code a user pastes. */
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

export interface DocExample {
  /** Where the block starts, e.g. `docs/consumer.md:40`. */
  readonly location: string;
  /**
   * A file name unique to the block, e.g. `docs-consumer-md-40.ts`; or the file the block names in
   * its first line (`// order-columns.ts: ...`), so that another example can import it.
   */
  readonly fileName: string;
  readonly code: string;
}

/** The markdown files whose examples must compile. */
export function documentationFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => path.join('docs', f));
  return ['README.md', ...docs];
}

/** Every fenced block tagged `ts` or `typescript`. */
export function docExamples(file: string): DocExample[] {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const examples: DocExample[] = [];
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    const fence = /^\s*```\s*([\w-]*)/.exec(lines[i]);
    if (!fence) continue;
    if (start < 0 && /^(ts|typescript)$/.test(fence[1])) {
      start = i;
    } else if (start >= 0) {
      const line = start + 1;
      const named = /^\/\/ ([\w-]+\.ts)(?=[\s:]|$)/.exec(lines[start + 1] ?? '')?.[1];
      examples.push({
        location: `${file}:${line}`,
        fileName: named ?? `${file.replace(/[^A-Za-z0-9]+/g, '-')}-${line}.ts`,
        code: lines.slice(start + 1, i).join('\n') + '\n',
      });
      start = -1;
    }
  }
  return examples;
}

/** The file names of examples that two blocks claim: each must be unique. */
export function duplicateFileNames(examples: readonly DocExample[]): string[] {
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const example of examples) {
    const first = seen.get(example.fileName);
    if (first) duplicates.push(`${example.fileName}: ${first} and ${example.location}`);
    else seen.set(example.fileName, example.location);
  }
  return duplicates;
}
