/** The Firehose data-transformation event (Kinesis stream source or Direct PUT). */
export interface FirehoseTransformationEvent {
  readonly invocationId: string;
  readonly deliveryStreamArn?: string;
  readonly sourceKinesisStreamArn?: string;
  readonly region?: string;
  readonly records: readonly FirehoseInputRecord[];
}

export interface FirehoseInputRecord {
  readonly recordId: string;
  /** The source record, base64. */
  readonly data: string;
  readonly approximateArrivalTimestamp?: number;
  readonly kinesisRecordMetadata?: {
    readonly shardId?: string;
    readonly partitionKey?: string;
    readonly approximateArrivalTimestamp?: number;
    readonly sequenceNumber?: string;
    readonly subsequenceNumber?: number | string;
  };
}

export type FirehoseRecordResult = 'Ok' | 'Dropped' | 'ProcessingFailed';

export interface FirehoseOutputRecord {
  readonly recordId: string;
  readonly result: FirehoseRecordResult;
  /** The transformed data, base64 (the source data for ProcessingFailed). */
  readonly data: string;
  /** Keys for `!{partitionKeyFromLambda:key}` when dynamic partitioning is on. */
  readonly metadata?: { readonly partitionKeys: Record<string, string> };
}

export interface FirehoseTransformationResponse {
  readonly records: FirehoseOutputRecord[];
}

/** One output row: keys are column names. */
export type Row = Record<string, unknown>;
