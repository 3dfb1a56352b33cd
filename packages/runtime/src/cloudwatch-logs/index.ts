export {
  CloudWatchLogsDecodeError,
  decodeCloudWatchLogsData,
  isGzip,
  looksLikeCloudWatchLogsJson,
  MAX_CLOUDWATCH_LOGS_DECOMPRESSED_BYTES,
} from './decode';
export type { DecodeCloudWatchLogsOptions } from './decode';
export type { CloudWatchLogEvent, CloudWatchLogsData, LogEventSource } from './types';
