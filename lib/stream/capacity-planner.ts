/**
 * The capacity planner: how many shards a provisioned stream needs for a given traffic, for
 * writes (ingress) and for reads (egress), from the per-shard limits of Kinesis Data Streams.
 * @see https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 */
import { KINESIS_LIMITS } from '../private/kinesis-limits';
import { type NumberRange, checkNumber, requireLiteralNumber } from '../private/validation';

const SHARD_WRITE_BYTES_PER_SECOND = KINESIS_LIMITS.shardWriteBytesPerSecond;
const SHARD_WRITE_RECORDS_PER_SECOND = KINESIS_LIMITS.shardWriteRecordsPerSecond;
const SHARD_READ_BYTES_PER_SECOND = KINESIS_LIMITS.shardReadBytesPerSecond;

export interface ShardCapacityInput {
  /** Records written per second at the expected peak. */
  readonly recordsPerSecond: number;
  /** Average size of one record in bytes (data plus partition key). */
  readonly averageRecordSizeBytes: number;
  /**
   * Consumers that poll with GetRecords (Lambda event source mappings without EFO, KCL 1.x, ...):
   * they share the 2 MiB/s and 5 GetRecords calls per second of each shard.
   * @default 1
   */
  readonly standardConsumers?: number;
  /**
   * Enhanced fan-out consumers: each gets its own 2 MiB/s per shard (at most 20 per stream).
   * @default 0
   */
  readonly efoConsumers?: number;
  /**
   * The fraction of the shard limits to plan for, in (0, 1]: headroom for bursts.
   * @default 0.8
   */
  readonly targetUtilization?: number;
}

export interface ShardCapacityPlan {
  /** Incoming bytes per second (recordsPerSecond × averageRecordSizeBytes). */
  readonly ingressBytesPerSecond: number;
  /** Shards for the writes: the larger of the byte and the record need, at targetUtilization. */
  readonly ingressShards: number;
  /** Shards for the reads of all consumers at targetUtilization (0 without consumers). */
  readonly egressShards: number;
  /** What the stream needs: max(ingressShards, egressShards, 1). */
  readonly totalShards: number;
  /** Which need decides totalShards. */
  readonly boundBy: string;
  /** Advice, e.g. to use enhanced fan-out when more than two standard consumers share the stream. */
  readonly warnings: string[];
}

/** A planner input: a literal number (the plan is computed at synth time) within `range`. */
function checkInput(prop: string, value: number, range: NumberRange): void {
  requireLiteralNumber(prop, value, 'the capacity planner computes the shard count at synth time');
  checkNumber(prop, value, range);
}

/** The capacity planner (a class with a static method: jsii has no free functions). */
export class ShardCapacityPlanner {
  /** Plans the shards of a provisioned stream for `input`. Pure; throws on invalid input. */
  public static plan(input: ShardCapacityInput): ShardCapacityPlan {
    return planShardCapacity(input);
  }

  private constructor() {}
}

function planShardCapacity(input: ShardCapacityInput): ShardCapacityPlan {
  const standardConsumers = input.standardConsumers ?? 1;
  const efoConsumers = input.efoConsumers ?? 0;
  const targetUtilization = input.targetUtilization ?? 0.8;
  checkInput('recordsPerSecond', input.recordsPerSecond, { min: 0 });
  // A record is at most 1 MiB (data plus partition key).
  checkInput('averageRecordSizeBytes', input.averageRecordSizeBytes, {
    min: 0,
    max: SHARD_WRITE_BYTES_PER_SECOND,
    unit: 'bytes (1 MiB, the largest record)',
  });
  checkInput('standardConsumers', standardConsumers, { min: 0, max: 1000, integer: true });
  checkInput('efoConsumers', efoConsumers, { min: 0, max: KINESIS_LIMITS.maxEfoConsumersPerStream, integer: true });
  checkInput('targetUtilization', targetUtilization, { min: 0, minExclusive: true, max: 1 });

  const bytesPerSecond = input.recordsPerSecond * input.averageRecordSizeBytes;
  // Round away float noise (e.g. 10.000000001) before the ceiling.
  const shards = (need: number) => Math.ceil(Number((need / targetUtilization).toFixed(9)));
  const byBytes = shards(bytesPerSecond / SHARD_WRITE_BYTES_PER_SECOND);
  const byRecords = shards(input.recordsPerSecond / SHARD_WRITE_RECORDS_PER_SECOND);
  const ingressShards = Math.max(byBytes, byRecords);
  // Standard consumers share each shard's read limit; each EFO consumer has its own.
  const standardEgress = shards((bytesPerSecond * standardConsumers) / SHARD_READ_BYTES_PER_SECOND);
  const efoEgress = efoConsumers > 0 ? shards(bytesPerSecond / SHARD_READ_BYTES_PER_SECOND) : 0;
  const egressShards = Math.max(standardEgress, efoEgress);
  const totalShards = Math.max(1, ingressShards, egressShards);

  const warnings: string[] = [];
  if (standardConsumers > 2) {
    warnings.push(
      `${standardConsumers} standard consumers share each shard's 2 MiB/s and 5 GetRecords calls per second: reads will be throttled and delayed. Use enhanced fan-out for all but one or two of them (efoConsumers).`,
    );
  }
  if (standardEgress > ingressShards) {
    warnings.push(
      `Reads need ${standardEgress} shards but writes only ${ingressShards}: with enhanced fan-out the stream would need ${Math.max(1, ingressShards, shards(bytesPerSecond / SHARD_READ_BYTES_PER_SECOND))}.`,
    );
  }
  const boundBy =
    totalShards === 1 && ingressShards <= 1 && egressShards <= 1
      ? 'minimum of one shard'
      : egressShards > ingressShards
        ? 'egress (consumer reads)'
        : byBytes >= byRecords
          ? 'ingress bytes'
          : 'ingress records';
  return { ingressBytesPerSecond: bytesPerSecond, ingressShards, egressShards, totalShards, boundBy, warnings };
}
