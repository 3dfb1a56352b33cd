import { DecodeError } from './errors';
import type { PayloadFormat } from './kinesis-batch-record';

// fatal: invalid UTF-8 is a decode error rather than silently replaced characters.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes one payload; throws DecodeError for invalid UTF-8 text or invalid JSON. */
export function decodePayload(data: Buffer, format: PayloadFormat): unknown {
  if (format === 'bytes') return data;
  let text: string;
  try {
    text = utf8.decode(data);
  } catch (error) {
    throw new DecodeError('payload is not valid UTF-8', { cause: error });
  }
  if (format === 'text') return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`payload is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
