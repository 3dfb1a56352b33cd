/** Result of parsing one log line: a typed value, or a typed failure. Parsers never throw. */
export type ParseResult<T> = ParseSuccess<T> | ParseFailure;

export interface ParseSuccess<T> {
  readonly ok: true;
  readonly value: T;
}

export interface ParseFailure {
  readonly ok: false;
  /** Why the line was rejected, e.g. 'not an Apache access log line'. */
  readonly reason: string;
  /** The line as received. */
  readonly line: string;
}

/**
 * One Apache access log line (mod_log_config), Common or Combined format, with the optional
 * `%v`/`%v:%p` virtual host prefix, an optional `%D` field after `%b` or after the user agent,
 * and any trailing fields kept in `trailing`. Fields logged as '-' are null.
 */
export interface AccessLogEntry {
  /** 'combined' when referer and user agent are present, else 'common'. */
  readonly format: 'common' | 'combined';
  /** `%v` virtual host prefix, if the line has one. */
  readonly vhost: string | null;
  /** `%p` port after the virtual host (`vhost:443`), if any. */
  readonly vhostPort: number | null;
  /** `%h`: client IP address (IPv4 or IPv6) or host name. */
  readonly remoteHost: string;
  /**
   * X-Forwarded-For as logged: nginx's `"$http_x_forwarded_for"` or Apache's
   * `"%{X-Forwarded-For}i"` after the user agent, or a forwarded list logged before the client.
   */
  readonly forwardedFor: string | null;
  /** `%l`: identd name, almost always null (lighttpd's `%V` there goes to `vhost`). */
  readonly ident: string | null;
  /** `%u`: authenticated user. */
  readonly remoteUser: string | null;
  /** `%t` as epoch milliseconds (UTC). */
  readonly timestampMillis: number;
  /** `%t` as logged, e.g. '17/May/2015:10:05:03 +0000'. */
  readonly timeLocal: string;
  /** `%r` as logged, with Apache's `\"` and `\\` escapes undone (`\xhh` kept as text). */
  readonly request: string | null;
  /** Method of a well-formed request line, e.g. 'GET'. */
  readonly method: string | null;
  /** Request target, e.g. '/a/b?x=1'. */
  readonly uri: string | null;
  /** Request target without the query string. */
  readonly path: string | null;
  /** Query string without the '?'. */
  readonly query: string | null;
  /** e.g. 'HTTP/1.1'. */
  readonly protocol: string | null;
  /** `%>s`; null when logged as '-' (Traefik, when no backend answered). */
  readonly status: number | null;
  /** `%b`; null when logged as '-' (no body). */
  readonly bytes: number | null;
  /** `%{Referer}i` (Combined only). */
  readonly referer: string | null;
  /** `%{User-agent}i` (Combined only). */
  readonly userAgent: string | null;
  /**
   * Time taken, in microseconds: Traefik's `12ms`, or one bare integer as the last field after
   * the user agent (Apache's `%D`, where LogFormat lines append it). Integers between `%b` and
   * the referer (lighttpd's `%I`/`%O`, or a `%D` there) cannot be told apart: they stay in `extra`.
   */
  readonly durationMicros: number | null;
  /** Traefik: the router that took the request. */
  readonly router: string | null;
  /** Traefik: the backend (server URL) the request went to. */
  readonly upstream: string | null;
  /** Fields the line has beyond the ones above, as logged (space-separated), e.g. a bare `%D`. */
  readonly extra: string | null;
}

/**
 * One error log line: Apache 2.2 (`[error] [client ip]`), Apache 2.4 (`[module:level] [pid N:tid N]`,
 * APR status, client ip:port, AH code) or nginx (`yyyy/MM/dd HH:mm:ss [level] pid#tid: *cid ...`).
 */
export interface ErrorLogEntry {
  /** Time of the error as epoch milliseconds, read as UTC (neither server logs a zone here). */
  readonly timestampMillis: number;
  /** The time as logged. */
  readonly timeLocal: string;
  /** Apache 2.4 module, e.g. 'core', 'ssl' (null for 2.2, nginx, or an empty module). */
  readonly module: string | null;
  /** e.g. 'error', 'notice', 'trace3'. */
  readonly level: string;
  readonly pid: number | null;
  readonly tid: number | null;
  /** nginx: the connection serial number (`*45`). */
  readonly connectionId: number | null;
  /** Source file reference, e.g. 'mod_rewrite.c(470)'. */
  readonly sourceFile: string | null;
  /** Apache 2.4 `%E`: the APR/OS status before the client, e.g. '(70007)The timeout specified has expired'. */
  readonly aprStatus: string | null;
  /** Client address of the first `[client …]` field (nginx: `client:`). */
  readonly clientIp: string | null;
  readonly clientPort: number | null;
  /** nginx: the `server:` (server_name) that handled the request. */
  readonly server: string | null;
  /** nginx: the `request:` line, split like an access line's. */
  readonly request: string | null;
  readonly method: string | null;
  readonly path: string | null;
  readonly query: string | null;
  readonly protocol: string | null;
  /** nginx: the `upstream:` the request was passed to. */
  readonly upstream: string | null;
  /** nginx: the `host:` request header. */
  readonly httpHost: string | null;
  /** Apache error code, e.g. 'AH00126'. */
  readonly errorCode: string | null;
  /** The message, without the fields above (error code, client, referer, ...). */
  readonly message: string;
  /** Apache's ', referer: …' suffix; nginx's `referrer:`. */
  readonly referer: string | null;
}
