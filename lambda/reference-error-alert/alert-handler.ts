/**
 * The error-alert consumer's two jobs, with its storage and SNS passed in (index.ts wires the
 * AWS clients): add a batch's error lines to the current window, and send closed windows once.
 */
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { batchLogger, compareSequenceNumbers, runKinesisBatch } from 'cdk-kinesis-pipeline-runtime';
import {
  type Alert,
  type AlertWindow,
  buildWindowAlert,
  closedWindowStarts,
  contributionOf,
  type WindowContribution,
  windowStartOf,
} from './alert-window';
import { classifyLogLine, type ErrorLine, logLinesOf } from './error-lines';

/** A window is sent once it has been closed this long: every write into it has landed. */
export const GRACE_MS = 60_000;
/** How far back a flush looks for windows not sent yet (after flushes that failed for a while). */
export const LOOKBACK_MS = 3600_000;

/** What AlertWindowStore does; an in-memory one stands in for it in tests. */
export interface WindowStore {
  add(windowStart: number, stream: string, contribution: WindowContribution): Promise<boolean>;
  unsent(windowStart: number): Promise<AlertWindow[]>;
  claim(window: AlertWindow, claimId: string): Promise<boolean>;
  release(window: AlertWindow, claimId: string): Promise<void>;
}

export interface AlertDependencies {
  readonly store: WindowStore;
  readonly publish: (alert: Alert) => Promise<void>;
  readonly windowMs: number;
  readonly now: () => number;
}

/** Processes a batch and adds its error lines to the window of now. */
export async function consumeBatch(
  event: KinesisStreamEvent,
  deps: AlertDependencies,
  context?: { getRemainingTimeInMillis(): number },
): Promise<KinesisStreamBatchResponse> {
  const errors: Array<ErrorLine & { sequenceNumber: string }> = [];
  const outcome = await runKinesisBatch<string>(
    event,
    (record) => {
      for (const line of logLinesOf(record.body)) {
        const error = classifyLogLine(line);
        if (error) errors.push({ ...error, sequenceNumber: record.sequenceNumber });
      }
    },
    { payloadFormat: 'text', context },
  );
  // Only lines below the reported failure count now: Lambda delivers the rest again.
  const failure = outcome.response.batchItemFailures[0]?.itemIdentifier;
  const kept = failure ? errors.filter((e) => compareSequenceNumbers(e.sequenceNumber, failure) < 0) : errors;
  const contribution = contributionOf(kept);
  if (contribution) {
    const stream = event.Records[0].eventSourceARN;
    let windowStart = windowStartOf(deps.now(), deps.windowMs);
    // A window a flush already sent takes no more lines: they go to the next one.
    while (!(await deps.store.add(windowStart, stream, contribution))) windowStart += deps.windowMs;
    batchLogger().info('error lines added to the alert window', {
      errorLines: contribution.errorLines,
      windowStart: new Date(windowStart).toISOString(),
    });
  }
  return outcome.response;
}

/**
 * Sends every closed window not sent yet, once: claimed first (conditional write), given back if
 * the publish fails, which then throws so that a later flush retries it.
 */
export async function flushWindows(deps: AlertDependencies, claimId: string): Promise<number> {
  let sent = 0;
  for (const windowStart of closedWindowStarts(deps.now(), deps.windowMs, GRACE_MS, LOOKBACK_MS)) {
    for (const window of await deps.store.unsent(windowStart)) {
      if (!(await deps.store.claim(window, claimId))) continue;
      const alert = buildWindowAlert(window, deps.windowMs);
      try {
        await deps.publish(alert);
      } catch (error) {
        await deps.store.release(window, claimId);
        throw error;
      }
      sent++;
      batchLogger().warn('error-line alert sent', { subject: alert.subject });
    }
  }
  return sent;
}
