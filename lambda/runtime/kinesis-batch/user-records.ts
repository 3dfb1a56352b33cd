import type { KinesisStreamRecord } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { DeaggregationError } from './errors';

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

/** A user record before its payload is decoded; `failure` is set when de-aggregation failed. */
export interface RawUserRecord {
  readonly data: Buffer;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
  readonly shardId: string;
  readonly streamArn: string;
  readonly approximateArrivalTimestamp: Date;
  readonly failure?: DeaggregationError;
}

// https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md
const KPL_MAGIC = Buffer.from('f3899ac2', 'hex');

export function isKplAggregated(data: Buffer): boolean {
  return data.length > KPL_MAGIC.length + 16 && data.subarray(0, 4).equals(KPL_MAGIC);
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
export function userRecordsOf(record: KinesisStreamRecord): RawUserRecord[] {
  const kinesis = record.kinesis;
  const data = Buffer.from(kinesis.data ?? '', 'base64');
  const common = {
    sequenceNumber: kinesis.sequenceNumber,
    shardId: shardIdOf(record),
    streamArn: record.eventSourceARN,
    approximateArrivalTimestamp: arrivalTime(kinesis.approximateArrivalTimestamp),
  };
  if (!isKplAggregated(data)) {
    return [{ ...common, data, partitionKey: kinesis.partitionKey }];
  }
  let subRecords: RawUserRecord[];
  try {
    subRecords = deaggregate(data).map((sub, index) => ({
      ...common,
      data: sub.data,
      partitionKey: sub.partitionKey,
      ...(sub.explicitHashKey !== undefined ? { explicitHashKey: sub.explicitHashKey } : {}),
      subSequenceNumber: index,
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [
      {
        ...common,
        data,
        partitionKey: kinesis.partitionKey,
        failure: new DeaggregationError(`KPL-aggregated record cannot be de-aggregated: ${message}`, { cause: error }),
      },
    ];
  }
  return subRecords;
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
