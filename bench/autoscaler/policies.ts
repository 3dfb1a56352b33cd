/** The policies the benchmark compares: ours (the real decision function), a public baseline, static. */
import {
  DEFAULT_SCALER_CONFIG,
  type ScalerConfig,
  decideShardCount,
  demandInShards,
} from '../../lambda/shard-scaler/decision';
import type { Policy } from './simulator';

/** Our policy: the exact function the Lambda runs. */
export function shardScalerPolicy(config: Partial<ScalerConfig> = {}): Policy {
  const merged: ScalerConfig = { ...DEFAULT_SCALER_CONFIG, ...config };
  return (context) => {
    const decision = decideShardCount({ ...context, config: merged });
    return decision.action === 'none' ? undefined : decision.to;
  };
}

/**
 * The policy of the public samples: double after five 5-minute periods at >= 75% utilization,
 * halve after 57 of 60 minutes below 25%. Like a CloudWatch alarm it only evaluates data taken at
 * the current capacity (after the last resize), and it knows nothing of the call budget.
 */
export function baselinePolicy(): Policy {
  let lastCallAt = -Infinity;
  return ({ now, currentShards, streamStatus, observations }) => {
    if (streamStatus !== 'ACTIVE') return undefined;
    // Alarms skip missing datapoints (treatMissingData: missing).
    const settled = observations.filter((o) => !o.missing && o.timestamp >= lastCallAt + 5 * 60_000);
    const utilization = settled.map((o) => demandInShards(o) / currentShards);
    if (utilization.length >= 25) {
      const last25 = utilization.slice(-25);
      let allHigh = true;
      for (let p = 0; p < 5; p++) {
        const period = last25.slice(p * 5, p * 5 + 5);
        if (period.reduce((a, b) => a + b, 0) / 5 < 0.75) allHigh = false;
      }
      if (allHigh) {
        lastCallAt = now;
        return currentShards * 2;
      }
    }
    if (utilization.length >= 60 && currentShards > 1) {
      const low = utilization.slice(-60).filter((u) => u < 0.25).length;
      if (low >= 57) {
        lastCallAt = now;
        return Math.ceil(currentShards / 2);
      }
    }
    return undefined;
  };
}

export function staticPolicy(): Policy {
  return () => undefined;
}
