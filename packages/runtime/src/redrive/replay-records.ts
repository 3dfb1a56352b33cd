import type { KinesisStreamRecord } from 'aws-lambda';
import { userRecordsOf } from '../kinesis-batch/user-records';
import { idempotencyKey } from './idempotency-key';
import type { RecordOrigin, ReplayRecord } from './types';

/** A Kinesis record as stored in the stream: where it is, and its bytes. */
export interface StoredKinesisRecord {
  readonly streamArn: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  /** The record's data, base64 (as in a Lambda event). */
  readonly base64Data: string;
}

/**
 * The user records of one Kinesis record (from an S3 on-failure payload or read back from the
 * stream), de-aggregated exactly as the batch processor does (the toolkit's `userRecordsOf`):
 * a plain record yields itself, keyed `<stream>/<shard>/<sequence>`; a KPL aggregate yields
 * its sub-records, each with its own partition key and explicit hash key, keyed
 * `<stream>/<shard>/<sequence>/<sub>` like the quarantine records of those sub-records; an
 * aggregate that cannot be unpacked yields the whole record (as the processor quarantines it).
 */
export function replayRecordsOf(stored: StoredKinesisRecord): ReplayRecord[] {
  // Only the fields userRecordsOf reads; the origin comes from `stored`, not from this event.
  const event = {
    eventSourceARN: stored.streamArn,
    eventID: `${stored.shardId}:${stored.sequenceNumber}`,
    kinesis: { data: stored.base64Data, partitionKey: stored.partitionKey, sequenceNumber: stored.sequenceNumber },
  } as KinesisStreamRecord;
  return userRecordsOf(event).map((user) => {
    const origin: RecordOrigin = {
      streamArn: stored.streamArn,
      shardId: stored.shardId,
      sequenceNumber: stored.sequenceNumber,
      ...(user.subSequenceNumber !== undefined ? { subSequenceNumber: user.subSequenceNumber } : {}),
    };
    return {
      data: user.data,
      partitionKey: user.partitionKey,
      ...(user.explicitHashKey !== undefined ? { explicitHashKey: user.explicitHashKey } : {}),
      origin,
      idempotencyKey: idempotencyKey(origin),
    };
  });
}
