import { isUtf8 } from 'node:buffer';
import { DecodeError } from './errors';
import type { PayloadFormat } from './kinesis-batch-record';

/**
 * The one set of rules for reading a record's bytes as text, shared by the Kinesis consumer
 * (`decodePayload`) and the Firehose transform (`processFirehoseRecords`), so that the same bytes
 * are accepted or refused, with the same reason, on both sides:
 *
 * 1. A leading UTF-8 byte order mark (EF BB BF) is dropped: it marks the encoding, it is not text
 *    (RFC 8259 §8.1 lets JSON parsers ignore it; Windows tools write it).
 * 2. The bytes must be valid UTF-8 (RFC 3629): no U+FFFD replacement of invalid bytes, which
 *    would destroy the source data. Gzip (CloudWatch Logs subscription data) and UTF-16 (byte
 *    order mark FF FE / FE FF) are named in the reason, since they are the usual culprits.
 * 3. No NUL (U+0000) characters: valid UTF-8, but never in text or JSON (RFC 8259 requires it
 *    escaped); they are what UTF-16 without a byte order mark, or binary data, look like.
 *
 * Returns the text, or the reason the bytes are not UTF-8 text.
 */
export function decodeUtf8Text(data: Buffer): { readonly text: string } | { readonly reason: string } {
  let text = data.toString('utf8');
  // Decoding turns invalid bytes into U+FFFD, so the (native) full check only runs when one
  // shows up: valid text pays one indexOf.
  if (text.indexOf('\uFFFD') !== -1 && !isUtf8(data)) return { reason: notUtf8Reason(data) };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.indexOf('\u0000') !== -1) {
    return {
      reason: `payload is not UTF-8 text: it contains NUL (U+0000) characters, as UTF-16 or binary data do (first at byte ${data.indexOf(0)})`,
    };
  }
  return { text };
}

/** Why bytes that failed isUtf8 are not UTF-8: the format they look like, or the first bad byte. */
function notUtf8Reason(data: Buffer): string {
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    return 'payload is gzip-compressed, not UTF-8 text (CloudWatch Logs subscription data is; decode it with decodeCloudWatchLogsData)';
  }
  if (data.length >= 2 && ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff))) {
    return `payload is UTF-16 (byte order mark ${data[0].toString(16).toUpperCase()} ${data[1].toString(16).toUpperCase()}), not UTF-8`;
  }
  return `payload is not valid UTF-8 (first invalid byte at offset ${firstInvalidUtf8Byte(data)})`;
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629 Table 3-7 of Unicode: well-formed sequences). */
function firstInvalidUtf8Byte(data: Buffer): number {
  let i = 0;
  while (i < data.length) {
    const b = data[i];
    let n = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const c = data[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return i;
}

/** Decodes one payload; throws DecodeError for bytes that are not UTF-8 text (see decodeUtf8Text) or invalid JSON. */
export function decodePayload(data: Buffer, format: PayloadFormat): unknown {
  if (format === 'bytes') return data;
  if (format === 'json') {
    // The per-record hot path skips decodeUtf8Text's NUL scan: JSON.parse refuses NUL anywhere
    // by itself (RFC 8259 §2 and §7: it is neither whitespace nor allowed unescaped in a string).
    // Anything unusual (a U+FFFD, a parse error) takes the full rules below, so that the reason
    // given is exactly the one decodeUtf8Text gives.
    let text = data.toString('utf8');
    if (text.indexOf('\uFFFD') === -1) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      try {
        return JSON.parse(text);
      } catch {
        // fall through: the full rules name the reason
      }
    }
  }
  const decoded = decodeUtf8Text(data);
  if ('reason' in decoded) throw new DecodeError(decoded.reason);
  if (format === 'text') return decoded.text;
  try {
    return JSON.parse(decoded.text);
  } catch (error) {
    throw new DecodeError(`payload is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
