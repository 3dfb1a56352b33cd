import { createHash } from 'node:crypto';
import { MAX_HASH_KEY } from './limits';

/**
 * The 128-bit hash key Kinesis routes a partition key by: MD5 of its UTF-8 bytes, read as an
 * unsigned big-endian integer (PutRecordsRequestEntry: "an MD5 hash function is used to map
 * partition keys to 128-bit integer values"; the KCL computes the same in AggregatorUtil
 * `effectiveHashKey`: `new BigInteger(1, md5(partitionKey.getBytes("UTF-8")))`).
 */
export function partitionKeyHash(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/** The hash key a record is routed by: its explicit hash key if it has one, else its partition key's. */
export function effectiveHashKey(partitionKey: string, explicitHashKey: string | undefined): bigint {
  return explicitHashKey !== undefined ? BigInt(explicitHashKey) : partitionKeyHash(partitionKey);
}

/** API pattern of ExplicitHashKey: `0|([1-9]\d{0,38})` (PutRecordsRequestEntry). */
const HASH_KEY_PATTERN = /^(0|[1-9]\d{0,38})$/;

/** Whether the text is an explicit hash key Kinesis accepts: a decimal without sign or leading zeros in 0..2^128−1. */
export function isValidHashKey(text: string): boolean {
  return HASH_KEY_PATTERN.test(text) && BigInt(text) <= MAX_HASH_KEY;
}
