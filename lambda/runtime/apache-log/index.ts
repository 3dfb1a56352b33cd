export { parseAccessLogLine } from './access-log';
export { parseErrorLogLine } from './error-log';
export type { AccessLogEntry, ErrorLogEntry, ParseFailure, ParseResult, ParseSuccess } from './types';
