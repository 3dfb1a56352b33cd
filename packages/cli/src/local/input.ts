/**
 * The records a local run produces: every non-empty line of the given files (a folder: its files,
 * Markdown left out), repeated in order up to `--records`, plus, with `--poison`, records that
 * must end up quarantined or under the error prefix rather than lost.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../cli-io';
import type { InputRecord } from './stream-io';

/** Why a poison record is in the input, and where it must end up. */
export interface PoisonRecord extends InputRecord {
  readonly kind: string;
}

export function readInputLines(files: readonly string[], cwd: string): string[] {
  const lines: string[] = [];
  for (const given of files) {
    const full = path.resolve(cwd, given);
    if (!fs.existsSync(full)) throw new UsageError(`--file ${given} does not exist`);
    const paths = fs.statSync(full).isDirectory()
      ? fs
          .readdirSync(full)
          .filter((name) => !name.endsWith('.md'))
          .sort()
          .map((name) => path.join(full, name))
          .filter((file) => fs.statSync(file).isFile())
      : [full];
    for (const file of paths) {
      for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) if (line.trim() !== '') lines.push(line);
    }
  }
  if (lines.length === 0) throw new UsageError(`--file ${files.join(', ')} holds no non-empty line`);
  return lines;
}

/** `count` records cycling through `lines` (all of them once when count is undefined). */
export function lineRecords(lines: readonly string[], count = lines.length): InputRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    partitionKey: `line-${i}`,
    data: Buffer.from(lines[i % lines.length], 'utf8'),
  }));
}

/**
 * Records no consumer can process and the lake cannot take, each for a documented reason:
 * - undecodable: invalid UTF-8 (the toolkit's text decoding quarantines it);
 * - corrupt-kpl-aggregate: the KPL magic bytes followed by garbage (de-aggregation fails: quarantined whole);
 * - bytes-overflow: an access line whose %b does not fit the table's bigint column (Firehose's
 *   conversion must fail it: format-conversion-failed under the error prefix).
 */
export function poisonRecords(): PoisonRecord[] {
  return [
    {
      kind: 'undecodable',
      partitionKey: 'poison-utf8',
      data: Buffer.from([0x47, 0x45, 0x54, 0x20, 0xc3, 0x28, 0xff, 0xfe, 0x0a]),
    },
    {
      kind: 'corrupt-kpl-aggregate',
      partitionKey: 'poison-kpl',
      data: Buffer.concat([
        Buffer.from('f3899ac2', 'hex'),
        Buffer.from('this is not a protobuf aggregate, nor its md5', 'utf8'),
      ]),
    },
    {
      kind: 'bytes-overflow',
      partitionKey: 'poison-bytes',
      data: Buffer.from(
        '203.0.113.9 - - [01/Jan/2026:00:00:00 +0000] "GET /huge HTTP/1.1" 200 99999999999999999999',
        'utf8',
      ),
    },
  ];
}
