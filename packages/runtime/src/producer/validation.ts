import { isValidHashKey } from './hash-key';
import { KINESIS_LIMITS } from './limits';

/** Why a record cannot be sent at all; it is reported as rejected, never sent. */
export interface RecordProblem {
  /** InvalidPartitionKey, InvalidExplicitHashKey or RecordTooLarge. */
  readonly code: string;
  readonly message: string;
}

const LONE_SURROGATE = /\p{Surrogate}/u;

/** The problem of a partition key, if any: empty, longer than 256 UTF-16 code units, or not encodable as UTF-8. */
export function partitionKeyProblem(key: string): RecordProblem | undefined {
  if (key.length < 1 || key.length > KINESIS_LIMITS.maxPartitionKeyLength) {
    return {
      code: 'InvalidPartitionKey',
      message: `partitionKey must be 1 to ${KINESIS_LIMITS.maxPartitionKeyLength} UTF-16 code units long. Received ${key.length}`,
    };
  }
  // A lone surrogate has no UTF-8 form: the SDK would send U+FFFD instead, a different key on another shard.
  if (LONE_SURROGATE.test(key)) {
    return {
      code: 'InvalidPartitionKey',
      message: 'partitionKey must be well-formed Unicode. Received a lone surrogate',
    };
  }
  return undefined;
}

/**
 * Checks one Kinesis record before it is buffered, so that a record the service would refuse
 * (which makes PutRecords fail the whole call of up to 500 records) is reported on its own.
 * @param dataBytes size of the data in bytes
 */
export function kinesisRecordProblem(
  partitionKey: string,
  explicitHashKey: string | undefined,
  dataBytes: number,
): RecordProblem | undefined {
  const keyProblem = partitionKeyProblem(partitionKey);
  if (keyProblem) return keyProblem;
  if (explicitHashKey !== undefined && !isValidHashKey(explicitHashKey)) {
    return {
      code: 'InvalidExplicitHashKey',
      message: `explicitHashKey must be a decimal integer from 0 to 2^128-1 without sign or leading zeros. Received '${explicitHashKey.slice(0, 60)}'`,
    };
  }
  const size = dataBytes + Buffer.byteLength(partitionKey, 'utf8');
  if (size > KINESIS_LIMITS.maxRecordSizeInBytes) {
    return {
      code: 'RecordTooLarge',
      message: `record size (data plus UTF-8 partition key) must be at most ${KINESIS_LIMITS.maxRecordSizeInBytes} bytes. Received ${size} bytes`,
    };
  }
  return undefined;
}
