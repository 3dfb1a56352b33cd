import { matchPlainAccessLine, parseAccessLogLine } from './access-log';
import { plainAccessRow, plainAccessScanNext, scanPlainAccessRow, startPlainAccessScan } from './plain-access-row';
import { parseErrorLogLine } from './error-log';
import { parseNginxErrorLogLine } from './nginx-error-log';
import { parseSyslogHeader, type SyslogHeader } from './syslog';
import type { AccessLogEntry, ErrorLogEntry } from './types';
import type { LogEventSource } from '../cloudwatch-logs/types';
import { drop, fail, ok, okJson, type TransformOutcome } from '../firehose-transform/outcome';
import { formatTimestampMillis } from '../firehose-transform/row-coercer';
import type { RecordTransform } from '../firehose-transform/transform';
import type { Row } from '../firehose-transform/types';

/**
 * One parsed line: an access entry, an error entry, or the line that matched neither. `syslog`
 * is the syslog header the line came in, if any (the entry is parsed from what follows it).
 */
export type WebLogLine =
  | { readonly type: 'access'; readonly entry: AccessLogEntry; readonly line: string; readonly syslog?: SyslogHeader }
  | { readonly type: 'error'; readonly entry: ErrorLogEntry; readonly line: string; readonly syslog?: SyslogHeader }
  | { readonly type: 'unparsed'; readonly reason: string; readonly line: string };

export interface ApacheLogTransformOptions {
  /** Keep a line? Lines it rejects are left out of the record. @default - keep every line */
  readonly filter?: (line: WebLogLine) => boolean;
  /**
   * Change or extend a row, e.g. add a column you added to the schema. Return the row to write.
   * @default - the row as parsed
   */
  readonly enrich?: (row: Row, line: WebLogLine) => Row;
  /**
   * A line that is neither an access nor an error line: 'row' writes it as log_type 'unparsed'
   * with the line in `message` (nothing is lost and it is queryable); 'fail' makes the whole record
   * ProcessingFailed; 'drop' leaves the line out.
   * @default 'row'
   */
  readonly unparsedLines?: 'row' | 'fail' | 'drop';
  /**
   * Return row objects (coerced by transformFirehoseRecords) instead of JSON text written directly
   * from the parsed lines. Needed for `partitionKeyFields`; implied by `enrich`.
   * @default false
   */
  readonly rows?: boolean;
}

const UNPARSED_REASON =
  'not an access line (Common, Combined, nginx, lighttpd, Traefik) nor an error line (Apache, nginx)';

/**
 * Parses a line as an access line, else as an Apache or nginx error line, each also inside an
 * RFC 3164 or RFC 5424 syslog header. Never throws.
 */
export function parseWebLogLine(line: string): WebLogLine {
  const syslog = parseSyslogHeader(line);
  const body = syslog ? line.slice(syslog.length) : line;
  const access = parseAccessLogLine(body);
  if (access.ok)
    return syslog
      ? { type: 'access', entry: access.value, line, syslog }
      : { type: 'access', entry: access.value, line };
  const first = body.charCodeAt(0);
  const error =
    first === 91 /* [ */
      ? parseErrorLogLine(body)
      : first >= 48 && first <= 57
        ? parseNginxErrorLogLine(body)
        : undefined;
  if (error?.ok)
    return syslog ? { type: 'error', entry: error.value, line, syslog } : { type: 'error', entry: error.value, line };
  // A line of a known shape with an impossible time says so; anything else is just not recognised.
  let why = UNPARSED_REASON;
  if (!access.ok && access.reason.startsWith('invalid time')) why = access.reason;
  else if (error && !error.ok && error.reason.startsWith('invalid time')) why = error.reason;
  return {
    type: 'unparsed',
    reason: syslog ? `syslog message of ${syslog.program ?? '-'}: ${why}` : why,
    line,
  };
}

/** `method path[?query][ protocol]` is the request line exactly: then it needs no column of its own. */
function requestUnlessRebuilt(
  request: string | null,
  method: string | null,
  path: string | null,
  query: string | null,
  protocol: string | null,
): string | null {
  if (request === null || method === null) return request;
  const rebuilt = `${method} ${path}${query === null ? '' : `?${query}`}${protocol === null ? '' : ` ${protocol}`}`;
  return rebuilt === request ? null : request;
}

/** The web-log table row of a parsed line (keys are WEB_LOG_COLUMNS names). */
export function toWebLogRow(parsed: WebLogLine, source?: LogEventSource): Row {
  const cwl = source ? { log_group: source.data.logGroup, log_stream: source.data.logStream } : {};
  if (parsed.type === 'access') {
    const e = parsed.entry;
    return {
      log_type: 'access',
      event_time: e.timestampMillis,
      vhost: e.vhost,
      vhost_port: e.vhostPort,
      client_ip: e.remoteHost,
      forwarded_for: e.forwardedFor,
      ident: e.ident,
      remote_user: e.remoteUser,
      method: e.method,
      path: e.path,
      query: e.query,
      protocol: e.protocol,
      // A request line that is exactly `${method} ${path}[?${query}][ ${protocol}]` is not stored
      // again: the raw text is kept only when it is not one (TLS probes, double spaces).
      request: requestUnlessRebuilt(e.request, e.method, e.path, e.query, e.protocol),
      status: e.status,
      bytes: e.bytes,
      referer: e.referer,
      user_agent: e.userAgent,
      duration_micros: e.durationMicros,
      router: e.router,
      upstream: e.upstream,
      pid: parsed.syslog?.pid ?? null,
      syslog_host: parsed.syslog?.host ?? null,
      syslog_program: parsed.syslog?.program ?? null,
      ...cwl,
      extra: e.extra,
    };
  }
  if (parsed.type === 'error') {
    const e = parsed.entry;
    return {
      log_type: 'error',
      event_time: e.timestampMillis,
      vhost: e.server,
      client_ip: e.clientIp,
      client_port: e.clientPort,
      method: e.method,
      path: e.path,
      query: e.query,
      protocol: e.protocol,
      request: requestUnlessRebuilt(e.request, e.method, e.path, e.query, e.protocol),
      referer: e.referer,
      upstream: e.upstream,
      http_host: e.httpHost,
      level: e.level,
      module: e.module,
      pid: e.pid ?? parsed.syslog?.pid ?? null,
      tid: e.tid,
      connection_id: e.connectionId,
      source_file: e.sourceFile,
      apr_status: e.aprStatus,
      error_code: e.errorCode,
      message: e.message,
      syslog_host: parsed.syslog?.host ?? null,
      syslog_program: parsed.syslog?.program ?? null,
      ...cwl,
    };
  }
  return {
    log_type: 'unparsed',
    event_time: source ? source.event.timestamp : null,
    message: parsed.line,
    ...cwl,
    parse_error: parsed.reason,
  };
}

// What JSON.stringify escapes in a string: '"', '\\', control characters, and (lone) surrogates.
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/**
 * JSON.stringify(v) of a string: quoted as it is when nothing in it needs escaping, as in nearly
 * every log field (a regex test costs a fraction of a JSON.stringify call).
 */
function jsonString(v: string): string {
  return NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`;
}
// `,"key":value` for a present value, '' for null: the SerDes read a missing key as NULL, and
// leaving nulls out makes rows about a third smaller (less to stringify, encode and return).
const str = (key: string, v: string | null | undefined): string =>
  v === null || v === undefined ? '' : key + jsonString(v);
// For a value known to need no JSON escaping: quoted as it is.
const raw = (key: string, v: string | null): string => (v === null ? '' : `${key}"${v}"`);
// Printable ASCII without a backslash: then nothing that came from inside the line's quoted
// fields (request, referer, user agent) can need escaping, because a '"' there is always written
// as '\"'. Apache escapes everything else, so nearly every real line qualifies.
const PLAIN_LINE = /^[\x20-\x5b\x5d-\x7e]*$/;
const num = (key: string, v: number | null | undefined): string => (v === null || v === undefined ? '' : key + v);
let lastMillis = NaN;
let lastTime = '';
/** Log lines come in time order: most rows repeat the previous row's timestamp text. */
function time(millis: number): string {
  if (millis !== lastMillis) {
    lastMillis = millis;
    lastTime = `,"event_time":"${formatTimestampMillis(millis)}"`;
  }
  return lastTime;
}

/** `,"log_group":…,"log_stream":…` of a CloudWatch Logs event, '' for other sources. */
function cloudWatchJson(source: LogEventSource | undefined): string {
  return source
    ? `,"log_group":${jsonString(source.data.logGroup)},"log_stream":${jsonString(source.data.logStream)}`
    : '';
}

/**
 * The web-log row of a parsed line as JSON text, keys in WEB_LOG_COLUMNS order, null columns
 * left out: exactly what `compileRowCoercer(WEB_LOG_COLUMNS, { omitNulls: true }).toJson(toWebLogRow(parsed))`
 * gives (a test holds them equal on every real log line), written directly because the parser
 * fixes the types. This is the reference transform's hot path.
 */
export function toWebLogJson(parsed: WebLogLine, source?: LogEventSource): string {
  const sys = parsed.type === 'unparsed' ? undefined : parsed.syslog;
  const syslog = sys ? `${str(',"syslog_host":', sys.host)}${str(',"syslog_program":', sys.program)}` : '';
  if (parsed.type === 'access') {
    const e = parsed.entry;
    const q = PLAIN_LINE.test(parsed.line) ? raw : str;
    return (
      `{"log_type":"access"${time(e.timestampMillis)}${str(',"vhost":', e.vhost)}${num(',"vhost_port":', e.vhostPort)}` +
      `${str(',"client_ip":', e.remoteHost)}${str(',"forwarded_for":', e.forwardedFor)}${str(',"ident":', e.ident)}` +
      `${str(',"remote_user":', e.remoteUser)}${q(',"method":', e.method)}${q(',"path":', e.path)}${q(',"query":', e.query)}` +
      `${q(',"protocol":', e.protocol)}${str(',"request":', requestUnlessRebuilt(e.request, e.method, e.path, e.query, e.protocol))}` +
      `${num(',"status":', e.status)}${num(',"bytes":', e.bytes)}${q(',"referer":', e.referer)}${q(',"user_agent":', e.userAgent)}` +
      `${num(',"duration_micros":', e.durationMicros)}${str(',"router":', e.router)}${str(',"upstream":', e.upstream)}` +
      `${num(',"pid":', sys?.pid)}${syslog}${cloudWatchJson(source)}${str(',"extra":', e.extra)}}`
    );
  }
  if (parsed.type === 'error') {
    const e = parsed.entry;
    return (
      `{"log_type":"error"${time(e.timestampMillis)}${str(',"vhost":', e.server)}${str(',"client_ip":', e.clientIp)}` +
      `${num(',"client_port":', e.clientPort)}${str(',"method":', e.method)}${str(',"path":', e.path)}${str(',"query":', e.query)}` +
      `${str(',"protocol":', e.protocol)}${str(',"request":', requestUnlessRebuilt(e.request, e.method, e.path, e.query, e.protocol))}` +
      `${str(',"referer":', e.referer)}${str(',"upstream":', e.upstream)}${str(',"http_host":', e.httpHost)}` +
      `,"level":${jsonString(e.level)}${str(',"module":', e.module)}${num(',"pid":', e.pid ?? sys?.pid)}` +
      `${num(',"tid":', e.tid)}${num(',"connection_id":', e.connectionId)}${str(',"source_file":', e.sourceFile)}` +
      `${str(',"apr_status":', e.aprStatus)}${str(',"error_code":', e.errorCode)},"message":${jsonString(e.message)}` +
      `${syslog}${cloudWatchJson(source)}}`
    );
  }
  return (
    `{"log_type":"unparsed"${source ? time(source.event.timestamp) : ''},"message":${jsonString(parsed.line)}` +
    `${cloudWatchJson(source)},"parse_error":${jsonString(parsed.reason)}}`
  );
}

/**
 * The hot path of the hot path: `toWebLogJson(parseWebLogLine(line))` for the plain access line
 * (see PLAIN_ACCESS_LINE: no vhost, `METHOD target [PROTOCOL]` request, nothing after the user
 * agent, fields in printable ASCII without `"` or `\`), written straight from one regex match
 * without the entry object. Any other line returns undefined and takes the general path. A
 * property test holds both paths equal.
 */
export function plainAccessLineJson(line: string): string | undefined {
  const m = matchPlainAccessLine(line);
  return m === null ? undefined : plainAccessRow(m, '}');
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 11 || code === 12;
}

/**
 * A record transform for web server logs (Apache, nginx, lighttpd, Traefik; access and error
 * lines, also inside syslog headers): each record holds one or more lines (newline-separated);
 * each kept line becomes one web-log row. For CloudWatch Logs records it is called per log event
 * and adds the log group and stream to each row.
 */
export function createApacheLogTransform(options: ApacheLogTransformOptions = {}): RecordTransform {
  const { filter, enrich } = options;
  const unparsedLines = options.unparsedLines ?? 'row';
  // Without enrich (and unless rows are asked for), rows are written as JSON text directly.
  const direct = !enrich && !options.rows;
  const fast = direct && !filter;
  return (text: string, _record, source?: LogEventSource): TransformOutcome => {
    const rows: Row[] = [];
    let json = '';
    let count = 0;
    let start = 0;
    let lineNumber = 0;
    const suffix = direct ? cloudWatchJson(source) : '';
    const close = `${suffix}}\n`;
    if (fast) startPlainAccessScan();
    // Up to the last line's end: an empty last line (after the text's final LF) is skipped anyway.
    while (start < text.length) {
      lineNumber++;
      if (fast) {
        // A plain access line is read where it starts in the text, without cutting it out, by
        // the indexOf scanner. It writes the plain-line regex's row (a property test holds it
        // so), and any line it leaves (all the rest of a record whose lines made its searches run
        // far past their ends, too) gets the same row from the general path below: the scanner
        // only decides how fast a line is read.
        const scanned = scanPlainAccessRow(text, start, close);
        if (scanned !== undefined) {
          json += scanned;
          count++;
          start = plainAccessScanNext();
          continue;
        }
      }
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const next = end + 1;
      if (end > start && text.charCodeAt(end - 1) === 13) end--; // CRLF
      const line = text.slice(start, end);
      start = next;
      if (line.length === 0 || (isSpace(line.charCodeAt(0)) && line.trim().length === 0)) continue;
      const parsed = parseWebLogLine(line);
      if (parsed.type === 'unparsed') {
        // The line itself stays out of the reason, which ends up in logs: the record keeps it, under
        // the error prefix (access lines carry client IPs, query strings, sometimes tokens).
        if (unparsedLines === 'fail') return fail(`unparsed line: ${parsed.reason} (line ${lineNumber} of the record)`);
        if (unparsedLines === 'drop') continue;
      }
      if (filter && !filter(parsed)) continue;
      if (direct) {
        json += `${toWebLogJson(parsed, source)}\n`;
        count++;
        continue;
      }
      const row = toWebLogRow(parsed, source);
      rows.push(enrich ? enrich(row, parsed) : row);
    }
    if (direct) return count > 0 ? okJson(json, count) : drop('no lines kept');
    return rows.length > 0 ? ok(rows) : drop('no lines kept');
  };
}
