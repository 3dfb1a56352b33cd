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
    return JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`payload is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
