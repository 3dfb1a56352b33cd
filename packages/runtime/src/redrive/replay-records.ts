import type { KinesisStreamRecord } from 'aws-lambda';
import { userRecordsOf } from '../kinesis-batch/user-records';
import { contentKey, idempotencyKey } from './idempotency-key';
import type { RecordOrigin, ReplayRecord } from './types';

/** A Kinesis record as stored in the stream: where it is (when known), and its bytes. */
export interface StoredKinesisRecord {
  readonly streamArn?: string;
  readonly shardId?: string;
  readonly sequenceNumber?: string;
  readonly partitionKey: string;
  /** The record's data, base64 (as in a Lambda event); checked with `isBase64` before. */
  readonly base64Data: string;
}

/** Where a record was found, for reports and for content keys. */
export interface FoundAt {
  readonly source: string;
  readonly index: number;
}

/**
 * The user records of one Kinesis record (from an S3 on-failure payload or read back from the
 * stream), de-aggregated exactly as the batch processor does (the toolkit's `userRecordsOf`):
 * a plain record yields itself, keyed `<stream>/<shard>/<sequence>`; a KPL aggregate yields
 * its sub-records, each with its own partition key and explicit hash key, keyed
 * `<stream>/<shard>/<sequence>/<sub>` like the quarantine records of those sub-records; an
 * aggregate that cannot be unpacked yields the whole record (as the processor quarantines it).
 * Without a full position (stream, shard and sequence number) every user record is keyed by
 * `contentKey`, never by a guessed position.
 */
export function replayRecordsOf(stored: StoredKinesisRecord, at: FoundAt): ReplayRecord[] {
  const positioned =
    stored.streamArn !== undefined && stored.shardId !== undefined && stored.sequenceNumber !== undefined;
  // Only the fields userRecordsOf reads; the origin comes from `stored`, not from this event.
  const event = {
    eventSourceARN: stored.streamArn ?? '',
    eventID: `${stored.shardId ?? ''}:${stored.sequenceNumber ?? ''}`,
    kinesis: {
      data: stored.base64Data,
      partitionKey: stored.partitionKey,
      sequenceNumber: stored.sequenceNumber ?? '',
    },
  } as KinesisStreamRecord;
  return userRecordsOf(event).map((user, n) => {
    const base = {
      data: user.data,
      partitionKey: user.partitionKey,
      ...(user.explicitHashKey !== undefined ? { explicitHashKey: user.explicitHashKey } : {}),
      source: at.source,
    };
    if (!positioned) {
      const index = user.subSequenceNumber !== undefined ? `${at.index}/${n}` : String(at.index);
      return { ...base, idempotencyKey: contentKey(at.source, index, base) };
    }
    const origin: RecordOrigin = {
      streamArn: stored.streamArn!,
      shardId: stored.shardId!,
      sequenceNumber: stored.sequenceNumber!,
      ...(user.subSequenceNumber !== undefined ? { subSequenceNumber: user.subSequenceNumber } : {}),
    };
    return { ...base, origin, idempotencyKey: idempotencyKey(origin) };
  });
}

export { isBase64 } from '../quarantine/quarantine-record-check';
