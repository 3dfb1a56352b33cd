/**
 * Firehose's S3 prefix expressions, evaluated as Firehose does:
 * - `!{timestamp:<java.time.format.DateTimeFormatter pattern>}`, in UTC, of the approximate arrival
 *   time of the oldest record in the object; text in single quotes is literal;
 * - `!{firehose:random-string}` (11 characters, new at every use) and
 *   `!{firehose:error-output-type}` (error prefix only);
 * - `!{partitionKeyFromLambda:<key>}` and `!{partitionKeyFromQuery:<key>}` (dynamic partitioning);
 * - a prefix without a timestamp expression gets `yyyy/MM/dd/HH/` appended (not with dynamic
 *   partitioning); without an ErrorOutputPrefix, errors go to `<prefix><error-output-type>/yyyy/MM/dd/HH/`.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
 * @see https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html
 */
import { randomBytes } from 'node:crypto';

export interface PrefixValues {
  /** Approximate arrival time of the oldest record in the object (epoch ms). */
  readonly timestampMs: number;
  readonly errorOutputType?: string;
  readonly partitionKeysFromLambda?: Readonly<Record<string, string>>;
  readonly partitionKeysFromQuery?: Readonly<Record<string, string>>;
}

export class PrefixError extends Error {}

const EXPRESSION = /!\{([A-Za-z]+):([^}]*)\}/g;

/** The data prefix as Firehose evaluates it. */
export function evaluateDataPrefix(prefix: string, values: PrefixValues, dynamicPartitioning: boolean): string {
  const withDefault =
    !dynamicPartitioning && !prefix.includes('!{timestamp:') ? `${prefix}!{timestamp:yyyy/MM/dd/HH/}` : prefix;
  return evaluate(withDefault, values);
}

/** The error prefix as Firehose evaluates it (`errorOutputPrefix` undefined: derived from the data prefix). */
export function evaluateErrorPrefix(
  errorOutputPrefix: string | undefined,
  dataPrefix: string,
  values: PrefixValues,
): string {
  if (errorOutputPrefix === undefined || errorOutputPrefix === '') {
    return evaluate(
      `${dataPrefix}${values.errorOutputType ?? 'processing-failed'}/!{timestamp:yyyy/MM/dd/HH/}`,
      values,
    );
  }
  return evaluate(errorOutputPrefix, values);
}

function evaluate(prefix: string, values: PrefixValues): string {
  const evaluated = prefix.replace(EXPRESSION, (whole, namespace: string, value: string) => {
    switch (namespace) {
      case 'timestamp':
        return formatTimestamp(value, values.timestampMs);
      case 'firehose':
        if (value === 'random-string') return randomString();
        if (value === 'error-output-type') {
          if (!values.errorOutputType) throw new PrefixError(`${whole} is only allowed in the ErrorOutputPrefix`);
          return values.errorOutputType;
        }
        throw new PrefixError(`unknown expression ${whole}`);
      case 'partitionKeyFromLambda':
      case 'partitionKeyFromQuery': {
        const keys =
          namespace === 'partitionKeyFromLambda' ? values.partitionKeysFromLambda : values.partitionKeysFromQuery;
        const key = keys?.[value];
        if (key === undefined || key === '') throw new PrefixError(`no value for ${whole}`);
        return key;
      }
      default:
        throw new PrefixError(`unknown expression namespace in ${whole}`);
    }
  });
  if (evaluated.includes('!{')) throw new PrefixError(`'!{' outside a !{namespace:value} expression in '${prefix}'`);
  if (evaluated.length > 512)
    throw new PrefixError(`the evaluated prefix is longer than 512 characters: ${evaluated.slice(0, 80)}...`);
  return evaluated;
}

function randomString(): string {
  return randomBytes(8)
    .toString('hex')
    .replace(/^(.{8})(.{2}).*$/, '$1-$2');
}

/**
 * A java.time DateTimeFormatter pattern applied to a UTC instant: the letters Firehose prefixes use
 * (y, M, d, H, h, m, s, S, a, D), quoted literals ('...' and '' for a quote), other characters kept.
 * Letters outside that set are refused rather than guessed.
 */
export function formatTimestamp(pattern: string, millis: number): string {
  const d = new Date(millis);
  const fields: Record<string, (count: number) => string> = {
    y: (n) =>
      n === 2 ? String(d.getUTCFullYear() % 100).padStart(2, '0') : String(d.getUTCFullYear()).padStart(n, '0'),
    u: (n) => String(d.getUTCFullYear()).padStart(n, '0'),
    M: (n) => {
      if (n >= 3) throw new PrefixError(`month names (${'M'.repeat(n)}) are not emulated`);
      return String(d.getUTCMonth() + 1).padStart(n, '0');
    },
    d: (n) => String(d.getUTCDate()).padStart(n, '0'),
    D: (n) => String(Math.floor((millis - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1).padStart(n, '0'),
    H: (n) => String(d.getUTCHours()).padStart(n, '0'),
    h: (n) => String(d.getUTCHours() % 12 || 12).padStart(n, '0'),
    a: () => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
    m: (n) => String(d.getUTCMinutes()).padStart(n, '0'),
    s: (n) => String(d.getUTCSeconds()).padStart(n, '0'),
    S: (n) => String(d.getUTCMilliseconds()).padStart(3, '0').padEnd(n, '0').slice(0, n),
  };
  let out = '';
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i];
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new PrefixError(`unclosed quote in timestamp pattern '${pattern}'`);
      out += pattern.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let n = 1;
      while (pattern[i + n] === c) n++;
      const field = fields[c];
      if (!field) throw new PrefixError(`pattern letter '${c}' in '${pattern}' is not emulated`);
      out += field(n);
      i += n;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
