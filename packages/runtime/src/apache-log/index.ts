export { parseAccessLogLine } from './access-log';
export { parseErrorLogLine } from './error-log';
export { parseNginxErrorLogLine } from './nginx-error-log';
export { parseSyslogHeader } from './syslog';
export type { SyslogHeader } from './syslog';
export type { AccessLogEntry, ErrorLogEntry, ParseFailure, ParseResult, ParseSuccess } from './types';
export { createApacheLogTransform, parseWebLogLine, plainAccessLineJson, toWebLogJson, toWebLogRow } from './web-log';
export { WEB_LOG_COLUMNS } from './web-log-columns';
export type { ApacheLogTransformOptions, WebLogLine } from './web-log';
