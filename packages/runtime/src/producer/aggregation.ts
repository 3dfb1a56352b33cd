import * as kinesisAgg from 'aws-kinesis-agg';
import type { WireEntry } from './batch-sender';
import { KINESIS_LIMITS } from './limits';
import type { ProducerRecord } from './types';

// aws-kinesis-agg ships RecordAggregator but its typings only declare the callback API.
interface RecordAggregatorApi {
  addUserRecord(record: { partitionKey: string; explicitHashKey?: string; data: Buffer }): void;
  checkIfUserRecordFits(record: { partitionKey: string; explicitHashKey?: string; data: Buffer }): boolean;
  calculateUserRecordSize(record: { partitionKey: string; explicitHashKey?: string; data: Buffer }): number;
  build(): { partitionKey: string; data: Buffer; ExplicitHashKey?: string } | undefined;
  length(): number;
  readonly totalBytes: number;
}

/** Magic number (4 bytes) and MD5 checksum (16 bytes) around the protobuf message. */
const ENVELOPE_BYTES = 20;
const { RecordAggregator } = kinesisAgg as unknown as { RecordAggregator: new () => RecordAggregatorApi };

/**
 * Packs user records into KPL aggregated records with aws-kinesis-agg (the AWS-maintained
 * implementation of the KPL format: magic bytes, protobuf, MD5), up to 1 MiB each. The
 * aggregate takes the partition key of its first record; each user record keeps its own key
 * inside, which consumers see after de-aggregation.
 */
export class KplAggregator {
  private readonly aggregator = new RecordAggregator();
  private records: ProducerRecord[] = [];
  private payloadBytes = 0;
  private headKey?: string;

  /**
   * Whether the record fits in an aggregate at all: a record close to 1 MiB does not (the
   * envelope takes about 20 bytes), and is better sent as it is.
   */
  public fitsAlone(record: ProducerRecord, partitionKey: string, data: Uint8Array): boolean {
    return fits(new RecordAggregator(), partitionKey, toUserRecord(record, partitionKey, data));
  }

  /** Adds a record; returns the finished aggregate when the record did not fit in the current one. */
  public add(record: ProducerRecord, partitionKey: string, data: Uint8Array): WireEntry | undefined {
    const userRecord = toUserRecord(record, partitionKey, data);
    let full: WireEntry | undefined;
    if (this.headKey !== undefined && !fits(this.aggregator, this.headKey, userRecord)) full = this.drain();
    this.aggregator.addUserRecord(userRecord);
    this.records.push(record);
    this.headKey ??= partitionKey;
    this.payloadBytes += data.byteLength;
    return full;
  }

  /** The aggregate of the records added so far, if any; starts a new one. */
  public drain(): WireEntry | undefined {
    if (this.records.length === 0) return undefined;
    const built = this.aggregator.build();
    const records = this.records;
    const payloadBytes = this.payloadBytes;
    this.records = [];
    this.payloadBytes = 0;
    this.headKey = undefined;
    // Cannot happen with records added; if it did, losing them silently would be worse than a throw.
    if (!built) throw new Error(`aws-kinesis-agg built no aggregate for ${records.length} records`);
    return {
      data: new Uint8Array(built.data),
      partitionKey: built.partitionKey,
      explicitHashKey: built.ExplicitHashKey,
      sizeInBytes: built.data.byteLength + Buffer.byteLength(built.partitionKey),
      records,
      payloadBytes,
    };
  }
}

/**
 * The aggregate's own partition key counts against the 1 MiB record limit too, which
 * aws-kinesis-agg's checkIfUserRecordFits leaves out.
 */
function fits(aggregator: RecordAggregatorApi, headKey: string, userRecord: ReturnType<typeof toUserRecord>): boolean {
  const size = aggregator.totalBytes + aggregator.calculateUserRecordSize(userRecord) + ENVELOPE_BYTES;
  return size + Buffer.byteLength(headKey) <= KINESIS_LIMITS.maxRecordSizeInBytes;
}

function toUserRecord(record: ProducerRecord, partitionKey: string, data: Uint8Array) {
  return {
    partitionKey,
    explicitHashKey: record.explicitHashKey,
    data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  };
}
