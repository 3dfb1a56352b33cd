import { createHash } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { quarantineObjectKey } from './quarantine-key';
import type { QuarantineRecord } from './quarantine-record';
import type { QuarantineSink } from './quarantine-sink';
import { encodeQuarantineMessage } from './sqs-message-codec';

export interface SqsQuarantineSinkOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/**
 * One SQS message per record (body = the QuarantineRecord JSON, with the characters SQS does not
 * accept escaped: `encodeQuarantineMessage`; read it back with `decodeQuarantineMessage`). SQS
 * messages are limited in size (1 MiB), so large records fail to quarantine and are retried:
 * prefer the S3 sink for large payloads. FIFO queues get the partition key as group (hashed when
 * it is not a valid group id) and a stable deduplication id.
 */
export class SqsQuarantineSink implements QuarantineSink {
  private readonly fifo: boolean;

  constructor(private readonly options: SqsQuarantineSinkOptions) {
    this.fifo = options.queueUrl.endsWith('.fifo');
  }

  public async quarantine(record: QuarantineRecord): Promise<void> {
    const fifo = this.fifo
      ? {
          MessageGroupId: messageGroupIdOf(record.partitionKey),
          MessageDeduplicationId: sha256Hex(quarantineObjectKey(record, '')),
        }
      : {};
    await this.options.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        MessageBody: encodeQuarantineMessage(record),
        ...fifo,
      }),
    );
  }
}

/**
 * SQS group ids are 1 to 128 printable ASCII characters; partition keys are up to 256 Unicode
 * characters. A key that is not a valid group id is hashed (records of one key still share a
 * group): sent as it is, SQS would refuse every quarantine of that key and the record would
 * block its shard.
 */
function messageGroupIdOf(partitionKey: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(partitionKey) ? partitionKey : sha256Hex(partitionKey);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
