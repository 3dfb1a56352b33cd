import * as fs from 'node:fs';

/** One line of a file: its bytes (without `\n` or `\r\n`) and its number, from 1. */
export interface Line {
  readonly bytes: Buffer;
  readonly number: number;
}

export interface ReadLinesOptions {
  /**
   * Longest line accepted, in bytes. A longer line throws LineTooLongError as soon as it is
   * seen, so that a file without newlines cannot fill memory.
   * @default 16 MiB
   */
  readonly maxLineBytes?: number;
  /** Bytes read at a time. @default 256 KiB */
  readonly chunkBytes?: number;
}

export class LineTooLongError extends Error {
  constructor(
    public readonly lineNumber: number,
    public readonly maxLineBytes: number,
  ) {
    super(`line ${lineNumber} is longer than ${maxLineBytes} bytes`);
    this.name = 'LineTooLongError';
  }
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * The lines of a file as bytes, streamed: memory holds one chunk plus the line being read,
 * whatever the file's size (readline would decode every line to a string only for the
 * producer to encode it back). A line's bytes may share memory with the chunk it came from.
 * Empty lines are yielded too.
 */
export async function* readLines(file: string, options: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
  let number = 0;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  const line = (tail: Buffer): Line => {
    number++;
    let bytes = carry.length === 0 ? tail : Buffer.concat([...carry, tail], carryBytes + tail.length);
    carry = [];
    carryBytes = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, bytes.length - 1);
    if (bytes.length > maxLineBytes) throw new LineTooLongError(number, maxLineBytes);
    return { bytes, number };
  };
  const stream = fs.createReadStream(file, { highWaterMark: options.chunkBytes ?? 256 * 1024 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      yield line(chunk.subarray(start, end));
      start = end + 1;
    }
    if (start < chunk.length) {
      carry.push(chunk.subarray(start));
      carryBytes += chunk.length - start;
      // one byte of slack for a '\r' before the next chunk's '\n'
      if (carryBytes > maxLineBytes + 1) {
        stream.destroy();
        throw new LineTooLongError(number + 1, maxLineBytes);
      }
    }
  }
  if (carryBytes > 0) yield line(Buffer.alloc(0));
}

/** Counts the non-empty lines of a file in one streamed pass (throws LineTooLongError like readLines). */
export async function countNonEmptyLines(file: string, options: ReadLinesOptions = {}): Promise<number> {
  let count = 0;
  for await (const { bytes } of readLines(file, options)) if (bytes.length > 0) count++;
  return count;
}
