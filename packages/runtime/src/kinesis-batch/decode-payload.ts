import { isUtf8 } from 'node:buffer';
import { DecodeError } from './errors';
import type { PayloadFormat } from './kinesis-batch-record';

/** Decodes one payload; throws DecodeError for invalid UTF-8 text or invalid JSON. */
export function decodePayload(data: Buffer, format: PayloadFormat): unknown {
  if (format === 'bytes') return data;
  const text = data.toString('utf8');
  // Invalid UTF-8 is a decode error, not silently replaced characters. Decoding turns invalid
  // bytes into U+FFFD, so the (native) check only runs when one shows up.
  if (text.indexOf('\uFFFD') !== -1 && !isUtf8(data)) throw new DecodeError('payload is not valid UTF-8');
  if (format === 'text') return text;
  try {
    // A UTF-8 byte order mark (which some Windows tools write) may precede JSON (RFC 8259 §8.1);
    // JSON.parse rejects it, and the record would be quarantined for it.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new DecodeError(`payload is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
