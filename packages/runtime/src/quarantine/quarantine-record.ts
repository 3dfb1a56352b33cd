/**
 * The shape of one quarantined record: everything needed to understand the failure and to
 * replay the record byte for byte. Written by the batch processor, read by the redrive tool.
 * One JSON document per record; S3 key or SQS message body.
 */
export interface QuarantineRecord {
  /** Format version, so that the redrive tool can read old quarantines. */
  readonly version: 1;
  /** Why the record was quarantined, e.g. 'PoisonRecordError', 'DecodeError', 'ClassifiedPermanent'. */
  readonly reason: string;
  readonly error: { readonly name: string; readonly message: string; readonly stack?: string };
  /** ARN of the source stream (the event's eventSourceARN). */
  readonly streamArn: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Set when the record came out of a KPL-aggregated record. */
  readonly subSequenceNumber?: number;
  readonly partitionKey: string;
  /** Set for de-aggregated records that carried an explicit hash key. */
  readonly explicitHashKey?: string;
  /** ISO-8601 time the record arrived in the stream. */
  readonly approximateArrivalTimestamp: string;
  /** ISO-8601 time it was quarantined. */
  readonly quarantinedAt: string;
  /** The record's payload (the user record after de-aggregation), base64. */
  readonly data: string;
}
