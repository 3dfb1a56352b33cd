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
  /** `%l`: identd name, almost always null. */
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
  /** `%>s` */
  readonly status: number;
  /** `%b`; null when logged as '-' (no body). */
  readonly bytes: number | null;
  /** `%{Referer}i` (Combined only). */
  readonly referer: string | null;
  /** `%{User-agent}i` (Combined only). */
  readonly userAgent: string | null;
  /** `%D`: time taken to serve the request in microseconds, when the format logs it. */
  readonly durationMicros: number | null;
  /** Unrecognised trailing fields, as logged. */
  readonly trailing: string | null;
}

/** One Apache error log line, 2.2 (`[error] [client ip]`) or 2.4 (`[module:level] [pid N:tid N]`). */
export interface ErrorLogEntry {
  /** Epoch milliseconds. Error logs carry no zone: the time is read as UTC. */
  readonly timestampMillis: number;
  /** Time as logged, e.g. 'Mon Dec 26 16:22:08 2016' or with microseconds. */
  readonly timeLocal: string;
  /** 2.4 module name ('core', 'ssl', ...); null in 2.2 lines or when empty (`[:error]`). */
  readonly module: string | null;
  /** e.g. 'error', 'notice', 'trace3'. */
  readonly level: string;
  readonly pid: number | null;
  readonly tid: number | null;
  /** Source file reference, e.g. 'mod_rewrite.c(470)'. */
  readonly sourceFile: string | null;
  /** Client address of the first `[client …]` field. */
  readonly clientIp: string | null;
  readonly clientPort: number | null;
  /** Apache error code, e.g. 'AH00126'. */
  readonly errorCode: string | null;
  /** The message, without the error code and without a trailing ', referer: …'. */
  readonly message: string;
  /** The ', referer: …' suffix Apache appends. */
  readonly referer: string | null;
}
