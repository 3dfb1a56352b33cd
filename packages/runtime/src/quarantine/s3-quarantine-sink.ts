import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_QUARANTINE_PREFIX, quarantineObjectKey } from './quarantine-key';
import type { QuarantineRecord } from './quarantine-record';
import type { QuarantineSink } from './quarantine-sink';

export interface S3QuarantineSinkOptions {
  readonly client: S3Client;
  readonly bucketName: string;
  /** @default 'quarantine/' */
  readonly prefix?: string;
}

/** One JSON object per record, at the key given by `quarantineObjectKey`. */
export class S3QuarantineSink implements QuarantineSink {
  private readonly prefix: string;

  constructor(private readonly options: S3QuarantineSinkOptions) {
    this.prefix = options.prefix ?? DEFAULT_QUARANTINE_PREFIX;
  }

  public async quarantine(record: QuarantineRecord): Promise<void> {
    await this.options.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucketName,
        Key: quarantineObjectKey(record, this.prefix),
        Body: JSON.stringify(record),
        ContentType: 'application/json',
      }),
    );
  }
}
