/**
 * Error-line alerts aggregated per time window: what one batch adds to its window, which windows
 * are closed, and the one message a window gets. Pure functions of plain data.
 *
 * Windows are tumbling, by processing time (when the consumer saw the lines), aligned to the
 * epoch: [k × window, (k + 1) × window). A window is sent once it has been closed for the grace
 * period, so that every write into it has landed.
 */
import type { ErrorLine } from './error-lines';

/** What one batch adds to its window. */
export interface WindowContribution {
  readonly errorLines: number;
  readonly http5xx: number;
  readonly errorLog: number;
  /** The batch's first and last error lines, in stream order. */
  readonly firstLine: string;
  readonly lastLine: string;
}

/** A window of one stream as the store keeps it. */
export interface AlertWindow extends WindowContribution {
  /** Epoch ms of the window's start. */
  readonly windowStart: number;
  /** The stream ARN (eventSourceARN) the lines came from. */
  readonly stream: string;
}

export interface Alert {
  readonly subject: string;
  readonly message: string;
}

/**
 * Longest sample line in an alert. Log lines can be as long as a record (1 MiB), and SNS takes
 * at most 256 KiB per message: one huge line would make every publish fail.
 */
export const MAX_SAMPLE_CHARACTERS = 1000;

export function contributionOf(errors: readonly ErrorLine[]): WindowContribution | undefined {
  if (errors.length === 0) return undefined;
  const http5xx = errors.filter((e) => e.kind === 'http-5xx').length;
  return {
    errorLines: errors.length,
    http5xx,
    errorLog: errors.length - http5xx,
    firstLine: shorten(errors[0].line),
    lastLine: shorten(errors[errors.length - 1].line),
  };
}

export function windowStartOf(nowMs: number, windowMs: number): number {
  return Math.floor(nowMs / windowMs) * windowMs;
}

/**
 * Starts of the windows that ended at least `graceMs` ago, newest first, going back `lookbackMs`:
 * the ones a flush may send.
 */
export function closedWindowStarts(nowMs: number, windowMs: number, graceMs: number, lookbackMs: number): number[] {
  const starts: number[] = [];
  for (
    let start = windowStartOf(nowMs - graceMs, windowMs) - windowMs;
    start >= nowMs - lookbackMs;
    start -= windowMs
  ) {
    starts.push(start);
  }
  return starts;
}

/** The one message of a window: counts, the window, and its first and last sample lines. */
export function buildWindowAlert(window: AlertWindow, windowMs: number): Alert {
  const from = new Date(window.windowStart).toISOString();
  const to = new Date(window.windowStart + windowMs).toISOString();
  const stream = streamNameOf(window.stream);
  // SNS subjects: ASCII, no line breaks, under 100 characters.
  const subject = `${window.errorLines} error line(s) in ${stream}, ${from.slice(11, 16)}-${to.slice(11, 16)} UTC`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 99);
  return {
    subject,
    message: [
      `${window.errorLines} error line(s) in ${window.stream} between ${from} and ${to}:`,
      `${window.http5xx} HTTP 5xx responses, ${window.errorLog} error-log entries.`,
      '',
      'First line:',
      window.firstLine,
      '',
      'Last line:',
      window.lastLine,
    ].join('\n'),
  };
}

function streamNameOf(arn: string): string {
  const match = /:stream\/([^/]+)/.exec(arn);
  return match ? match[1] : arn;
}

function shorten(text: string): string {
  return text.length > MAX_SAMPLE_CHARACTERS ? `${text.slice(0, MAX_SAMPLE_CHARACTERS)}…` : text;
}
