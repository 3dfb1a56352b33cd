import type { RecordOrigin } from './types';

/**
 * `<streamArn>/<shardId>/<sequenceNumber>[/<subSequenceNumber>]`: unique per record of a
 * stream, and the same whichever document (S3 payload, SQS metadata, quarantine) names it.
 */
export function idempotencyKey(origin: RecordOrigin): string {
  const sub = origin.subSequenceNumber !== undefined ? `/${origin.subSequenceNumber}` : '';
  return `${origin.streamArn}/${origin.shardId}/${origin.sequenceNumber}${sub}`;
}

/** Keeps the first record of each idempotency key, in order. */
export function dedupeByIdempotencyKey<T extends { readonly idempotencyKey: string }>(records: readonly T[]): T[] {
  const seen = new Set<string>();
  return records.filter((r) => (seen.has(r.idempotencyKey) ? false : (seen.add(r.idempotencyKey), true)));
}
