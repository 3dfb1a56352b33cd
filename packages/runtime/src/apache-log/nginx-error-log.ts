import type { ErrorLogEntry, ParseResult } from './types';

/** `yyyy/MM/dd HH:mm:ss [level] pid#tid: [*connection ]message` (ngx_log_error_core). */
const HEAD = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[([a-z]+)\] (\d+)#(\d+): (?:\*(\d+) )?/;

// The request context nginx appends to an HTTP error (ngx_http_log_error, in this order); a
// quoted value may hold escaped quotes. Written as an unrolled loop (runs of plain characters,
// then one escape), the same language as (?:[^"\\]|\\.)* without a backtracking entry per character.
const Q = '"([^"\\\\]*(?:\\\\.[^"\\\\]*)*)"';
const CONTEXT = new RegExp(
  `, client: ([^,]*), server: ([^,]*)(?:, request: ${Q})?(?:, subrequest: ${Q})?(?:, upstream: ${Q})?` +
    `(?:, host: ${Q})?(?:, referrer: ${Q})?$`,
);
const REQUEST_LINE = /^([A-Z][A-Z0-9_-]*) +(\S(?:.*?\S)??)(?: +(HTTP\/\d(?:\.\d)?))? *$/;

/**
 * Parses one nginx error log line, e.g. `2016/10/25 14:49:34 [error] 54053#0: *1 open() "/x"
 * failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request:
 * "GET /x HTTP/1.1", host: "localhost:8080"`. The client, server, request, upstream, host and
 * referrer that nginx appends become fields; the time (local, no zone) is read as UTC. Never throws.
 */
export function parseNginxErrorLogLine(line: string): ParseResult<ErrorLogEntry> {
  if (typeof line !== 'string') return { ok: false, reason: 'line is not a string', line: String(line) };
  const head = HEAD.exec(line);
  if (!head) return { ok: false, reason: 'not an nginx error log line', line };
  const year = +head[1];
  const month = +head[2];
  const day = +head[3];
  const hour = +head[4];
  const minute = +head[5];
  const second = +head[6];
  const timestampMillis = Date.UTC(year, month - 1, day, hour, minute, second);
  if (
    month < 1 ||
    month > 12 ||
    hour > 23 ||
    minute > 59 ||
    second > 60 ||
    // Date.UTC rolls an impossible day (0, 31/Feb) or 23:59:60 over into another day; days 1..28
    // before 23:59:60 exist in every month, so only the others need the Date.
    ((day < 1 || day > 28 || (hour === 23 && minute === 59 && second === 60)) &&
      new Date(timestampMillis).getUTCDate() !== day)
  ) {
    return { ok: false, reason: `invalid time ${line.slice(0, 19)}`, line };
  }
  let message = line.slice(head[0].length);
  let clientIp: string | null = null;
  let server: string | null = null;
  let request: string | null = null;
  let upstream: string | null = null;
  let httpHost: string | null = null;
  let referer: string | null = null;
  const context = message.includes(', client: ') ? CONTEXT.exec(message) : null;
  if (context) {
    clientIp = context[1] || null;
    server = context[2] || null;
    request = context[3] === undefined ? null : unescape(context[3]);
    upstream = context[5] === undefined ? null : unescape(context[5]);
    httpHost = context[6] === undefined ? null : unescape(context[6]);
    referer = context[7] === undefined ? null : unescape(context[7]);
    // A subrequest stays in the message: it has no column.
    message = message.slice(0, context.index) + (context[4] === undefined ? '' : `, subrequest: "${context[4]}"`);
  }
  const rl = request === null ? null : REQUEST_LINE.exec(request);
  let path: string | null = null;
  let query: string | null = null;
  if (rl) {
    const q = rl[2].indexOf('?');
    path = q < 0 ? rl[2] : rl[2].slice(0, q);
    query = q < 0 ? null : rl[2].slice(q + 1);
  }
  return {
    ok: true,
    value: {
      timestampMillis,
      timeLocal: line.slice(0, 19),
      module: null,
      level: head[7],
      pid: Number(head[8]),
      tid: Number(head[9]),
      connectionId: head[10] === undefined ? null : Number(head[10]),
      sourceFile: null,
      aprStatus: null,
      clientIp,
      clientPort: null,
      server,
      request,
      method: rl ? rl[1] : null,
      path,
      query,
      protocol: rl ? (rl[3] ?? null) : null,
      upstream,
      httpHost,
      errorCode: null,
      message,
      referer,
    },
  };
}

function unescape(value: string): string {
  return value.indexOf('\\') < 0 ? value : value.replace(/\\(["\\])/g, '$1');
}
