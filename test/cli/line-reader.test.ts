import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { countNonEmptyLines, LineTooLongError, readLines } from '../../packages/cli/src/line-reader';
import { tempDir } from './cli-harness';

async function collect(file: string, options: { maxLineBytes?: number; chunkBytes?: number } = {}) {
  const lines: [number, string][] = [];
  for await (const line of readLines(file, options)) lines.push([line.number, line.bytes.toString('utf8')]);
  return lines;
}

describe('readLines', () => {
  const dir = tempDir();

  test('property: the lines of a text split on \\n (a \\r before it dropped), whatever the chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, '')),
          { maxLength: 20 },
        ),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.constantFrom(1, 3, 7, 64),
        async (lines, newline, trailing, chunkBytes) => {
          const file = path.join(dir, 'lines.txt');
          const content = lines.join(newline) + (trailing && lines.length > 0 ? newline : '');
          fs.writeFileSync(file, content);
          // a final newline ends the last line; it does not start another one
          const expected = content.split(newline);
          if (expected[expected.length - 1] === '') expected.pop();
          expect(await collect(file, { chunkBytes })).toEqual(expected.map((l, i) => [i + 1, l]));
        },
      ),
      { numRuns: 40, seed: 5 },
    );
  });

  test('a line longer than maxLineBytes throws with its number, before the line is held in memory whole', async () => {
    const file = path.join(dir, 'long.txt');
    fs.writeFileSync(file, `ok\n${'x'.repeat(100)}\nok\n`);
    await expect(collect(file, { maxLineBytes: 50, chunkBytes: 8 })).rejects.toThrow(LineTooLongError);
    await expect(collect(file, { maxLineBytes: 50, chunkBytes: 8 })).rejects.toThrow(/line 2 is longer than 50 bytes/);
    await expect(countNonEmptyLines(file, { maxLineBytes: 100 })).resolves.toBe(3);
  });
});
