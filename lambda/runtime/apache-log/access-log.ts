import { parseAccessTime } from './time';
import type { AccessLogEntry, ParseResult } from './types';

// A quoted field as Apache writes it: `"` and `\` inside are escaped with a backslash. Written as
// an unrolled loop (runs of plain characters, then one escape) so V8 does not backtrack per character.
const QUOTED = '"([^"\\\\]*(?:\\\\.[^"\\\\]*)*)"';

/**
 * `[%v[:%p] ]%h %l %u [%t] "%r" %>s %b[ %D][ "%{Referer}i" "%{User-agent}i"][ rest]`.
 * One anchored regex: V8 compiles it once and it backtracks only over the optional vhost.
 */
const ACCESS_LINE = new RegExp(
  '^(?:(\\S+) )??' + // %v[:%p], only when the rest of the line still matches without it
    '(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] ' + // %h %l %u [%t]
    QUOTED + // "%r"
    ' (\\d{3}) (\\d+|-)' + // %>s %b
    '(?: (\\d+))?' + // %D logged before the referer (mtail's common variant)
    '(?: ' +
    QUOTED +
    ' ' +
    QUOTED +
    ')?' + // "%{Referer}i" "%{User-agent}i"
    '(?: (.*?))?\\s*$', // trailing fields, e.g. %D or an extra "-"
);

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

  const request = m[6] === '-' ? null : unescape(m[6]);
  let method: string | null = null;
  let uri: string | null = null;
  let path: string | null = null;
  let query: string | null = null;
  let protocol: string | null = null;
  const rl = request === null ? null : REQUEST_LINE.exec(request);
  if (rl) {
    method = rl[1];
    uri = rl[2];
    protocol = rl[3] ?? null;
    const q = uri.indexOf('?');
    path = q < 0 ? uri : uri.slice(0, q);
    query = q < 0 ? null : uri.slice(q + 1);
  }

  const combined = m[10] !== undefined;
  let durationMicros = m[9] !== undefined ? Number(m[9]) : null;
  let trailing: string | null = m[12] !== undefined && m[12].length > 0 ? m[12] : null;
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
      status: Number(m[7]),
      bytes: m[8] === '-' ? null : Number(m[8]),
      referer: combined ? dashToNull(unescape(m[10])) : null,
      userAgent: combined ? dashToNull(unescape(m[11])) : null,
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
