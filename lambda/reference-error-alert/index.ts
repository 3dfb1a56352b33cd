/**
 * Reference standard consumer: alerts on error lines (HTTP 5xx, Apache error-log errors), at most
 * one SNS message per time window and stream. Records are Apache log lines (text).
 * - Kinesis batches add their error lines to the current window (DynamoDB, shared by every shard);
 * - the schedule (EventBridge, every minute) sends each closed window once.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, ScheduledEvent } from 'aws-lambda';
import { type AlertDependencies, consumeBatch, flushWindows } from './alert-handler';
import { AlertWindowStore } from './window-store';

const sns = new SNSClient({});
const topicArn = process.env.ALERT_TOPIC_ARN;
const deps: AlertDependencies = {
  // Items expire two days after their window (DynamoDB TTL).
  store: new AlertWindowStore(new DynamoDBClient({}), process.env.ALERT_WINDOWS_TABLE ?? '', 2 * 86_400),
  publish: async (alert) => {
    if (topicArn)
      await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: alert.subject, Message: alert.message }));
  },
  windowMs: Number(process.env.ALERT_WINDOW_SECONDS ?? 300) * 1000,
  now: Date.now,
};

export async function handler(
  event: KinesisStreamEvent | ScheduledEvent,
  context?: { getRemainingTimeInMillis(): number },
): Promise<KinesisStreamBatchResponse | void> {
  // Kinesis batches add lines; the schedule's events flush.
  if ('Records' in event) return consumeBatch(event, deps, context);
  await flushWindows(deps, randomUUID());
}
