/**
 * decodePayload's JSON hot path skips decodeUtf8Text's NUL scan and leaves NUL to JSON.parse.
 * These properties hold it to the full rules: on any bytes, the same value or the same reason.
 */
import fc from 'fast-check';
import { decodePayload, decodeUtf8Text } from '../../packages/runtime/src/kinesis-batch/decode-payload';

/** The full rules, one after the other: UTF-8 text first (decodeUtf8Text), then JSON. */
function reference(data: Buffer): { value: unknown } | { reason: string } {
  const decoded = decodeUtf8Text(data);
  if ('reason' in decoded) return { reason: decoded.reason };
  try {
    return { value: JSON.parse(decoded.text) };
  } catch (error) {
    return { reason: `payload is not valid JSON: ${(error as Error).message}` };
  }
}

function actual(data: Buffer): { value: unknown } | { reason: string } {
  try {
    return { value: decodePayload(data, 'json') };
  } catch (error) {
    return { reason: (error as Error).message };
  }
}

/** JSON text, then bytes that break it in the ways the rules name: NUL, invalid UTF-8, a BOM, U+FFFD. */
const jsonBytes = fc
  .tuple(
    fc.jsonValue({ maxDepth: 2 }),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom(
          [0x00], // NUL
          [0xff], // never UTF-8
          [0xc3], // truncated two-byte sequence
          [0xed, 0xa0, 0x80], // UTF-16 surrogate
          [0xef, 0xbf, 0xbd], // a genuine U+FFFD
          [0xef, 0xbb, 0xbf], // a byte order mark
          [0x22], // a quote
        ),
      ),
      { maxLength: 2 },
    ),
    fc.boolean(),
  )
  .map(([value, insertions, bom]) => {
    let bytes = [...Buffer.from(JSON.stringify(value))];
    for (const [at, insert] of insertions) {
      const i = at % (bytes.length + 1);
      bytes = [...bytes.slice(0, i), ...insert, ...bytes.slice(i)];
    }
    return Buffer.from(bom ? [0xef, 0xbb, 0xbf, ...bytes] : bytes);
  });

test('property: on any bytes, the JSON hot path gives the value or the reason the full rules give', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        jsonBytes,
        fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)),
      ),
      (data) => {
        expect(actual(data)).toEqual(reference(data));
      },
    ),
    { numRuns: 1000, seed: 13 },
  );
});

test('NUL is refused with its own reason, inside a JSON string and outside one', () => {
  for (const text of ['{"a":"x\u0000y"}', '{"a":1}\u0000', '\u0000{}']) {
    expect(actual(Buffer.from(text))).toEqual({
      reason: expect.stringMatching(/^payload is not UTF-8 text: it contains NUL \(U\+0000\) characters/),
    });
  }
});
