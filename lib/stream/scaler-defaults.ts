/** Defaults of the ShardAutoScaler; the handler's DEFAULT_SCALER_CONFIG has the same numbers. */
export const SHARD_AUTO_SCALER_DEFAULTS = {
  minShards: 1,
  maxShards: 100,
  targetUtilization: 0.85,
  scaleUpUtilization: 0.95,
  reservedScaleUpCalls: 3,
  scaleDownWindowMinutes: 20,
  scaleDownCooldownMinutes: 15,
  maxCallsPer24Hours: 10,
} as const;

/** Namespace of the metrics the scaler publishes (dimension StreamName). */
export const SHARD_AUTO_SCALER_NAMESPACE = 'CdkKinesisPipeline/ShardAutoScaler';

/**
 * The default maxShards: 100 (about $1,100 a month of shard-hours at $0.015 per shard-hour), or
 * twice the capacity plan when one is known and needs more (room for traffic twice the expected
 * peak), at most 10,000 (UpdateShardCount's limit).
 */
export function defaultMaxShards(plannedShards?: number): number {
  if (plannedShards === undefined) return SHARD_AUTO_SCALER_DEFAULTS.maxShards;
  return Math.min(10_000, Math.max(SHARD_AUTO_SCALER_DEFAULTS.maxShards, 2 * plannedShards));
}
