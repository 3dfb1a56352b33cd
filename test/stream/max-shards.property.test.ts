/**
 * maxShards means the same thing in the construct and in the decision (issue 19): whatever the
 * props (an explicit bound, the default, a capacity plan), the bound the ShardAutoScaler exposes
 * is the one it writes into the function's environment, the handler reads back
 * (readEnvironment) and the decision never exceeds, also on late, missing and throttled
 * observations; a plan above the bound is reported at synth, and demand above it at run time
 * (`shardsNeeded`, `throttledAtMaxShards`). UpdateShardCount allows at most 10,000 shards per
 * stream (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html).
 *
 * Constructs are built in a fresh Stack per run but never synthesized: the environment and the
 * warning are read from the construct tree, which keeps 40 runs cheap.
 */
import { Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import fc from 'fast-check';
import { readEnvironment } from '../../lambda/shard-scaler/config';
import { DEFAULT_SCALER_CONFIG, type MinuteObservation, decideShardCount } from '../../lambda/shard-scaler/decision';
import { MAX_SHARDS_PER_STREAM } from '../../lambda/shard-scaler/limits';
import { missingMinute } from '../../lambda/shard-scaler/observations';
import { ScalableStream } from '../../lib/stream';
import { SHARD_AUTO_SCALER_DEFAULTS } from '../../lib/stream/scaler-defaults';
import { createTestApp } from '../support/app';

const NOW = Date.UTC(2026, 0, 10);
const MINUTE = 60_000;
const MiB = 1024 * 1024;
const app = createTestApp();
let stackCount = 0;

/** The function's environment as deployed, with the stream's tokens replaced by plain names. */
function deployedEnvironment(stack: Stack, fn: lambda.IFunction): Record<string, string> {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const resolved = stack.resolve(cfn.environment) as { variables: Record<string, unknown> };
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(resolved.variables)) {
    variables[key] = typeof value === 'string' ? value : `resolved-${key}`;
  }
  return variables;
}

function warningsOf(stream: ScalableStream): string[] {
  return stream.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
}

/** 30 minutes of write demand at `shards` shards' worth of bytes, as the Lambda sees them. */
function observations(shards: number, throttled: boolean, missingEvery: number, delay: number): MinuteObservation[] {
  return Array.from({ length: 30 }, (_, i) => {
    const timestamp = NOW - (30 - i) * MINUTE;
    if (i >= 30 - delay || (missingEvery > 0 && i % missingEvery === 0)) return missingMinute(timestamp);
    return {
      timestamp,
      incomingBytes: shards * MiB * 60,
      incomingRecords: shards * 500 * 60,
      throttledRecords: throttled ? 1000 : 0,
    };
  });
}

test('the handler falls back on the construct defaults (maxShards included) when a variable is absent', () => {
  const { config } = readEnvironment({ STREAM_NAME: 's', STREAM_ARN: 'arn:aws:kinesis:us-east-1:1:stream/s' });
  expect(config).toMatchObject(SHARD_AUTO_SCALER_DEFAULTS);
  expect(DEFAULT_SCALER_CONFIG.maxShards).toBe(SHARD_AUTO_SCALER_DEFAULTS.maxShards);
});

test('construct, environment and decision agree on maxShards for any props and observations', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.option(fc.integer({ min: 0, max: 3000 })),
      fc.option(
        fc.record({
          recordsPerSecond: fc.integer({ min: 1, max: 5_000_000 }),
          averageRecordSizeBytes: fc.integer({ min: 1, max: 1_000_000 }),
        }),
      ),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 3, noNaN: true }),
      fc.boolean(),
      fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 0, max: 3 }),
      (minShards, span, expectedTraffic, currentShare, demandFactor, throttled, missingEvery, delay) => {
        const maxShardsProp = span === null ? undefined : Math.min(MAX_SHARDS_PER_STREAM, minShards + span);
        const stack = new Stack(app, `S${stackCount++}`);
        const stream = new ScalableStream(stack, 'Stream', {
          expectedTraffic: expectedTraffic ?? undefined,
          autoScalingOptions: { minShards, maxShards: maxShardsProp },
        });
        const scaler = stream.autoScaler!;
        const planned = stream.capacityPlan?.totalShards;

        // What the construct exposes is what the handler reads back.
        const { config } = readEnvironment(deployedEnvironment(stack, scaler.function));
        expect(config.maxShards).toBe(scaler.maxShards);
        expect(config.minShards).toBe(minShards);
        expect(scaler.maxShards).toBeLessThanOrEqual(MAX_SHARDS_PER_STREAM);
        expect(stream.initialShardCount!).toBeLessThanOrEqual(scaler.maxShards);

        // The default leaves room for the plan; a bound below the plan is reported at synth.
        if (maxShardsProp === undefined) {
          expect(scaler.maxShards).toBeGreaterThanOrEqual(Math.min(planned ?? 0, MAX_SHARDS_PER_STREAM));
        }
        const reported = warningsOf(stream).some((w) => w.includes('plannedAboveMaxShards'));
        expect(reported).toBe(planned !== undefined && planned > scaler.maxShards);

        // The decision with that configuration never goes above it, and reports demand above it.
        const current = Math.max(minShards, Math.round(currentShare * scaler.maxShards));
        const demand = current * demandFactor;
        const decision = decideShardCount({
          now: NOW,
          streamCreatedAt: NOW - 48 * 60 * MINUTE,
          currentShards: current,
          streamStatus: 'ACTIVE',
          observations: observations(demand, throttled, missingEvery, delay),
          history: [],
          config,
        });
        expect(decision.to).toBeLessThanOrEqual(config.maxShards);
        expect(decision.to).toBeGreaterThanOrEqual(config.minShards);
        if (current === config.maxShards && throttled && decision.shardsNeeded > 0) {
          expect(decision.throttledAtMaxShards).toBe(true);
        }
      },
    ),
    { numRuns: 40, seed: 1919 },
  );
});
