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
  /** Shards the latest known demand needs at targetUtilization (a lower bound while throttled). */
  readonly shardsNeeded: number;
}

export interface ScalerPorts {
  readonly kinesis: KinesisClient;
  fetchObservations(streamName: string, now: number, minutes: number): Promise<MinuteObservation[]>;
  publishMetrics(metrics: TickMetrics): Promise<void>;
  notify(subject: string, message: Record<string, unknown>): Promise<void>;
  log(level: 'info' | 'warn', message: string, fields: Record<string, unknown>): void;
  now(): number;
}

/** 'skipped': on-demand stream, or another run or resize got in first. */
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

async function readHistoryTag(kinesis: KinesisClient, streamArn: string): Promise<string | undefined> {
  return (await readTags(kinesis, streamArn)).find((tag) => tag.Key === HISTORY_TAG_KEY)?.Value;
}

async function writeHistoryTag(kinesis: KinesisClient, streamArn: string, value: string): Promise<void> {
  await kinesis.send(new AddTagsToStreamCommand({ StreamARN: streamArn, Tags: { [HISTORY_TAG_KEY]: value } }));
}

/**
 * Takes a call that AWS refused back out of the history: re-reads the tag and removes that one
 * entry, so that an entry another run wrote meanwhile stays. If that fails, the call stays counted
 * until it expires (the safe side).
 */
async function removeEntry(ports: ScalerPorts, env: ScalerEnvironment, call: ScalingCall, now: number): Promise<void> {
  try {
    const current = decodeHistory(await readHistoryTag(ports.kinesis, env.streamArn), now);
    const index = current.findIndex(
      (c) => Math.ceil(c.at / 60_000) === Math.ceil(call.at / 60_000) && c.from === call.from && c.to === call.to,
    );
    if (index < 0) return;
    current.splice(index, 1);
    await writeHistoryTag(ports.kinesis, env.streamArn, encodeHistory(current, now));
  } catch (error) {
    ports.log('warn', 'could not take the rejected call out of the history; it counts until it expires', {
      stream: env.streamName,
      error: String(error),
    });
  }
}

/**
 * A live count other than the one the scaler last set, on an ACTIVE stream, means someone else
 * resized it (a person, or a CloudFormation update that set the template's ShardCount): such a
 * call counts against the same 24-hour budget, so it is recorded as made now (the safe side).
 */
function externalResize(history: readonly ScalingCall[], openShards: number, status: string, now: number) {
  const last = history[history.length - 1];
  if (!last || status !== 'ACTIVE' || openShards < 1 || last.to === openShards) return undefined;
  return { at: now, from: last.to, to: openShards };
}

/**
 * One run. Runs may overlap (no reserved concurrency by default, and EventBridge may deliver an
 * event twice), so a scaling action is a compare-before-write: the call is recorded in the history
 * tag, then the stream and the tag are read again, and UpdateShardCount is made only if the stream
 * is still ACTIVE at the count the decision started from and the tag still holds what this run
 * wrote. Kinesis itself lets only one resize run at a time (ResourceInUseException while
 * UPDATING). Whichever run loses, the tag keeps one entry per call that AWS accepted (or one more:
 * the safe side); a loser never writes an older history back over a winner's entry.
 */
export async function runScalerTick(ports: ScalerPorts, env: ScalerEnvironment): Promise<TickResult> {
  const now = ports.now();
  const summary = await ports.kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: env.streamArn }));
  const description = summary.StreamDescriptionSummary;
  if (description?.StreamModeDetails?.StreamMode === 'ON_DEMAND') {
    ports.log('warn', 'stream is ON_DEMAND: shard scaling does not apply', { stream: env.streamName });
    return { outcome: 'skipped' };
  }
  const status = description?.StreamStatus ?? 'UNKNOWN';
  const openShards = description?.OpenShardCount ?? 0;
  let history = decodeHistory(await readHistoryTag(ports.kinesis, env.streamArn), now);
  const external = externalResize(history, openShards, status, now);
  if (external) {
    history = [...history, external];
    ports.log('warn', 'the shard count was changed outside the scaler; the change counts against the 24-hour budget', {
      stream: env.streamName,
      from: external.from,
      to: external.to,
    });
    try {
      await writeHistoryTag(ports.kinesis, env.streamArn, encodeHistory(history, now));
    } catch (error) {
      ports.log('warn', 'could not record the outside change in the history tag', { error: String(error) });
    }
  }
  const observations = await ports.fetchObservations(env.streamName, now, OBSERVATION_MINUTES);
  const decision = decideShardCount({
    now,
    streamCreatedAt: description?.StreamCreationTimestamp?.getTime(),
    currentShards: openShards,
    streamStatus: status,
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
    shardsNeeded: decision.shardsNeeded,
  };
  ports.log('info', 'scaling decision', fields);

  let outcome: TickOutcome = 'unchanged';
  let rejectedBy: string | undefined;
  if (decision.action !== 'none') {
    // Record the call before making it: if the tag write fails we do not scale. Never an
    // unrecorded call.
    const call: ScalingCall = { at: now, from: decision.from, to: decision.to };
    const written = encodeHistory([...history, call], now);
    let stage = 'AddTagsToStream (recording the call in the history tag)';
    try {
      await writeHistoryTag(ports.kinesis, env.streamArn, written);
      stage = 'the check before the call';
      const again = (await ports.kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: env.streamArn })))
        .StreamDescriptionSummary;
      const tagNow = await readHistoryTag(ports.kinesis, env.streamArn);
      if (again?.StreamStatus !== 'ACTIVE' || again.OpenShardCount !== decision.from || tagNow !== written) {
        // Another run or resize got in first. Our entry, if it is still in the tag, stands for
        // that resize (its own entry may be the one we overwrote).
        ports.log('warn', 'another run or resize got in first; the next tick decides again', {
          ...fields,
          status: again?.StreamStatus,
          openShards: again?.OpenShardCount,
          tagChanged: tagNow !== written,
        });
        return finish(ports, env, decision, 'skipped', undefined);
      }
      stage = 'UpdateShardCount';
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
      // ResourceInUse on UpdateShardCount: a resize started between our check and our call; our
      // entry stands for it. Any other refusal of the call: no call was made, take the entry back.
      if (stage === 'UpdateShardCount' && name !== 'ResourceInUseException') {
        await removeEntry(ports, env, call, now);
      }
      if (!RETRY_NEXT_TICK.has(name)) throw error;
      outcome = 'rejected';
      rejectedBy = name;
      // Name the call: a tag write refused for good (a stream holds at most 50 tags) stops all scaling.
      ports.log('warn', `${stage} rejected; the next tick decides again`, { ...fields, error: name });
    }
    if (outcome === 'scaled' && env.topicArn) {
      await ports.notify(`Kinesis stream ${env.streamName}: ${decision.from} -> ${decision.to} shards`, fields);
    }
  }
  return finish(ports, env, decision, outcome, rejectedBy);
}

async function finish(
  ports: ScalerPorts,
  env: ScalerEnvironment,
  decision: ScalingDecision,
  outcome: TickOutcome,
  rejectedBy: string | undefined,
): Promise<TickResult> {
  try {
    await ports.publishMetrics({
      shardCount: outcome === 'scaled' ? decision.to : decision.from,
      scalingEvents: outcome === 'scaled' ? 1 : 0,
      throttledAtMaxShards: decision.throttledAtMaxShards ? 1 : 0,
      callsRemaining: Math.max(0, decision.callsRemaining - (outcome === 'scaled' ? 1 : 0)),
      shardsNeeded: decision.shardsNeeded,
    });
  } catch (error) {
    // Metrics are informative; a failed PutMetricData must not hide a scaling action.
    ports.log('warn', 'could not publish metrics', { stream: env.streamName, error: String(error) });
  }
  return { outcome, decision, rejectedBy };
}
