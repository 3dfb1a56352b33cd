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
