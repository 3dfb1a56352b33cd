/**
 * The scaling history, kept durably in a tag on the stream itself: it survives cold starts and
 * redeploys, needs no extra resource, and goes away with the stream. One tag value holds the
 * calls of the last 24 hours as `<epoch minute>.<from>.<to>` entries joined by `_` (characters
 * Kinesis accepts in tag values; 11 entries take at most 230 of the 256 characters allowed).
 * @see https://docs.aws.amazon.com/streams/latest/dev/tagging.html
 */
import { MAX_CLOCK_SKEW_MS, ROLLING_WINDOW_MS, type ScalingCall } from './limits';

export const HISTORY_TAG_KEY = 'cdk-kinesis-pipeline:scaling-history';
/** Kinesis tag values are at most 256 characters. */
const MAX_TAG_VALUE_LENGTH = 256;

/**
 * Parses the tag value; malformed entries are skipped (a hand-edited tag must not crash us), and
 * so are entries dated more than MAX_CLOCK_SKEW_MS after `now`: no call was made in the future,
 * and such an entry would hold a budget slot and delay the scaler's reaction to throttling forever.
 */
export function decodeHistory(value: string | undefined, now: number): ScalingCall[] {
  if (!value) return [];
  const calls: ScalingCall[] = [];
  for (const entry of value.split('_')) {
    const match = /^(\d{1,12})\.(\d{1,5})\.(\d{1,5})$/.exec(entry.trim());
    if (!match) continue;
    const at = Number(match[1]) * 60_000;
    if (at > now + MAX_CLOCK_SKEW_MS) continue;
    calls.push({ at, from: Number(match[2]), to: Number(match[3]) });
  }
  return calls.sort((a, b) => a.at - b.at);
}

/**
 * Encodes the calls of the 24 hours before `now` (older ones no longer count against the budget),
 * and the latest call even when older: its `to` is the shard count the scaler last set, so that a
 * resize by someone else (a person, a CloudFormation update) shows as a different live count.
 */
export function encodeHistory(calls: readonly ScalingCall[], now: number): string {
  const sorted = [...calls].sort((a, b) => a.at - b.at);
  const latest = sorted[sorted.length - 1];
  const recent = sorted
    .filter((call) => call.at > now - ROLLING_WINDOW_MS || call === latest)
    // Rounded up: a call must not leave the rolling window before AWS releases it.
    .map((call) => `${Math.ceil(call.at / 60_000)}.${call.from}.${call.to}`);
  // Keep the newest entries if a pathological history would not fit.
  while (recent.join('_').length > MAX_TAG_VALUE_LENGTH) recent.shift();
  return recent.join('_');
}
