import type { KinesisStreamRecord } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { DeaggregationError } from './errors';
import type { KinesisBatchRecord } from './kinesis-batch-record';

// aws-kinesis-agg's KPL protobuf model (the module has no type declarations).
const kpl = require('aws-kinesis-agg/lib/common') as {
  AggregatedRecord: {
    decode(body: Uint8Array): {
      partition_key_table: string[];
      explicit_hash_key_table: string[];
      records: Array<{ partition_key_index: number | Long; explicit_hash_key_index?: number | Long; data: Uint8Array }>;
    };
  };
};
type Long = { toNumber(): number };

const toIndex = (value: number | Long): number => (typeof value === 'number' ? value : value.toNumber());

/**
 * One user record: what the handler receives (`body` is set just before the call). A class
 * with a fixed shape and a lazy arrival Date keeps the per-record cost close to a bare loop.
 */
export class UserRecord<T = unknown> implements KinesisBatchRecord<T> {
  public body: T = undefined as T;
  /** Set when a KPL aggregate could not be unpacked: the record is quarantined whole. */
  public failure: DeaggregationError | undefined = undefined;
  private arrival: Date | undefined = undefined;

  constructor(
    private readonly event: KinesisStreamRecord,
    public readonly data: Buffer,
    public readonly partitionKey: string,
    public readonly explicitHashKey: string | undefined,
    public readonly subSequenceNumber: number | undefined,
  ) {}

  get sequenceNumber(): string {
    return this.event.kinesis.sequenceNumber;
  }

  get streamArn(): string {
    return this.event.eventSourceARN;
  }

  get shardId(): string {
    return shardIdOf(this.event);
  }

  get approximateArrivalTimestamp(): Date {
    this.arrival ??= arrivalTime(this.event.kinesis.approximateArrivalTimestamp);
    return this.arrival;
  }

  /** Plain data, for logs and JSON (getters are not own properties). */
  toJSON(): Record<string, unknown> {
    return {
      partitionKey: this.partitionKey,
      explicitHashKey: this.explicitHashKey,
      sequenceNumber: this.sequenceNumber,
      subSequenceNumber: this.subSequenceNumber,
      shardId: this.shardId,
      streamArn: this.streamArn,
      approximateArrivalTimestamp: this.approximateArrivalTimestamp,
    };
  }
}

// https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md
const KPL_MAGIC = Buffer.from('f3899ac2', 'hex');

export function isKplAggregated(data: Buffer): boolean {
  return (
    data.length > KPL_MAGIC.length + 16 &&
    data[0] === KPL_MAGIC[0] &&
    data[1] === KPL_MAGIC[1] &&
    data[2] === KPL_MAGIC[2] &&
    data[3] === KPL_MAGIC[3]
  );
}

/** Lambda sends seconds with a fraction; some tools send ISO strings. */
export function arrivalTime(value: unknown): Date {
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return new Date(Number(value) * 1000);
  }
  return new Date(typeof value === 'string' ? value : NaN);
}

export function shardIdOf(record: KinesisStreamRecord): string {
  const eventId = record.eventID ?? '';
  const colon = eventId.indexOf(':');
  return colon > 0 ? eventId.slice(0, colon) : eventId;
}

/**
 * The user records of one Kinesis record, in order. A plain record yields itself; a
 * KPL-aggregated one yields its sub-records (md5 checksum verified). A corrupt aggregate yields
 * the whole record with `failure` set, so that it can be quarantined byte for byte.
 */
export function userRecordsOf(record: KinesisStreamRecord): UserRecord[] {
  const records: UserRecord[] = [];
  forEachUserRecord(record, (r) => records.push(r));
  return records;
}

/** Like userRecordsOf, without an array per record (the batch processor's hot path). */
export function forEachUserRecord(record: KinesisStreamRecord, onRecord: (record: UserRecord) => void): void {
  const kinesis = record.kinesis;
  const data = Buffer.from(kinesis.data ?? '', 'base64');
  if (!isKplAggregated(data)) {
    onRecord(new UserRecord(record, data, kinesis.partitionKey, undefined, undefined));
    return;
  }
  let subRecords: KplSubRecord[];
  try {
    subRecords = deaggregate(data);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const whole = new UserRecord(record, data, kinesis.partitionKey, undefined, undefined);
    whole.failure = new DeaggregationError(`KPL-aggregated record cannot be de-aggregated: ${message}`, {
      cause: error,
    });
    onRecord(whole);
    return;
  }
  subRecords.forEach((sub, index) =>
    onRecord(new UserRecord(record, sub.data, sub.partitionKey, sub.explicitHashKey, index)),
  );
}

interface KplSubRecord {
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly data: Buffer;
}

/**
 * Decodes an aggregate with aws-kinesis-agg's protobuf model. We do not call its
 * `deaggregateSync`: it gives sub-records WITHOUT an explicit hash key the first key of the
 * table (protobuf default index 0), which would send redriven records to the wrong shard, and
 * it decodes the base64 payload a second time.
 */
function deaggregate(data: Buffer): KplSubRecord[] {
  const body = data.subarray(KPL_MAGIC.length, data.length - 16);
  const checksum = data.subarray(data.length - 16);
  if (!createHash('md5').update(body).digest().equals(checksum)) throw new Error('invalid record checksum');
  const message = kpl.AggregatedRecord.decode(body);
  return message.records.map((item) => {
    const partitionKey = message.partition_key_table[toIndex(item.partition_key_index)];
    if (partitionKey === undefined) throw new Error('partition key index out of range');
    const hasHashKey = Object.prototype.hasOwnProperty.call(item, 'explicit_hash_key_index');
    const explicitHashKey = hasHashKey
      ? message.explicit_hash_key_table[toIndex(item.explicit_hash_key_index ?? 0)]
      : undefined;
    return {
      partitionKey,
      ...(explicitHashKey !== undefined ? { explicitHashKey } : {}),
      data: Buffer.from(item.data),
    };
  });
}
