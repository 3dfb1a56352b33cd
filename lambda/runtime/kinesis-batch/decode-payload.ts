import { isUtf8 } from 'node:buffer';
import { DecodeError } from './errors';
import type { PayloadFormat } from './kinesis-batch-record';

/** Decodes one payload; throws DecodeError for invalid UTF-8 text or invalid JSON. */
export function decodePayload(data: Buffer, format: PayloadFormat): unknown {
  if (format === 'bytes') return data;
  // Invalid UTF-8 is a decode error rather than silently replaced characters (native check).
  if (!isUtf8(data)) throw new DecodeError('payload is not valid UTF-8');
  const text = data.toString('utf8');
  if (format === 'text') return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`payload is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
