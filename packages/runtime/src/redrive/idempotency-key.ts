import { createHash } from 'node:crypto';
import type { RecordOrigin } from './types';

/**
 * `<streamArn>/<shardId>/<sequenceNumber>[/<subSequenceNumber>]`: unique per record of a
 * stream, and the same whichever document (S3 payload, SQS metadata, quarantine) names it.
 */
export function idempotencyKey(origin: RecordOrigin): string {
  const sub = origin.subSequenceNumber !== undefined ? `/${origin.subSequenceNumber}` : '';
  return `${origin.streamArn}/${origin.shardId}/${origin.sequenceNumber}${sub}`;
}

/**
 * The key of a record whose document gave no stream position: a hash of where it was found
 * (document and index in it) and of what it is. Two records with the same bytes in two places
 * get two keys, so they are never merged into one replay; the same document read again gets
 * the same keys, so the ledger still makes a rerun a no-op.
 */
export function contentKey(
  source: string,
  index: number | string,
  record: { readonly partitionKey: string; readonly explicitHashKey?: string; readonly data: Uint8Array },
): string {
  const hash = createHash('sha256');
  for (const part of [source, String(index), record.partitionKey, record.explicitHashKey ?? '']) {
    hash.update(part).update('\u0000');
  }
  return `content/${hash.update(record.data).digest('hex')}`;
}

/** Keeps the first record of each idempotency key, in order (the same record named by two documents). */
export function dedupeByIdempotencyKey<T extends { readonly idempotencyKey: string }>(records: readonly T[]): T[] {
  const seen = new Set<string>();
  return records.filter((r) => (seen.has(r.idempotencyKey) ? false : (seen.add(r.idempotencyKey), true)));
}
