import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { BatchSender, type BatchSenderOptions, type BatchTransport } from './batch-sender';
import { FIREHOSE_LIMITS } from './limits';
import { plainPacker } from './packing';
import { isCallErrorWithoutWrite, isRetryableSdkError, toBytes } from './sdk-errors';
import type { ProducerRecord, ProducerReport } from './types';

export interface FirehoseProducerOptions extends BatchSenderOptions {
  readonly client: FirehoseClient;
  readonly deliveryStreamName: string;
  /**
   * Appended to each record that does not already end with it, so that Firehose's
   * concatenated output stays one record per line. Set to '' to send bytes unchanged.
   * @default '\n'
   */
  readonly recordDelimiter?: string;
}

const THROTTLING_ERRORS = new Set(['ServiceUnavailableException', 'ThrottlingException', 'LimitExceededException']);
const RETRYABLE_ERRORS = new Set([...THROTTLING_ERRORS, 'InternalFailure', 'InternalFailureException']);

/**
 * Puts records straight into a Firehose delivery stream with PutRecordBatch (500 records /
 * 4 MiB per call, 1,000 KiB per record), to test delivery on its own. Same buffering, retry and
 * reporting contract as {@link KinesisProducer}. A delivery stream whose source is a Kinesis
 * stream rejects direct puts.
 */
export class FirehoseProducer {
  private readonly sender: BatchSender;
  private readonly delimiter: Uint8Array;

  constructor(options: FirehoseProducerOptions) {
    this.delimiter = new TextEncoder().encode(options.recordDelimiter ?? '\n');
    const transport: BatchTransport = {
      isRetryableEntryError: (code) => RETRYABLE_ERRORS.has(code),
      isThrottlingError: (code) => THROTTLING_ERRORS.has(code),
      isRetryableCallError: (error) => isRetryableSdkError(error, RETRYABLE_ERRORS),
      isCallErrorWithoutWrite,
      send: async (entries) => {
        const output = await options.client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: options.deliveryStreamName,
            Records: entries.map((entry) => ({ Data: entry.data })),
          }),
        );
        return (output.RequestResponses ?? []).map((r) => ({ errorCode: r.ErrorCode, errorMessage: r.ErrorMessage }));
      },
    };
    this.sender = new BatchSender(
      transport,
      FIREHOSE_LIMITS,
      { pack: plainPacker, maxBufferedItems: FIREHOSE_LIMITS.maxRecordsPerRequest },
      options,
    );
  }

  /** Buffers one record. One over 1,000 KiB (with its delimiter) is reported under `rejected`, not sent. */
  public async put(record: ProducerRecord): Promise<void> {
    const payload = toBytes(record.data);
    const data = this.withDelimiter(payload);
    if (data.byteLength > FIREHOSE_LIMITS.maxRecordSizeInBytes) {
      this.sender.reject(
        record,
        'RecordTooLarge',
        `record size (with the delimiter) must be at most ${FIREHOSE_LIMITS.maxRecordSizeInBytes} bytes. Received ${data.byteLength} bytes`,
      );
      return;
    }
    await this.sender.add({ record, data, sizeInBytes: data.byteLength, payloadBytes: payload.byteLength });
  }

  public async putAll(records: Iterable<ProducerRecord>): Promise<void> {
    for (const record of records) await this.put(record);
  }

  /** What was acknowledged, rejected or given up since the last flush, so far, without waiting (for progress displays). */
  public progress(): ProducerReport {
    return this.sender.peek();
  }

  public async flush(): Promise<ProducerReport> {
    return this.sender.flush();
  }

  private withDelimiter(payload: Uint8Array): Uint8Array {
    const d = this.delimiter;
    if (d.byteLength === 0) return payload;
    const tail = payload.subarray(payload.byteLength - d.byteLength);
    if (payload.byteLength >= d.byteLength && tail.every((b, i) => b === d[i])) return payload;
    const out = new Uint8Array(payload.byteLength + d.byteLength);
    out.set(payload);
    out.set(d, payload.byteLength);
    return out;
  }
}
