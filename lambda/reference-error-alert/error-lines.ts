import { parseAccessLogLine, parseErrorLogLine } from 'cdk-kinesis-pipeline-runtime';

/** A log line worth an alert. */
export interface ErrorLine {
  readonly kind: 'http-5xx' | 'error-log';
  /** Epoch milliseconds of the log entry. */
  readonly timestampMillis: number;
  /** e.g. '503 GET /api/orders' or '[error] File does not exist: /var/www/favicon.ico'. */
  readonly summary: string;
}

/** Error-log levels that page someone; notice/info/debug/trace and warn do not. */
const ALERT_LEVELS = new Set(['error', 'crit', 'alert', 'emerg']);

/** HTTP 5xx access log lines and error-log lines at error level or worse; anything else is undefined. */
export function classifyLogLine(line: string): ErrorLine | undefined {
  const access = parseAccessLogLine(line);
  if (access.ok) {
    const e = access.value;
    if (e.status === null || e.status < 500 || e.status > 599) return undefined;
    return {
      kind: 'http-5xx',
      timestampMillis: e.timestampMillis,
      summary: `${e.status} ${e.method ?? '-'} ${e.path ?? e.request ?? '-'}${e.vhost ? ` (${e.vhost})` : ''}`,
    };
  }
  const error = parseErrorLogLine(line);
  if (error.ok && ALERT_LEVELS.has(error.value.level)) {
    const e = error.value;
    return {
      kind: 'error-log',
      timestampMillis: e.timestampMillis,
      summary: `[${e.level}]${e.errorCode ? ` ${e.errorCode}` : ''} ${e.message}`,
    };
  }
  return undefined;
}

/** The lines of one record: producers may put one line or several (newline-separated) per record. */
export function logLinesOf(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim().length > 0);
}

export interface Alert {
  readonly subject: string;
  readonly message: string;
}

/**
 * Longest example line in an alert. Log lines can be as long as a record (1 MiB), and SNS takes
 * at most 256 KiB per message: one huge line would make every publish fail and the batch retry.
 */
const MAX_EXAMPLE_CHARACTERS = 1000;

/** One alert per batch: counts per kind and the first `maxExamples` lines; undefined when nothing to say. */
export function buildAlert(errors: readonly ErrorLine[], source: string, maxExamples = 10): Alert | undefined {
  if (errors.length === 0) return undefined;
  const http = errors.filter((e) => e.kind === 'http-5xx').length;
  const logged = errors.length - http;
  // A loop, not Math.min(...spread): batches can hold more lines than the call stack allows.
  let first = Infinity;
  let last = -Infinity;
  for (const e of errors) {
    first = Math.min(first, e.timestampMillis);
    last = Math.max(last, e.timestampMillis);
  }
  const when = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : 'unknown');
  const examples = errors.slice(0, maxExamples).map((e) => `- ${when(e.timestampMillis)} ${shorten(e.summary)}`);
  // SNS subjects: at most 100 ASCII characters, no newlines.
  const subject = `${errors.length} error line(s): ${http} HTTP 5xx, ${logged} error log`.slice(0, 100);
  return {
    subject,
    message: [
      `${errors.length} error line(s) in ${source} between ${when(first)} and ${when(last)}:`,
      `${http} HTTP 5xx responses, ${logged} error-log entries.`,
      '',
      ...examples,
      ...(errors.length > maxExamples ? [`… and ${errors.length - maxExamples} more`] : []),
    ].join('\n'),
  };
}

function shorten(text: string): string {
  return text.length > MAX_EXAMPLE_CHARACTERS ? `${text.slice(0, MAX_EXAMPLE_CHARACTERS)}…` : text;
}
