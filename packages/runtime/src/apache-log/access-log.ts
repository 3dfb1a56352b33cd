import { parseAccessTime } from './time';
import type { AccessLogEntry, ParseResult } from './types';

// A quoted field as Apache writes it: `"` and `\` inside are escaped with a backslash. Written as
// an unrolled loop (runs of plain characters, then one escape) so V8 does not backtrack per character.
const QUOTED = '"([^"\\\\]*(?:\\\\.[^"\\\\]*)*)"';

/**
 * `[%v[:%p] ]%h %l|%V %u [%t] "%r" %>s %b[ extra][ "%{Referer}i" "%{User-agent}i"][ rest]`.
 * One anchored regex: V8 compiles it once and it backtracks only over the optional vhost. A
 * plain `METHOD target [HTTP/x.y]` request line (no escapes) is split by the regex itself; any
 * other request text is captured whole and split afterwards.
 */
const ACCESS_LINE = new RegExp(
  '^(?:(\\S+) )??' + // 1: %v[:%p], only when the rest of the line still matches without it
    '(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] ' + // 2-5: %h %l %u [%t]
    '"(?:([A-Z][A-Z0-9_-]*) ([^\\s"\\\\]+)(?: (HTTP\\/\\d(?:\\.\\d)?))?|' + // 6-8: method target protocol
    QUOTED.slice(1, -1) + // 9: any other %r
    ')" (\\d{3}|-) (\\d+|-)' + // 10-11: %>s %b ('-' when the proxy had no status to log)
    '((?: \\d+)+)?' + // 12: unlabelled integers before the referer (%D, %I, %O, ... : which is unknown)
    '(?: ' +
    QUOTED +
    ' ' +
    QUOTED +
    ')?' + // 13-14: "%{Referer}i" "%{User-agent}i"
    '([\\s\\S]*)', // 15: the rest of the line (its trailing fields: see trailingFields)
);

const NOT_ACCESS = 'not an access log line (Common, Combined, nginx, lighttpd or Traefik)';
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/**
 * The trailing fields in the rest of an access line (ACCESS_LINE's group 15): ` fields` then
 * whitespace; null when the rest is whitespace only; undefined when the line is no access line
 * (the rest starts with anything but a space, or has a line break before its last field). Read
 * here rather than by the regex: `(?: (.*?))?\s*$` there made V8 backtrack over the rest of a
 * long line once per character of it, quadratic in the line's length (100 KB: 3 s).
 */
function trailingFields(rest: string): string | null | undefined {
  // trimEnd drops exactly what \s matches (WhiteSpace and LineTerminator).
  const fields = rest.trimEnd();
  if (fields === '') return null;
  if (fields.charCodeAt(0) !== 32 || LINE_TERMINATOR.test(fields)) return undefined;
  return fields.length > 1 ? fields.slice(1) : null;
}

/** ACCESS_LINE's match of a line, with the fields after %b as its parts name them. */
export interface AccessLineMatch {
  readonly m: RegExpExecArray;
  /** Referer and user agent are m[13] and m[14]. */
  readonly combined: boolean;
  /** The unlabelled integers after %b (with their leading spaces). */
  readonly integers: string | undefined;
  /** The trailing fields, or null. */
  readonly tail: string | null;
}

/**
 * @internal ACCESS_LINE's match of `rest`, or undefined when it is not an access line: what the
 * regex with the tail `(?: (.*?))?\s*$` matched (a property test holds them equal), in linear time.
 */
export function matchAccessLine(rest: string): AccessLineMatch | undefined {
  // ACCESS_LINE needs '] "' after %t: without it (error lines, mostly) the regex cannot match.
  const m = rest.includes('] "') ? ACCESS_LINE.exec(rest) : null;
  if (!m) return undefined;
  let combined = m[13] !== undefined;
  let integers: string | undefined = m[12];
  let tail = trailingFields(m[15]);
  if (tail === undefined && !LINE_TERMINATOR.test(m[15].trimEnd())) {
    // A rest that starts with another character than a space (a tab, say): the fields before it
    // are then trailing fields too, as that regex backtracked to read them: the referer and user
    // agent if there are some, else the last unlabelled integer.
    if (combined) {
      tail = trailingFields(` "${m[13]}" "${m[14]}"${m[15]}`);
      combined = false;
    } else if (integers !== undefined) {
      const last = integers.lastIndexOf(' ');
      tail = trailingFields(integers.slice(last) + m[15]);
      integers = last > 0 ? integers.slice(0, last) : undefined;
    }
  }
  return tail === undefined ? undefined : { m, combined, integers, tail };
}

/**
 * The plain Common/Combined line, the one nearly every real line is: no vhost, a
 * `METHOD target [HTTP/x.y]` request, no fields after the byte count but referer and user agent,
 * and %h, %l, %u, the target, the referer and the user agent in printable ASCII without `"` or
 * `\\` (so their text is already valid JSON string content), a status without a leading zero and
 * a byte count as JSON writes it (no leading zero; at most 15 digits, which the general path's
 * JavaScript number holds exactly). %h does not start with '<': `<PRI>1 ...` can be an RFC 5424
 * syslog header, which parseWebLogLine reads first. Whatever it matches, ACCESS_LINE matches with
 * the same values and parseWebLogLine finds no syslog header or forwarded-for prefix in it.
 * Groups: 1 %h, 2 %l (or lighttpd's %V), 3 %u, 4 %t, 5 method, 6 path (the target up to its
 * first '?'), 7 query (after it; undefined without '?'), 8 protocol, 9 %>s, 10 %b, 11 referer,
 * 12 user agent. The target is split here, and not afterwards, to save a scan
 * and two substrings per line.
 */
const PLAIN_ACCESS_FIELDS = String.raw`(?!<)([!#-[\]-~]+) ([!#-[\]-~]+) ([!#-[\]-~]+) \[([^\]\n]+)\] "([A-Z][A-Z0-9_-]*) (?=[!#-[\]-~])([!#->@-[\]-~]*)(?:\?([!#-[\]-~]*))?(?: (HTTP\/\d(?:\.\d)?))?" ([1-9]\d\d) (0|[1-9]\d{0,14}|-)(?: "([ !#-[\]-~]*)" "([ !#-[\]-~]*)")?`;
const PLAIN_ACCESS_LINE = new RegExp(`^${PLAIN_ACCESS_FIELDS}$`);

/** @internal The match of a plain access line (see PLAIN_ACCESS_LINE), for the JSON fast path. */
export function matchPlainAccessLine(line: string): RegExpExecArray | null {
  return PLAIN_ACCESS_LINE.exec(line);
}

/**
 * The request line: method, target, protocol, separated by one or more spaces (a client that
 * sends `GET  /x HTTP/1.1` is logged so); a target with spaces in it (nginx logs what it got) is
 * kept whole.
 */
const REQUEST_LINE = /^([A-Z][A-Z0-9_-]*) +(\S(?:.*?\S)??)(?: +(HTTP\/\d(?:\.\d)?))? *$/;
const VHOST_PORT = /^(.+):(\d{1,5})$/;

/**
 * A forwarded-for list logged before the client address, as nginx logs
 * `$proxy_add_x_forwarded_for` (the list, then the client) or `"$http_x_forwarded_for"
 * $remote_addr`: a quoted list, or `a, b, c` whose last entry is the client.
 */
const FORWARDED_PREFIX =
  /^(?:"([^"]*)" |((?:[0-9A-Fa-f:.]+, )+)(?=\S+ \S+ \S+ \[)|((?:[0-9A-Fa-f:.]+, )+[0-9A-Fa-f:.]+) (?=\S+ \S+ \S+ \[))/;

/** One value of X-Forwarded-For as servers log it: addresses (with ports), 'unknown', or '-'. */
const FORWARDED_LIST = /^(?:-|[\w.:[\]-]+(?:, ?[\w.:[\]-]+)*)$/;

const BARE_INTEGER = /^\d{1,15}$/;

/** Traefik's CLF tail: `<requests since start> "<router>" "<backend URL>" <duration>ms`. */
const TRAEFIK_TAIL = /^\d+ "([^"]*)" "([^"]*)" (\d+)ms$/;

/**
 * lighttpd's default format logs `%V` (the server name) where Apache logs `%l` (identd): an
 * address or a dotted host name there is the server, not an identd user.
 */
export function isServerName(field: string): boolean {
  return field.includes('.') || field.includes(':');
}

/**
 * Parses one access log line: Apache Common or Combined (also with a `%v` or `%v:%p` prefix,
 * IPv6 clients and extra fields), nginx `combined`/`main` (with `"$http_x_forwarded_for"` after
 * the user agent, or a forwarded-for list before the client), lighttpd's default format
 * (`%h %V %u ...`) and Traefik's CLF (router, backend, duration). Never throws.
 */
export function parseAccessLogLine(line: string): ParseResult<AccessLogEntry> {
  if (typeof line !== 'string') return { ok: false, reason: 'line is not a string', line: String(line) };
  let forwardedFor: string | null = null;
  let rest = line;
  const prefix = line.charCodeAt(0) === 34 || line.includes(', ') ? FORWARDED_PREFIX.exec(line) : null;
  if (prefix) {
    forwardedFor = dashToNull(prefix[1] ?? (prefix[2] ? prefix[2].slice(0, -2) : prefix[3]));
    rest = line.slice(prefix[0].length);
  }
  const match = matchAccessLine(rest);
  if (match === undefined) return { ok: false, reason: NOT_ACCESS, line };
  const { m, combined, integers, tail } = match;
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
  let ident = dashToNull(m[3]);
  if (ident !== null && isServerName(ident) && vhost === null) {
    vhost = ident;
    ident = null;
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
    request = m[9] === '-' || m[9] === '' ? null : unescape(m[9]);
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

  const extras: string[] = [];
  if (integers !== undefined) extras.push(integers.slice(1));
  let router: string | null = null;
  let upstream: string | null = null;
  let durationMicros: number | null = null;
  if (tail !== null) {
    const traefik = combined ? TRAEFIK_TAIL.exec(tail) : null;
    const quoted = combined && forwardedFor === null ? /^"([^"]*)"$/.exec(tail) : null;
    if (traefik) {
      router = dashToNull(traefik[1]);
      upstream = dashToNull(traefik[2]);
      durationMicros = Number(traefik[3]) * 1000;
      extras.push(tail.slice(0, tail.indexOf(' '))); // the request counter
    } else if (quoted && FORWARDED_LIST.test(quoted[1])) {
      forwardedFor = dashToNull(quoted[1]);
    } else if (combined && BARE_INTEGER.test(tail)) {
      // One integer after the user agent: Apache's `%D` (microseconds), where LogFormat lines
      // append it. Integers right after %b are not read so (lighttpd logs %I/%O there).
      durationMicros = Number(tail);
    } else {
      extras.push(tail);
    }
  }

  return {
    ok: true,
    value: {
      format: combined ? 'combined' : 'common',
      vhost,
      vhostPort,
      remoteHost: m[2],
      forwardedFor,
      ident,
      remoteUser: dashToNull(m[4]),
      timestampMillis,
      timeLocal: m[5],
      request,
      method,
      uri,
      path,
      query,
      protocol,
      status: m[10] === '-' ? null : Number(m[10]),
      bytes: m[11] === '-' ? null : Number(m[11]),
      referer: combined ? dashToNull(unescape(m[13])) : null,
      userAgent: combined ? dashToNull(unescape(m[14])) : null,
      durationMicros,
      router,
      upstream,
      extra: extras.length > 0 ? extras.join(' ') : null,
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
