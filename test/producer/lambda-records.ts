/** Kinesis records as Lambda delivers them, to read them back with the runtime's userRecordsOf. */
import type { _Record } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';

export function asLambdaRecord(
  record: _Record,
  shardId: string,
  streamArn = 'arn:aws:kinesis:us-east-1:111111111111:stream/s',
): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey!,
      sequenceNumber: record.SequenceNumber!,
      data: Buffer.from(record.Data!).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${record.SequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::111111111111:role/consumer',
    awsRegion: 'us-east-1',
    eventSourceARN: streamArn,
  };
}
