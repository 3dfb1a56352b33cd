import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { KplAggregator } from './aggregation';
import { BatchSender, type BatchSenderOptions, type BatchTransport, type WireEntry } from './batch-sender';
import { KINESIS_LIMITS } from './limits';
import { PartitionKey, validatePartitionKey, type PartitionKeyStrategy } from './partition-key';
import type { EntryOutcome, ProducerRecord, ProducerReport } from './types';

export interface KinesisProducerOptions extends BatchSenderOptions {
  readonly client: KinesisClient;
  /** Name of the target stream. Give this or `streamArn`. @default - streamArn is used */
  readonly streamName?: string;
  /** ARN of the target stream (needed for cross-account puts). @default - streamName is used */
  readonly streamArn?: string;
  /** Partition key of records put without one. @default PartitionKey.random() */
  readonly partitionKey?: PartitionKeyStrategy;
  /**
   * Pack small user records into KPL aggregated records (aws-kinesis-agg). Consumers must
   * de-aggregate (the KCL, the Lambda toolkit of this library and aws-kinesis-agg do).
   * @default false
   */
  readonly aggregate?: boolean;
}

const encoder = new TextEncoder();

/**
 * Per-entry codes PutRecords reports for a retryable failure. The API documents the first two;
 * KMS throttling is retried too should it ever come back per entry rather than per call.
 */
const RETRYABLE_ENTRY_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'KMSThrottlingException',
]);
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'KMSThrottlingException',
  'LimitExceededException',
  'ThrottlingException',
]);
/** Whole-call failures worth a retry: throttling (stream or KMS key) and transient service faults. */
const RETRYABLE_CALL_ERRORS = new Set([
  ...THROTTLING_ERRORS,
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
]);

export const kinesisTransportErrors = {
  isRetryableEntryError: (code: string) => RETRYABLE_ENTRY_ERRORS.has(code),
  isThrottlingError: (code: string) => THROTTLING_ERRORS.has(code),
  isRetryableCallError: (error: unknown) => isRetryableSdkError(error, RETRYABLE_CALL_ERRORS),
};

/**
 * Puts records into a Kinesis data stream with PutRecords: buffers up to 500 records / 5 MiB per
 * call, retries only the entries that failed with throughput or transient errors (full-jitter
 * exponential backoff, bounded in attempts and time) and reports what could not be sent.
 *
 * ```ts
 * const producer = new KinesisProducer({ client, streamName, partitionKey: PartitionKey.field('userId') });
 * for (const event of events) await producer.put({ data: JSON.stringify(event) });
 * const report = await producer.flush();
 * if (report.unsent.length > 0) throw new Error(`${report.unsent.length} records not sent`);
 * ```
 */
export class KinesisProducer {
  private readonly sender: BatchSender;
  private readonly partitionKey: PartitionKeyStrategy;
  private readonly aggregator?: KplAggregator;
  private index = 0;

  constructor(options: KinesisProducerOptions) {
    if (!options.streamName && !options.streamArn) {
      throw new Error('KinesisProducer needs streamName or streamArn. Received neither');
    }
    this.partitionKey = options.partitionKey ?? PartitionKey.random();
    this.aggregator = options.aggregate ? new KplAggregator() : undefined;
    const transport: BatchTransport = {
      ...kinesisTransportErrors,
      send: async (entries: WireEntry[]): Promise<EntryOutcome[]> => {
        const output = await options.client.send(
          new PutRecordsCommand({
            StreamName: options.streamName,
            StreamARN: options.streamArn,
            Records: entries.map((entry) => ({
              Data: entry.data,
              PartitionKey: entry.partitionKey,
              ExplicitHashKey: entry.explicitHashKey,
            })),
          }),
        );
        return (output.Records ?? []).map((r) => ({ errorCode: r.ErrorCode, errorMessage: r.ErrorMessage }));
      },
    };
    this.sender = new BatchSender(transport, KINESIS_LIMITS, options);
  }

  /**
   * Buffers one record; sends a batch when it is full. Awaiting it applies back-pressure.
   * @throws Error when the record exceeds 1 MiB (data plus partition key) or its partition key is invalid
   */
  public async put(record: ProducerRecord): Promise<void> {
    const data = toBytes(record.data);
    const partitionKey = record.partitionKey ?? this.partitionKey.keyFor(data, this.index);
    this.index++;
    validatePartitionKey(partitionKey);
    const size = data.byteLength + Buffer.byteLength(partitionKey);
    if (size > KINESIS_LIMITS.maxRecordSizeInBytes) {
      throw new RecordTooLargeError(size, KINESIS_LIMITS.maxRecordSizeInBytes);
    }
    if (this.aggregator) {
      // An aggregate goes to the shard of its first record. A record routed by its own explicit
      // hash key would lose that routing inside one, so it is sent plain, like a record too big
      // for the KPL envelope: after the aggregate before it.
      if (record.explicitHashKey === undefined && this.aggregator.fitsAlone(record, partitionKey, data)) {
        const full = this.aggregator.add(record, partitionKey, data);
        if (full) await this.sender.add(full);
        return;
      }
      const before = this.aggregator.drain();
      if (before) await this.sender.add(before);
    }
    await this.sender.add({
      data,
      partitionKey,
      explicitHashKey: record.explicitHashKey,
      sizeInBytes: size,
      records: [record],
      payloadBytes: data.byteLength,
    });
  }

  /** Puts many records in order. */
  public async putAll(records: Iterable<ProducerRecord>): Promise<void> {
    for (const record of records) await this.put(record);
  }

  /** What was sent since the last flush, so far, without waiting (for progress displays). */
  public progress(): ProducerReport {
    return this.sender.peek();
  }

  /** Sends everything buffered, waits for calls in flight and returns the report since the last flush. */
  public async flush(): Promise<ProducerReport> {
    const last = this.aggregator?.drain();
    if (last) await this.sender.add(last);
    return this.sender.flush();
  }
}

/** A record too large for the target service; nothing was sent. */
export class RecordTooLargeError extends Error {
  constructor(
    public readonly sizeInBytes: number,
    public readonly maxSizeInBytes: number,
  ) {
    super(`record size must be at most ${maxSizeInBytes} bytes. Received ${sizeInBytes} bytes`);
    this.name = 'RecordTooLargeError';
  }
}

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** Throttling, 5xx, network and SDK-marked retryable errors are retryable; access, validation and not-found errors are not. */
export function isRetryableSdkError(error: unknown, retryableNames: ReadonlySet<string>): boolean {
  if (!(error instanceof Error)) return false;
  const sdk = error as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string };
  if (retryableNames.has(error.name)) return true;
  if (sdk.$retryable) return true;
  const status = sdk.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  // No HTTP response at all: a network error (ECONNRESET, socket timeout).
  return typeof sdk.code === 'string' && /^E[A-Z]+/.test(sdk.code);
}
