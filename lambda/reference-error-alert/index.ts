/**
 * Reference standard consumer: alerts on error lines (HTTP 5xx, Apache error-log errors) with
 * one SNS message per batch. Records are Apache log lines (text).
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { processKinesisBatch, batchLogger } from 'cdk-kinesis-pipeline-runtime';
import { buildAlert, classifyLogLine, type ErrorLine, logLinesOf } from './error-lines';

const sns = new SNSClient({});
const topicArn = process.env.ALERT_TOPIC_ARN;

export async function handler(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  const errors: ErrorLine[] = [];
  const response = await processKinesisBatch<string>(
    event,
    (record) => {
      for (const line of logLinesOf(record.body)) {
        const error = classifyLogLine(line);
        if (error) errors.push(error);
      }
    },
    { payloadFormat: 'text' },
  );
  const alert = buildAlert(errors, event.Records[0]?.eventSourceARN ?? 'the stream');
  if (alert) {
    batchLogger().warn('error lines found', { count: errors.length, subject: alert.subject });
    // A failed publish throws: Lambda retries the batch, so the alert is sent at least once.
    if (topicArn)
      await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: alert.subject, Message: alert.message }));
  }
  return response;
}
