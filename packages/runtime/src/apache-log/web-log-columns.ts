import type { ColumnDefinition } from '../firehose-transform/column-type';

/** Columns of the web-log table: access and error lines share one table, told apart by log_type. */
export const WEB_LOG_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'log_type', type: 'string', comment: "'access', 'error' or 'unparsed'" },
  { name: 'event_time', type: 'timestamp', comment: 'time of the request or error, UTC' },
  { name: 'vhost', type: 'string', comment: 'access: %v virtual host' },
  { name: 'vhost_port', type: 'int', comment: 'access: %p after the virtual host' },
  { name: 'client_ip', type: 'string', comment: 'access: %h (IP or host name); error: [client]' },
  { name: 'client_port', type: 'int', comment: 'error: client port (Apache 2.4)' },
  { name: 'ident', type: 'string', comment: 'access: %l' },
  { name: 'remote_user', type: 'string', comment: 'access: %u' },
  { name: 'method', type: 'string' },
  { name: 'path', type: 'string' },
  { name: 'query', type: 'string' },
  { name: 'protocol', type: 'string' },
  {
    name: 'request',
    type: 'string',
    comment:
      "%r when it is not 'METHOD target [PROTOCOL]' (e.g. TLS probes); else method, path, query, protocol hold it",
  },
  { name: 'status', type: 'int' },
  { name: 'bytes', type: 'bigint', comment: "%b; null when '-'" },
  { name: 'referer', type: 'string' },
  { name: 'user_agent', type: 'string' },
  { name: 'duration_micros', type: 'bigint', comment: '%D when logged' },
  { name: 'level', type: 'string', comment: 'error: level, e.g. error, notice, trace3' },
  { name: 'module', type: 'string', comment: 'error: Apache 2.4 module' },
  { name: 'pid', type: 'int' },
  { name: 'tid', type: 'bigint' },
  { name: 'source_file', type: 'string', comment: "error: e.g. 'mod_rewrite.c(470)'" },
  { name: 'error_code', type: 'string', comment: "error: e.g. 'AH00126'" },
  { name: 'message', type: 'string', comment: 'error: message; unparsed: the whole line' },
  { name: 'parse_error', type: 'string', comment: 'unparsed: why the line was not recognised' },
];
