/**
 * The scaler's adapter against the kinesis-local emulator (127.0.0.1 only): it reads the stream,
 * keeps its history in a stream tag, scales with UpdateShardCount, copes with UPDATING
 * (ResourceInUseException) and never asks for more than twice the current shards.
 */
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListTagsForStreamCommand,
  UpdateShardCountCommand,
} from '@aws-sdk/client-kinesis';
import type { ScalerEnvironment } from '../../lambda/shard-scaler/config';
import { DEFAULT_SCALER_CONFIG, type MinuteObservation } from '../../lambda/shard-scaler/decision';
import { HISTORY_TAG_KEY, encodeHistory } from '../../lambda/shard-scaler/history';
import { type ScalerPorts, type TickMetrics, runScalerTick } from '../../lambda/shard-scaler/scaler';
import { type KinesisLocal, startKinesisLocal } from '../support/kinesis-local';

jest.setTimeout(60_000);

const MiB = 1024 * 1024;
let local: KinesisLocal;
let kinesis: KinesisClient;

beforeAll(async () => {
  local = await startKinesisLocal({ updateShardCountDuration: '1s' });
  kinesis = new KinesisClient(local.clientConfig);
});

afterAll(async () => {
  kinesis?.destroy();
  await local?.stop();
});

async function summary(streamName: string) {
  const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  return out.StreamDescriptionSummary!;
}

async function waitActive(streamName: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await summary(streamName)).StreamStatus !== 'ACTIVE') {
    if (Date.now() > deadline) throw new Error(`${streamName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function createStream(streamName: string, shards: number, mode = 'PROVISIONED'): Promise<string> {
  await kinesis.send(
    new CreateStreamCommand({
      StreamName: streamName,
      ...(mode === 'PROVISIONED' ? { ShardCount: shards } : {}),
      StreamModeDetails: { StreamMode: mode as 'PROVISIONED' | 'ON_DEMAND' },
    }),
  );
  await waitActive(streamName);
  return (await summary(streamName)).StreamARN!;
}

async function historyTag(streamArn: string): Promise<string | undefined> {
  const out = await kinesis.send(new ListTagsForStreamCommand({ StreamARN: streamArn }));
  return out.Tags?.find((tag) => tag.Key === HISTORY_TAG_KEY)?.Value;
}

/** One minute of traffic at `shardsOfDemand` shards' worth of bytes, optionally throttled. */
function minutes(now: number, count: number, shardsOfDemand: number, throttled = false): MinuteObservation[] {
  return Array.from({ length: count }, (_, i) => ({
    timestamp: now - (count - i) * 60_000,
    incomingBytes: shardsOfDemand * MiB * 60,
    incomingRecords: shardsOfDemand * 100 * 60,
    throttledRecords: throttled && i === count - 1 ? 500 : 0,
  }));
}

interface Harness {
  readonly ports: ScalerPorts;
  readonly metrics: TickMetrics[];
  readonly notifications: Array<Record<string, unknown>>;
  readonly requestedTargets: number[];
  setObservations(observations: MinuteObservation[]): void;
  setNow(now: number): void;
  /** The next DescribeStreamSummary answers with this stale status (a racing resize). */
  staleStatusOnce(status: string): void;
}

function harness(): Harness {
  let observations: MinuteObservation[] = [];
  let now = Date.now();
  let stale: string | undefined;
  const metrics: TickMetrics[] = [];
  const notifications: Array<Record<string, unknown>> = [];
  const requestedTargets: number[] = [];
  // The real client, watched: UpdateShardCount targets are recorded, one summary can be stale.
  const watched = {
    send: async (command: unknown) => {
      if (command instanceof UpdateShardCountCommand) requestedTargets.push(command.input.TargetShardCount!);
      const result = await kinesis.send(command as never);
      if (command instanceof DescribeStreamSummaryCommand && stale) {
        const status = stale;
        stale = undefined;
        const out = result as unknown as { StreamDescriptionSummary: Record<string, unknown> };
        return { ...out, StreamDescriptionSummary: { ...out.StreamDescriptionSummary, StreamStatus: status } };
      }
      return result;
    },
  } as unknown as KinesisClient;
  return {
    ports: {
      kinesis: watched,
      fetchObservations: async () => observations,
      publishMetrics: async (m) => void metrics.push(m),
      notify: async (_subject, message) => void notifications.push(message),
      log: () => undefined,
      now: () => now,
    },
    metrics,
    notifications,
    requestedTargets,
    setObservations: (o) => (observations = o),
    setNow: (n) => (now = n),
    staleStatusOnce: (status) => (stale = status),
  };
}

function environment(streamName: string, streamArn: string): ScalerEnvironment {
  return {
    streamName,
    streamArn,
    topicArn: 'arn:aws:sns:us-east-1:000000000000:scaling',
    metricNamespace: 'CdkKinesisPipeline/ShardAutoScaler',
    config: { ...DEFAULT_SCALER_CONFIG, minShards: 1, maxShards: 40 },
  };
}

describe('shard scaler against kinesis-local', () => {
  test('scales a throttled stream up by at most 2x, records the call in the stream tag and notifies', async () => {
    const arn = await createStream('scale-up', 2);
    const h = harness();
    const now = Date.now();
    h.setNow(now);
    // Demand far above capacity: the observed traffic is capped at 2 shards and throttled.
    h.setObservations(minutes(now, 30, 2, true));

    const result = await runScalerTick(h.ports, environment('scale-up', arn));

    expect(result.outcome).toBe('scaled');
    expect(h.requestedTargets).toEqual([4]);
    expect(['UPDATING', 'ACTIVE']).toContain((await summary('scale-up')).StreamStatus);
    expect(await historyTag(arn)).toBe(`${Math.ceil(now / 60_000)}.2.4`);
    expect(h.notifications).toEqual([expect.objectContaining({ from: 2, to: 4, action: 'scale-up' })]);
    expect(h.metrics).toEqual([{ shardCount: 4, scalingEvents: 1, throttledAtMaxShards: 0, callsRemaining: 9 }]);

    await waitActive('scale-up');
    expect((await summary('scale-up')).OpenShardCount).toBe(4);
  });

  test('does not call while the stream is UPDATING, and survives a racing resize (ResourceInUseException)', async () => {
    const arn = await createStream('updating', 2);
    const h = harness();
    const now = Date.now();
    h.setNow(now);
    h.setObservations(minutes(now, 30, 2, true));
    await kinesis.send(
      new UpdateShardCountCommand({ StreamARN: arn, TargetShardCount: 3, ScalingType: 'UNIFORM_SCALING' }),
    );

    // Seen as UPDATING: no call at all.
    const waiting = await runScalerTick(h.ports, environment('updating', arn));
    expect(waiting.outcome).toBe('unchanged');
    expect(waiting.decision?.reason).toMatch(/UPDATING/);
    expect(h.requestedTargets).toEqual([]);

    // A stale ACTIVE read: the call (or the tag write before it) is rejected, the tick ends cleanly.
    h.staleStatusOnce('ACTIVE');
    const raced = await runScalerTick(h.ports, environment('updating', arn));
    expect(raced.outcome).toBe('rejected');
    expect(raced.rejectedBy).toBe('ResourceInUseException');
    // A rejected call does not stay in the history.
    expect(await historyTag(arn)).toBeFalsy();

    await waitActive('updating');
    const next = await runScalerTick(h.ports, environment('updating', arn));
    expect(next.outcome).toBe('scaled');
    // Twice what got through (2 shards), within 2x of the 3 open shards.
    expect(h.requestedTargets[h.requestedTargets.length - 1]).toBe(4);
  });

  test('never requests more than twice the open shards, and scales down by at most half', async () => {
    const arn = await createStream('bounds', 3);
    const h = harness();
    let now = Date.now();
    h.setNow(now);
    // Forecast demand of 30 shards without throttling: one call may only double.
    h.setObservations(minutes(now, 30, 2.9 * 10));
    await runScalerTick(h.ports, environment('bounds', arn));
    expect(h.requestedTargets).toEqual([6]);
    await waitActive('bounds');

    // An hour later, demand has collapsed: down to no less than half.
    now += 60 * 60_000;
    h.setNow(now);
    h.setObservations(minutes(now, 60, 0.1));
    const down = await runScalerTick(h.ports, environment('bounds', arn));
    expect(down.outcome).toBe('scaled');
    expect(h.requestedTargets[1]).toBe(3);
    await waitActive('bounds');
    expect((await summary('bounds')).OpenShardCount).toBe(3);
    expect((await historyTag(arn))?.split('_')).toHaveLength(2);
  });

  test('keeps to the rolling 24-hour budget kept in the tag (a cold start reads it back)', async () => {
    const arn = await createStream('budget', 2);
    const now = Date.now();
    const calls = Array.from({ length: 10 }, (_, i) => ({ at: now - (10 - i) * 60 * 60_000, from: 2, to: 2 }));
    await kinesis.send(
      new AddTagsToStreamCommand({
        StreamARN: arn,
        Tags: { [HISTORY_TAG_KEY]: encodeHistory(calls, now) },
      }),
    );
    const h = harness();
    h.setNow(now);
    h.setObservations(minutes(now, 30, 2, true));
    const result = await runScalerTick(h.ports, environment('budget', arn));
    expect(result.outcome).toBe('unchanged');
    expect(result.decision?.reason).toMatch(/no call left/);
    expect(h.requestedTargets).toEqual([]);
  });

  test('leaves on-demand streams alone', async () => {
    const arn = await createStream('on-demand', 0, 'ON_DEMAND');
    const h = harness();
    h.setObservations(minutes(Date.now(), 30, 2, true));
    const result = await runScalerTick(h.ports, environment('on-demand', arn));
    expect(result.outcome).toBe('skipped');
    expect(h.requestedTargets).toEqual([]);
  });
});
