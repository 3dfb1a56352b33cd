/**
 * The SQS form of a QuarantineRecord, both ways. Kept apart from the sink so that the redrive
 * tool (which reads quarantine messages back) and the sink share one definition.
 *
 * SQS takes only these characters in a message body: #x9 | #xA | #xD | #x20-#xD7FF |
 * #xE000-#xFFFD | #x10000-#x10FFFF. It rejects a message with any other (InvalidMessageContents),
 * or, as older documentation says, replaces them with U+FFFD. A partition key, an error message
 * (which may quote the payload) or a stack can hold U+FFFE, U+FFFF or an unpaired surrogate.
 * The body is the record's JSON with every such character written as a JSON `\uXXXX` escape:
 * plain JSON, so any JSON parser restores the exact strings (the payload itself is base64).
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
import type { QuarantineRecord } from './quarantine-record';
import { looksLikeQuarantineRecord, quarantineRecordProblem } from './quarantine-record-check';

/** Characters SQS refuses in a message body, as UTF-16 code units (surrogates checked for pairing). */
const NOT_SQS_SAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const escape = (unit: string): string => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** The message body for a quarantined record: its JSON, with only characters SQS accepts. */
export function encodeQuarantineMessage(record: QuarantineRecord): string {
  // JSON.stringify already escapes control characters and unpaired surrogates; U+FFFE and U+FFFF
  // it writes as they are. Outside strings JSON text is ASCII, so every match is inside a string,
  // where a \uXXXX escape means the same character.
  return JSON.stringify(record).replace(NOT_SQS_SAFE, escape);
}

/** Whether SQS accepts `text` as a message body unchanged. */
export function isSqsSafe(text: string): boolean {
  return !new RegExp(NOT_SQS_SAFE.source).test(text);
}

/**
 * The QuarantineRecord of an SQS message body written by `encodeQuarantineMessage` (or by the
 * sink before it escaped: the same JSON). The redrive tool reads quarantine messages with it.
 * Throws on anything else, and on a quarantine record that cannot be replayed exactly (no stream
 * position, a partition key of 0 or more than 256 characters, data that is not base64), naming
 * what is wrong.
 */
export function decodeQuarantineMessage(body: string): QuarantineRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new Error(`not a quarantine message: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('not a quarantine message: expected a version 1 QuarantineRecord');
  }
  const value = parsed as Record<string, unknown>;
  if (!looksLikeQuarantineRecord(value)) {
    throw new Error('not a quarantine message: expected a version 1 QuarantineRecord');
  }
  const problem = quarantineRecordProblem(value);
  if (problem) throw new Error(`quarantine record ${problem}`);
  return value as unknown as QuarantineRecord;
}
