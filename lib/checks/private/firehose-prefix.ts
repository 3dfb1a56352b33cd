/**
 * The grammar of Firehose S3 prefixes: literal text and `!{namespace:value}` expressions, where
 * namespace is firehose (error-output-type, random-string), timestamp (a Java DateTimeFormatter
 * pattern), partitionKeyFromQuery or partitionKeyFromLambda (a key name).
 * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
 */

export interface PrefixToken {
  /** Literal text, or undefined for an expression. */
  readonly text?: string;
  readonly namespace?: string;
  readonly value?: string;
}

export interface ParsedPrefix {
  readonly tokens: PrefixToken[];
  /** What Firehose would reject, in words (for tests and debugging). */
  readonly problems: string[];
}

const NAMESPACES = ['firehose', 'timestamp', 'partitionKeyFromQuery', 'partitionKeyFromLambda'];
const FIREHOSE_VALUES = ['error-output-type', 'random-string'];
/** The pattern letters java.time.format.DateTimeFormatter knows; any other letter is rejected. */
const PATTERN_LETTERS = new Set('GuyDMLdQqYwWEecFahKkHmsSAnNVvzOXxZpB');

export function parsePrefix(prefix: string): ParsedPrefix {
  const tokens: PrefixToken[] = [];
  const problems: string[] = [];
  let i = 0;
  while (i < prefix.length) {
    const start = prefix.indexOf('!{', i);
    if (start < 0) {
      tokens.push({ text: prefix.slice(i) });
      break;
    }
    if (start > i) tokens.push({ text: prefix.slice(i, start) });
    const end = prefix.indexOf('}', start);
    const nested = prefix.indexOf('!{', start + 2);
    if (end < 0 || (nested >= 0 && nested < end)) {
      problems.push(`unclosed expression at ${start}`);
      tokens.push({ text: prefix.slice(start) });
      break;
    }
    const body = prefix.slice(start + 2, end);
    const colon = body.indexOf(':');
    const namespace = colon < 0 ? body : body.slice(0, colon);
    const value = colon < 0 ? '' : body.slice(colon + 1);
    tokens.push({ namespace, value });
    problems.push(...expressionProblems(namespace, value, colon >= 0));
    i = end + 1;
  }
  return { tokens, problems };
}

function expressionProblems(namespace: string, value: string, hasColon: boolean): string[] {
  if (!hasColon) return [`expression !{${namespace}} has no namespace:value`];
  if (!NAMESPACES.includes(namespace)) return [`unknown namespace ${namespace}`];
  if (namespace === 'firehose' && !FIREHOSE_VALUES.includes(value)) return [`unknown firehose value ${value}`];
  if (namespace === 'timestamp' && !isDateTimePattern(value)) return [`invalid timestamp pattern '${value}'`];
  if (namespace.startsWith('partitionKeyFrom') && value.trim() === '') return [`${namespace} without a key name`];
  return [];
}

/** Whether `pattern` is a DateTimeFormatter pattern: known letters, closed quotes, no reserved characters. */
export function isDateTimePattern(pattern: string): boolean {
  if (pattern === '') return false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "'") {
      const close = pattern.indexOf("'", i + 1);
      if (close < 0) return false;
      i = close;
    } else if (/[A-Za-z]/.test(c)) {
      if (!PATTERN_LETTERS.has(c)) return false;
    } else if ('#{}'.includes(c)) {
      return false;
    }
  }
  return true;
}

/** A timestamp pattern that prints one numeric field, e.g. `HH`: its values and printed width. */
export interface NumericTimeField {
  readonly lowest: number;
  readonly highest: number;
  /** Printed width, zero-padded; undefined for a one-letter (unpadded) field. */
  readonly width?: number;
  readonly isYear: boolean;
}

const NUMERIC_FIELDS: Record<string, { lowest: number; highest: number; isYear?: boolean }> = {
  y: { lowest: 0, highest: 9999, isYear: true },
  u: { lowest: 0, highest: 9999, isYear: true },
  M: { lowest: 1, highest: 12 },
  d: { lowest: 1, highest: 31 },
  H: { lowest: 0, highest: 23 },
  m: { lowest: 0, highest: 59 },
  s: { lowest: 0, highest: 59 },
};

export function numericTimeField(pattern: string): NumericTimeField | undefined {
  const match = /^([yuMdHms])\1*$/.exec(pattern);
  if (!match) return undefined;
  const field = NUMERIC_FIELDS[match[1]];
  const letters = pattern.length;
  // yyyy prints 4 digits; yy prints 2 (reduced year); MM, dd, HH, mm, ss print 2; one letter is unpadded.
  if (field.isYear) return { ...field, isYear: true, width: letters === 1 ? undefined : letters };
  if (letters > 2) return undefined;
  return { lowest: field.lowest, highest: field.highest, isYear: false, width: letters === 2 ? 2 : undefined };
}
