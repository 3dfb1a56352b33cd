/** The scaler's settings, read from the Lambda environment the ShardAutoScaler construct sets. */
import { DEFAULT_SCALER_CONFIG, type ScalerConfig } from './decision';
import { MAX_CALLS_PER_24_HOURS, MAX_SHARDS_PER_STREAM } from './limits';

export interface ScalerEnvironment {
  readonly streamName: string;
  readonly streamArn: string;
  /** SNS topic for scaling events, if any. */
  readonly topicArn?: string;
  readonly metricNamespace: string;
  readonly config: ScalerConfig;
}

/** Environment variable names, shared with the construct. */
export const ENV = {
  streamName: 'STREAM_NAME',
  streamArn: 'STREAM_ARN',
  topicArn: 'NOTIFICATION_TOPIC_ARN',
  metricNamespace: 'METRIC_NAMESPACE',
  minShards: 'MIN_SHARDS',
  maxShards: 'MAX_SHARDS',
  targetUtilization: 'TARGET_UTILIZATION',
  scaleUpUtilization: 'SCALE_UP_UTILIZATION',
  reservedScaleUpCalls: 'RESERVED_SCALE_UP_CALLS',
  scaleDownWindowMinutes: 'SCALE_DOWN_WINDOW_MINUTES',
  scaleDownCooldownMinutes: 'SCALE_DOWN_COOLDOWN_MINUTES',
  maxCallsPer24Hours: 'MAX_CALLS_PER_24_HOURS',
} as const;

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number. Received ${raw}`);
  return value;
}

/** The construct validates these at synth time, except values that were tokens then. */
function integerFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = numberFrom(env, name, fallback);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}. Received ${env[name]}`);
  }
  return value;
}

export function readEnvironment(env: NodeJS.ProcessEnv): ScalerEnvironment {
  const streamName = env[ENV.streamName];
  const streamArn = env[ENV.streamArn];
  if (!streamName || !streamArn) throw new Error(`${ENV.streamName} and ${ENV.streamArn} must be set`);
  const d = DEFAULT_SCALER_CONFIG;
  const minShards = integerFrom(env, ENV.minShards, d.minShards, 1, MAX_SHARDS_PER_STREAM);
  return {
    streamName,
    streamArn,
    topicArn: env[ENV.topicArn] || undefined,
    metricNamespace: env[ENV.metricNamespace] || 'CdkKinesisPipeline/ShardAutoScaler',
    config: {
      ...d,
      minShards,
      maxShards: integerFrom(env, ENV.maxShards, d.maxShards, minShards, MAX_SHARDS_PER_STREAM),
      targetUtilization: numberFrom(env, ENV.targetUtilization, d.targetUtilization),
      scaleUpUtilization: numberFrom(env, ENV.scaleUpUtilization, d.scaleUpUtilization),
      reservedScaleUpCalls: numberFrom(env, ENV.reservedScaleUpCalls, d.reservedScaleUpCalls),
      scaleDownWindowMinutes: numberFrom(env, ENV.scaleDownWindowMinutes, d.scaleDownWindowMinutes),
      scaleDownCooldownMinutes: numberFrom(env, ENV.scaleDownCooldownMinutes, d.scaleDownCooldownMinutes),
      maxCallsPer24Hours: integerFrom(env, ENV.maxCallsPer24Hours, d.maxCallsPer24Hours, 1, MAX_CALLS_PER_24_HOURS),
    },
  };
}
