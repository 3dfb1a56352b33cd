import type { AccessLogEntry } from 'cdk-kinesis-pipeline-runtime';

/** Traffic of one minute (as far as one batch saw it). */
export interface MinuteAggregate {
  /** Start of the minute, epoch milliseconds (UTC). */
  readonly minuteStartMillis: number;
  readonly requests: number;
  readonly clientErrors: number;
  readonly serverErrors: number;
  readonly bytesSent: number;
  /** Largest %D of the minute in ms, when the log has durations. */
  readonly maxLatencyMillis?: number;
}

const MINUTE_MS = 60_000;

/** The lines of one record: one line or several, newline-separated. */
export function logLinesOf(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim().length > 0);
}

/**
 * Per-minute aggregates of access log entries, by the entries' own time (not arrival time),
 * oldest minute first. Each batch publishes partial sums; CloudWatch adds them up (Sum).
 */
export function aggregateByMinute(entries: Iterable<AccessLogEntry>): MinuteAggregate[] {
  const minutes = new Map<
    number,
    { requests: number; clientErrors: number; serverErrors: number; bytesSent: number; maxLatencyMillis?: number }
  >();
  for (const e of entries) {
    const start = Math.floor(e.timestampMillis / MINUTE_MS) * MINUTE_MS;
    let m = minutes.get(start);
    if (!m) {
      m = { requests: 0, clientErrors: 0, serverErrors: 0, bytesSent: 0 };
      minutes.set(start, m);
    }
    m.requests++;
    const status = e.status ?? 0; // null: logged as '-' (no response)
    if (status >= 400 && status < 500) m.clientErrors++;
    if (status >= 500 && status < 600) m.serverErrors++;
    m.bytesSent += e.bytes ?? 0;
    if (e.durationMicros !== null) m.maxLatencyMillis = Math.max(m.maxLatencyMillis ?? 0, e.durationMicros / 1000);
  }
  return [...minutes.entries()]
    .sort(([a], [b]) => a - b)
    .map(([minuteStartMillis, m]) => ({ minuteStartMillis, ...m }));
}

/** Names of the metrics published per minute. */
export const MINUTE_METRICS = {
  requests: 'Requests',
  clientErrors: 'ClientErrors',
  serverErrors: 'ServerErrors',
  bytesSent: 'BytesSent',
  maxLatency: 'MaxLatency',
} as const;
