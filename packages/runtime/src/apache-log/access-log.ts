import { parseAccessTime } from './time';
import type { AccessLogEntry, ParseResult } from './types';

// A quoted field as Apache writes it: `"` and `\` inside are escaped with a backslash. Written as
// an unrolled loop (runs of plain characters, then one escape) so V8 does not backtrack per character.
const QUOTED = '"([^"\\\\]*(?:\\\\.[^"\\\\]*)*)"';

/**
 * `[%v[:%p] ]%h %l %u [%t] "%r" %>s %b[ %D][ "%{Referer}i" "%{User-agent}i"][ rest]`.
 * One anchored regex: V8 compiles it once and it backtracks only over the optional vhost. A
 * plain `METHOD target [HTTP/x.y]` request line (no escapes) is split by the regex itself; any
 * other request text is captured whole and split afterwards.
 */
const ACCESS_LINE = new RegExp(
  '^(?:(\\S+) )??' + // 1: %v[:%p], only when the rest of the line still matches without it
    '(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] ' + // 2-5: %h %l %u [%t]
    '"(?:([A-Z][A-Z0-9_-]*) ([^\\s"\\\\]+)(?: (HTTP\\/\\d(?:\\.\\d)?))?|' + // 6-8: method target protocol
    QUOTED.slice(1, -1) + // 9: any other %r
    ')" (\\d{3}) (\\d+|-)' + // 10-11: %>s %b
    '(?: (\\d+))?' + // 12: %D logged before the referer (mtail's common variant)
    '(?: ' +
    QUOTED +
    ' ' +
    QUOTED +
    ')?' + // 13-14: "%{Referer}i" "%{User-agent}i"
    '(?: (.*?))?\\s*$', // 15: trailing fields, e.g. %D or an extra "-"
);

/**
 * The plain Common/Combined line, the one nearly every real line is: no vhost, a
 * `METHOD target [HTTP/x.y]` request, no %D or trailing fields, and the target, referer and user
 * agent in printable ASCII without `"` or `\\` (so their text is already valid JSON string
 * content). Groups: 1 %h, 2 %l, 3 %u, 4 %t, 5 method, 6 target, 7 protocol, 8 %>s, 9 %b,
 * 10 referer, 11 user agent. Whatever it matches, ACCESS_LINE matches with the same values.
 */
const PLAIN_ACCESS_LINE =
  /^(\S+) (\S+) (\S+) \[([^\]]+)\] "([A-Z][A-Z0-9_-]*) ([!#-[\]-~]+)(?: (HTTP\/\d(?:\.\d)?))?" (\d{3}) (\d+|-)(?: "([ !#-[\]-~]*)" "([ !#-[\]-~]*)")?$/;

/** @internal The match of a plain access line (see PLAIN_ACCESS_LINE), for the JSON fast path. */
export function matchPlainAccessLine(line: string): RegExpExecArray | null {
  return PLAIN_ACCESS_LINE.exec(line);
}

const REQUEST_LINE = /^([A-Z][A-Z0-9_-]*) (\S+)(?: (HTTP\/\d(?:\.\d)?))?$/;
const VHOST_PORT = /^(.+):(\d{1,5})$/;
const INTEGER = /^\d+$/;

/**
 * Parses one Apache access log line in Common or Combined format (also with a `%v` or `%v:%p`
 * virtual-host prefix, IPv6 clients, `%D` durations and extra trailing fields). Never throws.
 */
export function parseAccessLogLine(line: string): ParseResult<AccessLogEntry> {
  if (typeof line !== 'string') return { ok: false, reason: 'line is not a string', line: String(line) };
  const m = ACCESS_LINE.exec(line);
  if (!m) return { ok: false, reason: 'not an Apache access log line (Common or Combined)', line };
  const timestampMillis = parseAccessTime(m[5]);
  if (Number.isNaN(timestampMillis)) return { ok: false, reason: `invalid time [${m[5]}]`, line };

  let vhost: string | null = null;
  let vhostPort: number | null = null;
  if (m[1] !== undefined) {
    const vp = VHOST_PORT.exec(m[1]);
    // An IPv6 vhost cannot be told from vhost:port; Apache writes %v as a name anyway.
    if (vp && !vp[1].includes(':')) {
      vhost = vp[1];
      vhostPort = Number(vp[2]);
    } else {
      vhost = m[1];
    }
  }

  let request: string | null;
  let method: string | null = null;
  let uri: string | null = null;
  let protocol: string | null = null;
  if (m[6] !== undefined) {
    method = m[6];
    uri = m[7];
    protocol = m[8] ?? null;
    request = protocol === null ? `${method} ${uri}` : `${method} ${uri} ${protocol}`;
  } else {
    request = m[9] === '-' ? null : unescape(m[9]);
    const rl = request === null ? null : REQUEST_LINE.exec(request);
    if (rl) {
      method = rl[1];
      uri = rl[2];
      protocol = rl[3] ?? null;
    }
  }
  let path: string | null = null;
  let query: string | null = null;
  if (uri !== null) {
    const q = uri.indexOf('?');
    path = q < 0 ? uri : uri.slice(0, q);
    query = q < 0 ? null : uri.slice(q + 1);
  }

  const combined = m[13] !== undefined;
  let durationMicros = m[12] !== undefined ? Number(m[12]) : null;
  let trailing: string | null = m[15] !== undefined && m[15].length > 0 ? m[15] : null;
  if (durationMicros === null && trailing !== null && INTEGER.test(trailing)) {
    durationMicros = Number(trailing);
    trailing = null;
  }

  return {
    ok: true,
    value: {
      format: combined ? 'combined' : 'common',
      vhost,
      vhostPort,
      remoteHost: m[2],
      ident: dashToNull(m[3]),
      remoteUser: dashToNull(m[4]),
      timestampMillis,
      timeLocal: m[5],
      request,
      method,
      uri,
      path,
      query,
      protocol,
      status: Number(m[10]),
      bytes: m[11] === '-' ? null : Number(m[11]),
      referer: combined ? dashToNull(unescape(m[13])) : null,
      userAgent: combined ? dashToNull(unescape(m[14])) : null,
      durationMicros,
      trailing,
    },
  };
}

function dashToNull(value: string): string | null {
  return value === '-' || value === '' ? null : value;
}

/** Undoes Apache's `\"` and `\\`; `\xhh` escapes of binary bytes stay as text. */
function unescape(value: string): string {
  if (value.indexOf('\\') < 0) return value;
  return value.replace(/\\(["\\])/g, '$1');
}
