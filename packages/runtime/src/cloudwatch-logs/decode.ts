import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogEvent, CloudWatchLogsData } from './types';

/** Data that is not a CloudWatch Logs subscription message; the message says why. */
export class CloudWatchLogsDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CloudWatchLogsDecodeError';
  }
}

/**
 * Bound on the gunzipped size of one record. A subscription message holds one PutLogEvents batch
 * (at most 1 MiB of events), so real ones stay far below; the bound keeps a gzip bomb from
 * exhausting the function's memory.
 */
export const MAX_CLOUDWATCH_LOGS_DECOMPRESSED_BYTES = 16 * 1024 * 1024;

/** The longest log group or log stream name CloudWatch Logs accepts. */
export const MAX_LOG_NAME_LENGTH = 512;
/** The largest log event PutLogEvents accepts (its batch limit, 1,048,576 bytes, bounds it too). */
export const MAX_LOG_EVENT_BYTES = 1_048_576;

/** Whether the bytes start with the gzip magic number (RFC 1952: 1F 8B). */
export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/** Whether text is a subscription message already decompressed (e.g. by Firehose's decompression option). */
export function looksLikeCloudWatchLogsJson(text: string): boolean {
  return text.startsWith('{"messageType":');
}

export interface DecodeCloudWatchLogsOptions {
  /** @default MAX_CLOUDWATCH_LOGS_DECOMPRESSED_BYTES (16 MiB) */
  readonly maxDecompressedBytes?: number;
}

/**
 * Decodes one CloudWatch Logs subscription record, as Kinesis or Firehose carry it: gzip-compressed
 * JSON (the record's bytes, not base64), or the JSON itself when something upstream already
 * decompressed it. Checks the shape: a DATA_MESSAGE has a log group, a log stream and log events
 * with a string id, a numeric timestamp and a string message. Throws CloudWatchLogsDecodeError.
 * Usable from any consumer: `decodeCloudWatchLogsData(record.data)` on a Kinesis record's bytes.
 */
export function decodeCloudWatchLogsData(
  data: Uint8Array | string,
  options: DecodeCloudWatchLogsOptions = {},
): CloudWatchLogsData {
  let json: string;
  if (typeof data === 'string') {
    json = data;
  } else if (isGzip(data)) {
    const max = options.maxDecompressedBytes ?? MAX_CLOUDWATCH_LOGS_DECOMPRESSED_BYTES;
    try {
      json = gunzipSync(data, { maxOutputLength: max }).toString('utf8');
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new CloudWatchLogsDecodeError(
        code === 'ERR_BUFFER_TOO_LARGE'
          ? `CloudWatch Logs data decompresses to more than ${max} bytes`
          : `CloudWatch Logs data is not valid gzip: ${(error as Error).message}`,
        { cause: error },
      );
    }
  } else {
    json = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new CloudWatchLogsDecodeError(`CloudWatch Logs data is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return checkShape(parsed);
}

function checkShape(value: unknown): CloudWatchLogsData {
  const fail = (what: string): never => {
    throw new CloudWatchLogsDecodeError(`not a CloudWatch Logs subscription message: ${what}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  const v = value as Record<string, unknown>;
  if (v.messageType !== 'DATA_MESSAGE' && v.messageType !== 'CONTROL_MESSAGE') {
    return fail(`messageType is ${JSON.stringify(v.messageType)}, expected DATA_MESSAGE or CONTROL_MESSAGE`);
  }
  for (const key of ['owner', 'logGroup', 'logStream'] as const) {
    if (typeof v[key] !== 'string') fail(`${key} is not a string`);
  }
  // CloudWatch Logs names have 1 to 512 characters (CreateLogGroup, CreateLogStream: "Length
  // Constraints: Minimum length of 1. Maximum length of 512"). Every row of an event carries both:
  // longer ones are not AWS's, and would multiply the record's size by their length.
  for (const key of v.messageType === 'DATA_MESSAGE' ? (['logGroup', 'logStream'] as const) : []) {
    const length = (v[key] as string).length;
    if (length > MAX_LOG_NAME_LENGTH)
      fail(`${key} has ${length} characters; CloudWatch Logs allows at most ${MAX_LOG_NAME_LENGTH}`);
  }
  const filters = v.subscriptionFilters ?? [];
  if (!Array.isArray(filters) || !filters.every((f) => typeof f === 'string')) {
    fail('subscriptionFilters is not a list of strings');
  }
  if (!Array.isArray(v.logEvents)) return fail('logEvents is not a list');
  v.logEvents.forEach((e: unknown, i) => {
    const event = e as Partial<Record<keyof CloudWatchLogEvent, unknown>> | null;
    if (
      typeof event !== 'object' ||
      event === null ||
      typeof event.id !== 'string' ||
      typeof event.timestamp !== 'number' ||
      !Number.isFinite(event.timestamp) ||
      typeof event.message !== 'string'
    ) {
      fail(`logEvents[${i}] is not { id: string, timestamp: number, message: string }`);
    }
    // PutLogEvents takes events of at most 1 MB (and batches of at most 1,048,576 bytes): a longer
    // message (more UTF-16 units than that many bytes) is not CloudWatch Logs', and one event's
    // rows grow with it before the response size can stop them.
    const length = (event as CloudWatchLogEvent).message.length;
    if (length > MAX_LOG_EVENT_BYTES) {
      fail(
        `logEvents[${i}].message has ${length} characters; a CloudWatch Logs event holds at most ${MAX_LOG_EVENT_BYTES} bytes`,
      );
    }
  });
  return value as CloudWatchLogsData;
}
