import { createHash } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { quarantineObjectKey } from './quarantine-key';
import type { QuarantineRecord } from './quarantine-record';
import type { QuarantineSink } from './quarantine-sink';

export interface SqsQuarantineSinkOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/**
 * One SQS message per record (body = the QuarantineRecord JSON). SQS messages are limited in
 * size (1 MiB), so large records fail to quarantine and are retried: prefer the S3 sink for
 * large payloads. FIFO queues get the partition key as group and a stable deduplication id.
 */
export class SqsQuarantineSink implements QuarantineSink {
  private readonly fifo: boolean;

  constructor(private readonly options: SqsQuarantineSinkOptions) {
    this.fifo = options.queueUrl.endsWith('.fifo');
  }

  public async quarantine(record: QuarantineRecord): Promise<void> {
    const fifo = this.fifo
      ? {
          MessageGroupId: record.partitionKey || 'default',
          MessageDeduplicationId: createHash('sha256').update(quarantineObjectKey(record, '')).digest('hex'),
        }
      : {};
    await this.options.client.send(
      new SendMessageCommand({ QueueUrl: this.options.queueUrl, MessageBody: JSON.stringify(record), ...fifo }),
    );
  }
}
