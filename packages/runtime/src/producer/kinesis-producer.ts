import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { DEFAULT_MAX_AGGREGATE_SIZE_IN_BYTES } from './aggregation';
import { BatchSender, type BatchHooks, type BatchSenderOptions, type BatchTransport } from './batch-sender';
import { effectiveHashKey } from './hash-key';
import { KINESIS_LIMITS } from './limits';
import { aggregatingPacker, plainPacker } from './packing';
import { PartitionKey, type PartitionKeyStrategy } from './partition-key';
import { isCallErrorWithoutWrite, isRetryableSdkError, toBytes } from './sdk-errors';
import { listAllShards, ShardMap } from './shard-map';
import type { EntryOutcome, ProducerRecord, ProducerReport } from './types';
import { kinesisRecordProblem } from './validation';
import type { QueuedItem, WireEntry } from './wire';

export interface KinesisProducerOptions extends BatchSenderOptions {
  readonly client: KinesisClient;
  /** Name of the target stream. Give this or `streamArn`. @default - streamArn is used */
  readonly streamName?: string;
  /** ARN of the target stream (needed for cross-account puts). @default - streamName is used */
  readonly streamArn?: string;
  /** Partition key of records put without one. @default PartitionKey.random() */
  readonly partitionKey?: PartitionKeyStrategy;
  /**
   * Pack small user records of the same shard into KPL aggregated records, routed into that
   * shard by an explicit hash key, so that the KCL, Lambda and aws-kinesis-agg all read every
   * record. Needs `kinesis:ListShards` (granted by `stream.grantWrite`).
   * @default false
   */
  readonly aggregate?: boolean;
  /**
   * Upper bound of one aggregate in bytes, its partition key included (KPL AggregationMaxSize).
   * @default 51200
   */
  readonly maxAggregateSizeInBytes?: number;
  /** With `aggregate`: reload the shard map at least this often. @default 60000 */
  readonly shardMapRefreshIntervalInMillis?: number;
}

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
  isCallErrorWithoutWrite,
};

/** Records buffered before an aggregating producer sends a call (a plain one sends at 500). */
const MAX_BUFFERED_AGGREGATED_RECORDS = 10_000;

/**
 * Puts records into a Kinesis data stream with PutRecords: buffers up to 500 records / 5 MiB per
 * call (or `maxBufferedTimeInMillis`), retries only the entries that failed with throughput or
 * transient errors (full-jitter exponential backoff, bounded in attempts and time) and reports
 * every record that was not acknowledged: rejected, failed or unknown.
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
  private readonly aggregate: boolean;
  /** With aggregation: the stream's shards, to aggregate records of one shard only. */
  public readonly shardMap?: ShardMap;
  private index = 0;

  constructor(options: KinesisProducerOptions) {
    if (!options.streamName && !options.streamArn) {
      throw new Error('KinesisProducer needs streamName or streamArn. Received neither');
    }
    const maxAggregate = options.maxAggregateSizeInBytes ?? DEFAULT_MAX_AGGREGATE_SIZE_IN_BYTES;
    if (!Number.isInteger(maxAggregate) || maxAggregate < 64 || maxAggregate > KINESIS_LIMITS.maxRecordSizeInBytes) {
      throw new Error(
        `maxAggregateSizeInBytes must be an integer from 64 to ${KINESIS_LIMITS.maxRecordSizeInBytes}. Received ${maxAggregate}`,
      );
    }
    this.partitionKey = options.partitionKey ?? PartitionKey.random();
    this.aggregate = options.aggregate === true;
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
        return (output.Records ?? []).map((r) => ({
          errorCode: r.ErrorCode,
          errorMessage: r.ErrorMessage,
          shardId: r.ShardId,
        }));
      },
    };
    let hooks: BatchHooks = { pack: plainPacker, maxBufferedItems: KINESIS_LIMITS.maxRecordsPerRequest };
    if (this.aggregate) {
      const shardMap = new ShardMap(listAllShards(options.client, options), {
        refreshIntervalInMillis: options.shardMapRefreshIntervalInMillis,
        now: options.now,
      });
      this.shardMap = shardMap;
      hooks = {
        pack: aggregatingPacker({
          shardFor: (hashKey) => {
            const shard = shardMap.shardFor(hashKey);
            // A loaded map without a shard for a hash key is out of date (a reshard under way).
            if (!shard && shardMap.loaded) shardMap.invalidate(Infinity);
            return shard;
          },
          maxAggregateSizeInBytes: maxAggregate,
        }),
        maxBufferedItems: MAX_BUFFERED_AGGREGATED_RECORDS,
        beforePack: () => shardMap.refreshIfDue(),
        afterAccepted: (entry, outcome, sentAt) => misroutedItems(shardMap, entry, outcome, sentAt),
      };
    }
    this.sender = new BatchSender(transport, KINESIS_LIMITS, hooks, options);
  }

  /**
   * Buffers one record; sends a call when one is full or the oldest record has waited
   * `maxBufferedTimeInMillis`. Awaiting it applies back-pressure. A record Kinesis would refuse
   * (partition key empty, over 256 UTF-16 code units or not well-formed; explicit hash key not a
   * decimal in 0..2^128−1; data plus UTF-8 key over 1 MiB) is not sent: the report lists it
   * under `rejected` with the reason, and the other records go on.
   */
  public async put(record: ProducerRecord): Promise<void> {
    const data = toBytes(record.data);
    const partitionKey = record.partitionKey ?? this.partitionKey.keyFor(data, this.index);
    this.index++;
    const problem = kinesisRecordProblem(partitionKey, record.explicitHashKey, data.byteLength);
    if (problem) {
      this.sender.reject(record, problem.code, problem.message);
      return;
    }
    const item: QueuedItem = {
      record,
      data,
      partitionKey,
      explicitHashKey: record.explicitHashKey,
      hashKey: this.aggregate ? effectiveHashKey(partitionKey, record.explicitHashKey) : undefined,
      sizeInBytes: data.byteLength + Buffer.byteLength(partitionKey, 'utf8'),
      payloadBytes: data.byteLength,
    };
    await this.sender.add(item);
  }

  /** Puts many records in order. */
  public async putAll(records: Iterable<ProducerRecord>): Promise<void> {
    for (const record of records) await this.put(record);
  }

  /** What was acknowledged, rejected or given up since the last flush, so far, without waiting (for progress displays). */
  public progress(): ProducerReport {
    return this.sender.peek();
  }

  /** Sends everything buffered, waits for calls in flight and returns the report since the last flush. */
  public async flush(): Promise<ProducerReport> {
    return this.sender.flush();
  }
}

/**
 * The user records of an accepted aggregate that consumers using the KCL would not read: when
 * it landed on another shard than the one it was built for (a reshard since the map was
 * loaded), the KCL drops the WHOLE aggregate as soon as one user record's hash key lies outside
 * that shard's range (amazon-kinesis-client AggregatorUtil.deaggregate removes the records of
 * the aggregate it already kept and stops). Then all its records are sent again (Lambda and
 * aws-kinesis-agg consumers, which do not drop, see them twice). A plain record is read by every
 * consumer wherever it lands; its misrouting only marks the map stale.
 */
async function misroutedItems(
  shardMap: ShardMap,
  entry: WireEntry,
  outcome: EntryOutcome,
  sentAt: number,
): Promise<readonly QueuedItem[]> {
  const predicted = entry.predictedShardId;
  if (predicted === undefined || outcome.shardId === undefined || outcome.shardId === predicted) return [];
  shardMap.invalidate(sentAt);
  if (!entry.aggregated) return [];
  await shardMap.refreshIfDue();
  const actual = shardMap.rangeOf(outcome.shardId);
  const readable =
    actual !== undefined &&
    entry.items.every((item) => item.hashKey! >= actual.startingHashKey && item.hashKey! <= actual.endingHashKey);
  return readable ? [] : entry.items;
}
