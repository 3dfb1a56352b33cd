import type { ColumnDefinition } from '../firehose-transform/column-type';

/**
 * Columns of the web-log table: access and error lines of Apache, nginx, lighttpd and Traefik
 * share one table, told apart by log_type. Columns a line does not have are NULL.
 */
export const WEB_LOG_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'log_type', type: 'string', comment: "'access', 'error' or 'unparsed'" },
  {
    name: 'event_time',
    type: 'timestamp',
    comment: "time of the request or error, UTC (unparsed: the CloudWatch Logs event's)",
  },
  { name: 'vhost', type: 'string', comment: 'access: %v, lighttpd %V; nginx error: server' },
  { name: 'vhost_port', type: 'int', comment: 'access: %p after the virtual host' },
  { name: 'client_ip', type: 'string', comment: 'access: %h (IP or host name); error: [client] or client:' },
  { name: 'client_port', type: 'int', comment: 'error: client port (Apache 2.4)' },
  { name: 'forwarded_for', type: 'string', comment: 'access: X-Forwarded-For as logged (nginx, Apache)' },
  { name: 'ident', type: 'string', comment: 'access: %l' },
  { name: 'remote_user', type: 'string', comment: 'access: %u' },
  { name: 'method', type: 'string' },
  { name: 'path', type: 'string' },
  { name: 'query', type: 'string' },
  { name: 'protocol', type: 'string' },
  {
    name: 'request',
    type: 'string',
    comment: "the request line when it is not exactly 'METHOD target[ PROTOCOL]' (e.g. TLS probes, double spaces)",
  },
  { name: 'status', type: 'int', comment: "access: %>s; null when '-'" },
  { name: 'bytes', type: 'bigint', comment: "%b; null when '-'" },
  { name: 'referer', type: 'string' },
  { name: 'user_agent', type: 'string' },
  {
    name: 'duration_micros',
    type: 'bigint',
    comment: "access: time taken: Traefik's Nms, or a bare integer after the user agent (Apache %D)",
  },
  { name: 'router', type: 'string', comment: 'Traefik: router' },
  { name: 'upstream', type: 'string', comment: 'Traefik: backend URL; nginx error: upstream' },
  { name: 'http_host', type: 'string', comment: 'nginx error: host header' },
  { name: 'level', type: 'string', comment: 'error: level, e.g. error, notice, trace3' },
  { name: 'module', type: 'string', comment: 'error: Apache 2.4 module' },
  { name: 'pid', type: 'int', comment: 'error: process id; syslog-wrapped lines: the sender PID' },
  { name: 'tid', type: 'bigint' },
  { name: 'connection_id', type: 'bigint', comment: 'nginx error: *connection number' },
  { name: 'source_file', type: 'string', comment: "error: e.g. 'mod_rewrite.c(470)'" },
  { name: 'apr_status', type: 'string', comment: "Apache 2.4 error: e.g. '(70007)The timeout specified has expired'" },
  { name: 'error_code', type: 'string', comment: "error: e.g. 'AH00126'" },
  { name: 'message', type: 'string', comment: 'error: message; unparsed: the whole line' },
  { name: 'syslog_host', type: 'string', comment: 'lines in a syslog header: HOSTNAME' },
  { name: 'syslog_program', type: 'string', comment: 'lines in a syslog header: TAG / APP-NAME' },
  { name: 'log_group', type: 'string', comment: 'CloudWatch Logs sources: log group' },
  { name: 'log_stream', type: 'string', comment: 'CloudWatch Logs sources: log stream' },
  {
    name: 'extra',
    type: 'string',
    comment: 'access: fields beyond the known ones, as logged (e.g. integers between %b and the referer)',
  },
  { name: 'parse_error', type: 'string', comment: 'unparsed: why the line was not recognised' },
];
