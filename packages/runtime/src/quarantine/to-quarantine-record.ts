import type { KinesisBatchRecord } from '../kinesis-batch/kinesis-batch-record';
import type { QuarantineRecord } from './quarantine-record';

/** What the batch processor knows about a record it gives up on: the record without its decoded body. */
export type QuarantineInput = Omit<KinesisBatchRecord, 'body'>;

function isoOrUnknown(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'unknown' : date.toISOString();
}

/** Builds the JSON document kept for one quarantined record; `data` is the exact payload, base64. */
export function toQuarantineRecord(
  record: QuarantineInput,
  reason: string,
  error: unknown,
  now: Date = new Date(),
): QuarantineRecord {
  const err =
    error instanceof Error
      ? { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) }
      : { name: 'NonError', message: String(error) };
  return {
    version: 1,
    reason,
    error: err,
    streamArn: record.streamArn,
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    ...(record.subSequenceNumber !== undefined ? { subSequenceNumber: record.subSequenceNumber } : {}),
    partitionKey: record.partitionKey,
    ...(record.explicitHashKey !== undefined ? { explicitHashKey: record.explicitHashKey } : {}),
    approximateArrivalTimestamp: isoOrUnknown(record.approximateArrivalTimestamp),
    quarantinedAt: now.toISOString(),
    data: record.data.toString('base64'),
  };
}
