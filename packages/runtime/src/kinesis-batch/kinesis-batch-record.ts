/** One user record as the handler sees it: KPL sub-records are unpacked into records of their own. */
export interface KinesisBatchRecord<T = unknown> {
  /** The payload decoded as asked for (`payloadFormat`): bytes, text or parsed JSON. */
  readonly body: T;
  /** The raw payload bytes of this user record. */
  readonly data: Buffer;
  readonly partitionKey: string;
  /** Set for KPL sub-records that carried an explicit hash key. */
  readonly explicitHashKey?: string;
  readonly sequenceNumber: string;
  /** Set for records that came out of a KPL-aggregated record (0-based position inside it). */
  readonly subSequenceNumber?: number;
  readonly shardId: string;
  /** The event's eventSourceARN (stream ARN, or consumer ARN's stream for EFO). */
  readonly streamArn: string;
  readonly approximateArrivalTimestamp: Date;
}

/** How to decode each payload before the handler sees it. */
export type PayloadFormat = 'bytes' | 'text' | 'json';
