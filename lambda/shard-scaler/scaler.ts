/**
 * One tick of the scaler: read the stream, its history and metrics, decide, and act. AWS access
 * goes through injected ports so that the same code runs against kinesis-local in the tests; the
 * policy itself is the pure decideShardCount.
 */
import {
  AddTagsToStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListTagsForStreamCommand,
  type Tag,
  UpdateShardCountCommand,
} from '@aws-sdk/client-kinesis';
import type { ScalerEnvironment } from './config';
import { type MinuteObservation, OBSERVATION_MINUTES, type ScalingDecision, decideShardCount } from './decision';
import { HISTORY_TAG_KEY, decodeHistory, encodeHistory } from './history';
import type { ScalingCall } from './limits';

/** What the scaler publishes each tick (namespace METRIC_NAMESPACE, dimension StreamName). */
export interface TickMetrics {
  readonly shardCount: number;
  readonly scalingEvents: number;
  readonly throttledAtMaxShards: number;
  readonly callsRemaining: number;
}

export interface ScalerPorts {
  readonly kinesis: KinesisClient;
  fetchObservations(streamName: string, now: number, minutes: number): Promise<MinuteObservation[]>;
  publishMetrics(metrics: TickMetrics): Promise<void>;
  notify(subject: string, message: Record<string, unknown>): Promise<void>;
  log(level: 'info' | 'warn', message: string, fields: Record<string, unknown>): void;
  now(): number;
}

export type TickOutcome = 'scaled' | 'unchanged' | 'rejected' | 'skipped';

export interface TickResult {
  readonly outcome: TickOutcome;
  readonly decision?: ScalingDecision;
  /** Name of the AWS error that rejected the call, for 'rejected'. */
  readonly rejectedBy?: string;
}

/** Errors after which the next tick simply decides again. */
const RETRY_NEXT_TICK = new Set(['ResourceInUseException', 'LimitExceededException']);

async function readTags(kinesis: KinesisClient, streamArn: string): Promise<Tag[]> {
  const tags: Tag[] = [];
  let exclusiveStartTagKey: string | undefined;
  for (;;) {
    const page = await kinesis.send(
      new ListTagsForStreamCommand({ StreamARN: streamArn, ExclusiveStartTagKey: exclusiveStartTagKey }),
    );
    tags.push(...(page.Tags ?? []));
    if (!page.HasMoreTags || !page.Tags?.length) return tags;
    exclusiveStartTagKey = page.Tags[page.Tags.length - 1].Key;
  }
}

async function writeHistory(
  kinesis: KinesisClient,
  streamArn: string,
  calls: readonly ScalingCall[],
  now: number,
): Promise<void> {
  await kinesis.send(
    new AddTagsToStreamCommand({ StreamARN: streamArn, Tags: { [HISTORY_TAG_KEY]: encodeHistory(calls, now) } }),
  );
}

/** Takes a rejected call back out of the history; if that fails too, the call stays counted (safe side). */
async function restoreHistory(
  ports: ScalerPorts,
  env: ScalerEnvironment,
  history: readonly ScalingCall[],
  now: number,
): Promise<void> {
  try {
    await writeHistory(ports.kinesis, env.streamArn, history, now);
  } catch (error) {
    ports.log('warn', 'could not take the rejected call out of the history; it counts until it expires', {
      stream: env.streamName,
      error: String(error),
    });
  }
}

export async function runScalerTick(ports: ScalerPorts, env: ScalerEnvironment): Promise<TickResult> {
  const now = ports.now();
  const summary = await ports.kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: env.streamArn }));
  const description = summary.StreamDescriptionSummary;
  if (description?.StreamModeDetails?.StreamMode === 'ON_DEMAND') {
    ports.log('warn', 'stream is ON_DEMAND: shard scaling does not apply', { stream: env.streamName });
    return { outcome: 'skipped' };
  }
  const tags = await readTags(ports.kinesis, env.streamArn);
  const history = decodeHistory(tags.find((tag) => tag.Key === HISTORY_TAG_KEY)?.Value, now);
  const observations = await ports.fetchObservations(env.streamName, now, OBSERVATION_MINUTES);
  const decision = decideShardCount({
    now,
    streamCreatedAt: description?.StreamCreationTimestamp?.getTime(),
    currentShards: description?.OpenShardCount ?? 0,
    streamStatus: description?.StreamStatus ?? 'UNKNOWN',
    observations,
    history,
    config: env.config,
  });
  const fields = {
    stream: env.streamName,
    action: decision.action,
    from: decision.from,
    to: decision.to,
    reason: decision.reason,
    utilization: Number(decision.utilization.toFixed(4)),
    callsRemaining: decision.callsRemaining,
  };
  ports.log('info', 'scaling decision', fields);

  let outcome: TickOutcome = 'unchanged';
  let rejectedBy: string | undefined;
  if (decision.action !== 'none') {
    // Record the call before making it: if the tag write fails we do not scale, and if the call
    // then fails we take the entry back. Never an unrecorded call.
    const call: ScalingCall = { at: now, from: decision.from, to: decision.to };
    let recorded = false;
    try {
      await writeHistory(ports.kinesis, env.streamArn, [...history, call], now);
      recorded = true;
      await ports.kinesis.send(
        new UpdateShardCountCommand({
          StreamARN: env.streamArn,
          TargetShardCount: decision.to,
          ScalingType: 'UNIFORM_SCALING',
        }),
      );
      outcome = 'scaled';
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      if (!RETRY_NEXT_TICK.has(name)) throw error;
      outcome = 'rejected';
      rejectedBy = name;
      // Name the call: a tag write refused for good (a stream holds at most 50 tags) stops all scaling.
      const rejected = recorded ? 'UpdateShardCount' : 'AddTagsToStream (recording the call in the history tag)';
      ports.log('warn', `${rejected} rejected; the next tick decides again`, { ...fields, error: name });
      if (recorded) await restoreHistory(ports, env, history, now);
    }
    if (outcome === 'scaled' && env.topicArn) {
      await ports.notify(`Kinesis stream ${env.streamName}: ${decision.from} -> ${decision.to} shards`, fields);
    }
  }
  try {
    await ports.publishMetrics({
      shardCount: outcome === 'scaled' ? decision.to : decision.from,
      scalingEvents: outcome === 'scaled' ? 1 : 0,
      throttledAtMaxShards: decision.throttledAtMaxShards ? 1 : 0,
      callsRemaining: Math.max(0, decision.callsRemaining - (outcome === 'scaled' ? 1 : 0)),
    });
  } catch (error) {
    // Metrics are informative; a failed PutMetricData must not hide a scaling action.
    ports.log('warn', 'could not publish metrics', { stream: env.streamName, error: String(error) });
  }
  return { outcome, decision, rejectedBy };
}
