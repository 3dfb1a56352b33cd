import { parseAccessLogLine, parseErrorLogLine } from 'cdk-kinesis-pipeline-runtime';

/** A log line worth an alert. */
export interface ErrorLine {
  readonly kind: 'http-5xx' | 'error-log';
  /** Epoch milliseconds of the log entry. */
  readonly timestampMillis: number;
  /** e.g. '503 GET /api/orders' or '[error] File does not exist: /var/www/favicon.ico'. */
  readonly summary: string;
  /** The log line itself. */
  readonly line: string;
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
      line,
    };
  }
  const error = parseErrorLogLine(line);
  if (error.ok && ALERT_LEVELS.has(error.value.level)) {
    const e = error.value;
    return {
      kind: 'error-log',
      timestampMillis: e.timestampMillis,
      summary: `[${e.level}]${e.errorCode ? ` ${e.errorCode}` : ''} ${e.message}`,
      line,
    };
  }
  return undefined;
}

/** The lines of one record: producers may put one line or several (newline-separated) per record. */
export function logLinesOf(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim().length > 0);
}
