import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { OnFailureDestinationType } from './settings';

/** Why Lambda discarded a batch. */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * The invocation record Lambda sends to a Kinesis mapping's on-failure destination. SQS and SNS
 * get the metadata only; an S3 object also holds the batch as the function received it
 * (`payload`). Shapes as recorded against real AWS (test/fixtures/aws-sample-events).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */
export interface OnFailureDocument {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: DiscardCondition;
    readonly approximateInvokeCount: number;
  };
  /** Absent when the records were discarded before an invocation (record age). */
  readonly responseContext?: {
    readonly statusCode: number;
    readonly executedVersion: string;
    /** Set when the last invocation failed as a whole (error, timeout, invalid response). */
    readonly functionError?: string;
  };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KinesisBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
  /** S3 destinations only: the discarded records as the function received them. */
  readonly payload?: KinesisStreamEvent;
}

/**
 * Receives what Lambda discards, like the mapping's on-failure destination. A rejection is a
 * failed delivery: Lambda then drops the records (`DroppedEventCount`), and so does the simulator.
 */
export type OnFailureSink = (
  document: OnFailureDocument,
  destination: OnFailureDestinationType,
) => Promise<void> | void;

export interface DiscardedBatch {
  readonly records: readonly KinesisStreamRecord[];
  readonly shardId: string;
  readonly condition: DiscardCondition;
  readonly approximateInvokeCount: number;
  /** The last invocation's outcome; undefined when the records were discarded before one. */
  readonly lastInvocation?: 'partial' | 'error';
  readonly requestId: string;
  readonly nowMs: number;
}

const isoOfArrival = (record: KinesisStreamRecord): string =>
  new Date(record.kinesis.approximateArrivalTimestamp * 1000).toISOString();

export function onFailureDocument(
  batch: DiscardedBatch,
  destination: OnFailureDestinationType,
  functionArn: string,
  streamArn: string,
): OnFailureDocument {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  return {
    requestContext: {
      requestId: batch.requestId,
      functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.approximateInvokeCount,
    },
    ...(batch.lastInvocation
      ? {
          responseContext: {
            statusCode: 200,
            executedVersion: '$LATEST',
            ...(batch.lastInvocation === 'error' ? { functionError: 'Unhandled' } : {}),
          },
        }
      : {}),
    version: '1.0',
    timestamp: new Date(batch.nowMs).toISOString(),
    KinesisBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first.kinesis.sequenceNumber,
      endSequenceNumber: last.kinesis.sequenceNumber,
      approximateArrivalOfFirstRecord: isoOfArrival(first),
      approximateArrivalOfLastRecord: isoOfArrival(last),
      batchSize: batch.records.length,
      streamArn,
    },
    ...(destination === 's3' ? { payload: { Records: [...batch.records] } } : {}),
  };
}
