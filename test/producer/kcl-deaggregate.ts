/**
 * What a KCL 2.x/3.x consumer makes of the records of one shard: a re-implementation, for tests,
 * of amazon-kinesis-client AggregatorUtil.deaggregate(records, startingHashKey, endingHashKey)
 * (amazon-kinesis-client/src/main/java/software/amazon/kinesis/retrieval/AggregatorUtil.java,
 * commit 024eb86e2163a3d211cacf21f44f5411b6c41c53):
 * - a record is an aggregate if it starts with the KPL magic and its MD5 tail matches; else it is
 *   passed on whole;
 * - each user record's effective hash key is its explicit hash key, else MD5 of the UTF-8
 *   partition key read as an unsigned integer;
 * - at the FIRST user record outside [startingHashKey, endingHashKey] the user records already
 *   taken from this aggregate are removed again and the rest is skipped: the whole aggregate is
 *   dropped, silently. This is the "potential data loss" of awslabs/kinesis-aggregation
 *   (potential_data_loss.md: "messages which are not destined for the 'assigned' consumer are
 *   dropped silently by the KCL").
 */
import { createHash } from 'node:crypto';
import type { _Record } from '@aws-sdk/client-kinesis';
import { effectiveHashKey } from '../../packages/runtime/src/producer/hash-key';

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
const toIndex = (value: number | Long) => (typeof value === 'number' ? value : value.toNumber());
const MAGIC = Buffer.from('f3899ac2', 'hex');

export interface KclUserRecord {
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly data: Buffer;
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
}

export interface HashRange {
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

export function kclDeaggregate(records: readonly _Record[], range: HashRange): KclUserRecord[] {
  const result: KclUserRecord[] = [];
  for (const record of records) {
    const data = Buffer.from(record.Data!);
    const plain = { partitionKey: record.PartitionKey!, data, sequenceNumber: record.SequenceNumber! };
    const body = data.subarray(MAGIC.length, data.length - 16);
    const isAggregate =
      data.length > MAGIC.length + 16 &&
      data.subarray(0, MAGIC.length).equals(MAGIC) &&
      createHash('md5')
        .update(body)
        .digest()
        .equals(data.subarray(data.length - 16));
    if (!isAggregate) {
      result.push(plain);
      continue;
    }
    let message: ReturnType<typeof kpl.AggregatedRecord.decode>;
    try {
      message = kpl.AggregatedRecord.decode(body);
    } catch {
      result.push(plain); // InvalidProtocolBufferException: passed on as a plain record
      continue;
    }
    const kept: KclUserRecord[] = [];
    let dropped = false;
    for (const [index, sub] of message.records.entries()) {
      const partitionKey = message.partition_key_table[toIndex(sub.partition_key_index)];
      const explicitHashKey = Object.prototype.hasOwnProperty.call(sub, 'explicit_hash_key_index')
        ? message.explicit_hash_key_table[toIndex(sub.explicit_hash_key_index!)]
        : undefined;
      const hash = effectiveHashKey(partitionKey, explicitHashKey);
      if (hash < range.startingHashKey || hash > range.endingHashKey) {
        dropped = true;
        break;
      }
      kept.push({
        partitionKey,
        explicitHashKey,
        data: Buffer.from(sub.data),
        sequenceNumber: record.SequenceNumber!,
        subSequenceNumber: index,
      });
    }
    if (!dropped) result.push(...kept);
  }
  return result;
}
