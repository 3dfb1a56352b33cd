import type { QuarantineRecord } from './quarantine-record';

/** Default key prefix of quarantined records in the failure bucket. */
export const DEFAULT_QUARANTINE_PREFIX = 'quarantine/';

/** `arn:aws:kinesis:region:account:stream/name[/consumer/...]` -> `name`. */
export function streamNameOf(streamArn: string): string {
  const match = /:stream\/([^/]+)/.exec(streamArn);
  return match ? match[1] : 'unknown-stream';
}

/**
 * The S3 key of a quarantined record:
 * `<prefix><streamName>/<shardId>/<sequenceNumber>[-<subSequenceNumber>].json`.
 * Deterministic, so quarantining the same record again (after a retry) overwrites one object
 * instead of creating a duplicate.
 */
export function quarantineObjectKey(record: QuarantineRecord, prefix: string = DEFAULT_QUARANTINE_PREFIX): string {
  const sub = record.subSequenceNumber !== undefined ? `-${record.subSequenceNumber}` : '';
  return `${prefix}${streamNameOf(record.streamArn)}/${record.shardId}/${record.sequenceNumber}${sub}.json`;
}
