import * as fs from 'node:fs';
import { CliError } from './cli-io';

/** One failure document of a local --source file, and where it is (`file:line`). */
export interface SourceDocument {
  readonly text: string;
  readonly source: string;
}

/** A file that is one JSON document spread over several lines is read whole, up to this size. */
export const MAX_WHOLE_DOCUMENT_BYTES = 64 * 1024 * 1024;
/** A longer line is an error: a file without newlines must not fill memory. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * The documents of a local source, streamed: one per line (NDJSON: saved SQS messages, S3
 * objects, quarantine records), read a chunk at a time so that memory holds one line, not the
 * file. A file whose first line is not JSON on its own is one pretty-printed document, read
 * whole (at most MAX_WHOLE_DOCUMENT_BYTES).
 */
export async function* readSourceDocuments(file: string): AsyncGenerator<SourceDocument> {
  let size: number;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    size = stat.size;
  } catch (error) {
    throw new CliError(
      `cannot read --source ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let mode: 'lines' | 'whole' | undefined;
  for await (const line of lines(file)) {
    const text = line.text.trim();
    if (text === '') continue;
    if (mode === undefined) mode = parses(text) ? 'lines' : 'whole';
    if (mode === 'whole') break;
    yield { text, source: `${file}:${line.number}` };
  }
  if (mode !== 'whole') return;
  if (size > MAX_WHOLE_DOCUMENT_BYTES) {
    throw new CliError(
      `--source ${file} is one JSON document of ${size} bytes, more than ${MAX_WHOLE_DOCUMENT_BYTES}: write one document per line instead`,
    );
  }
  yield { text: fs.readFileSync(file, 'utf8'), source: file };
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Lines as UTF-8 text, split on '\n' (a '\r' before it is dropped), streamed chunk by chunk. */
async function* lines(file: string): AsyncGenerator<{ text: string; number: number }> {
  let number = 0;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  const stream = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  const take = (tail: Buffer) => {
    const bytes = carry.length === 0 ? tail : Buffer.concat([...carry, tail]);
    carry = [];
    carryBytes = 0;
    number++;
    return { text: bytes.toString('utf8').replace(/\r$/, ''), number };
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
        yield take(chunk.subarray(start, end));
        start = end + 1;
      }
      if (start < chunk.length) {
        carry.push(chunk.subarray(start));
        carryBytes += chunk.length - start;
        if (carryBytes > MAX_LINE_BYTES) {
          throw new CliError(`--source ${file}: line ${number + 1} is longer than ${MAX_LINE_BYTES} bytes`);
        }
      }
    }
    if (carryBytes > 0) yield take(Buffer.alloc(0));
  } finally {
    stream.destroy();
  }
}
