import type { QuarantineRecord } from './quarantine-record';

/** What the batch processor knows about a record it gives up on. */
export interface QuarantineInput {
  readonly data: Buffer;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
  readonly shardId: string;
  readonly streamArn: string;
  readonly approximateArrivalTimestamp: Date;
}

function isoOrRaw(date: Date): string {
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
    approximateArrivalTimestamp: isoOrRaw(record.approximateArrivalTimestamp),
    quarantinedAt: now.toISOString(),
    data: record.data.toString('base64'),
  };
}
