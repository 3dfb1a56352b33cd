/**
 * The scaler's adapter against the kinesis-local emulator (127.0.0.1 only): it reads the stream,
 * keeps its history in a stream tag, scales with UpdateShardCount, copes with UPDATING
 * (ResourceInUseException) and never asks for more than twice the current shards.
 *
 * No test depends on how fast the machine is. Tests that need a stream to STAY UPDATING run on a
 * second emulator whose resizes take an hour (a resize there never ends during the test); tests
 * that wait for a resize to end poll for ACTIVE on an emulator whose resizes take 1 s. (A 1 s
 * UPDATING window that a test had to hit was flaky on a loaded machine: the run could read the
 * stream after the window had closed.)
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
/** Resizes on this emulator keep the stream UPDATING for an hour: longer than any test. */
let slowLocal: KinesisLocal;
let slowKinesis: KinesisClient;

beforeAll(async () => {
  [local, slowLocal] = await Promise.all([
    startKinesisLocal({ updateShardCountDuration: '1s' }),
    startKinesisLocal({ updateShardCountDuration: '1h' }),
  ]);
  kinesis = new KinesisClient(local.clientConfig);
  slowKinesis = new KinesisClient(slowLocal.clientConfig);
});

afterAll(async () => {
  kinesis?.destroy();
  slowKinesis?.destroy();
  await Promise.all([local?.stop(), slowLocal?.stop()]);
});

async function summary(streamName: string, client = kinesis) {
  const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  return out.StreamDescriptionSummary!;
}

/** Polls (the emulator ends a resize after 1 s); used only where the test needs the end of a resize. */
async function waitActive(streamName: string, client = kinesis): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await summary(streamName, client)).StreamStatus !== 'ACTIVE') {
    if (Date.now() > deadline) throw new Error(`${streamName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function createStream(
  streamName: string,
  shards: number,
  mode = 'PROVISIONED',
  client = kinesis,
): Promise<string> {
  await client.send(
    new CreateStreamCommand({
      StreamName: streamName,
      ...(mode === 'PROVISIONED' ? { ShardCount: shards } : {}),
      StreamModeDetails: { StreamMode: mode as 'PROVISIONED' | 'ON_DEMAND' },
    }),
  );
  await waitActive(streamName, client);
  return (await summary(streamName, client)).StreamARN!;
}

async function historyTag(streamArn: string, client = kinesis): Promise<string | undefined> {
  const out = await client.send(new ListTagsForStreamCommand({ StreamARN: streamArn }));
  return out.Tags?.find((tag) => tag.Key === HISTORY_TAG_KEY)?.Value;
}

/** The entries of the history tag. */
async function historyEntries(streamArn: string, client = kinesis): Promise<string[]> {
  return ((await historyTag(streamArn, client)) ?? '').split('_').filter(Boolean);
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
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Hooks around each Kinesis command of one run, to force an interleaving of two runs. */
interface Gates {
  before?(commandName: string): Promise<void>;
  after?(commandName: string): void;
}

function harness(gates: Gates = {}, client = kinesis): Harness {
  let observations: MinuteObservation[] = [];
  let now = Date.now();
  const metrics: TickMetrics[] = [];
  const notifications: Array<Record<string, unknown>> = [];
  const requestedTargets: number[] = [];
  // The real client, watched: UpdateShardCount targets are recorded.
  const watched = {
    send: async (command: unknown) => {
      const name = (command as object).constructor.name;
      await gates.before?.(name);
      if (command instanceof UpdateShardCountCommand) requestedTargets.push(command.input.TargetShardCount!);
      try {
        return await client.send(command as never);
      } finally {
        gates.after?.(name);
      }
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
    expect(h.metrics).toEqual([
      { shardCount: 4, scalingEvents: 1, throttledAtMaxShards: 0, callsRemaining: 9, shardsNeeded: 3 },
    ]);

    await waitActive('scale-up');
    expect((await summary('scale-up')).OpenShardCount).toBe(4);
  });

  test('does not call while the stream is UPDATING', async () => {
    // On the slow emulator: the stream is UPDATING whenever the run reads it, however slow the machine.
    const arn = await createStream('updating', 2, 'PROVISIONED', slowKinesis);
    const h = harness({}, slowKinesis);
    const now = Date.now();
    h.setNow(now);
    h.setObservations(minutes(now, 30, 2, true));
    await slowKinesis.send(
      new UpdateShardCountCommand({ StreamARN: arn, TargetShardCount: 3, ScalingType: 'UNIFORM_SCALING' }),
    );
    expect((await summary('updating', slowKinesis)).StreamStatus).toBe('UPDATING');

    const waiting = await runScalerTick(h.ports, environment('updating', arn));
    expect(waiting.outcome).toBe('unchanged');
    expect(waiting.decision?.reason).toMatch(/UPDATING/);
    expect(h.requestedTargets).toEqual([]);
    expect(await historyEntries(arn, slowKinesis)).toEqual([]);
  });

  test('survives a resize that starts after it read the stream, then scales from the new count', async () => {
    const arn = await createStream('raced', 3);
    const now = Date.now();
    // A resize (by someone else) starts right after this run read the stream as ACTIVE with 3
    // shards and completes before the run's check: whether the check then finds the stream
    // UPDATING or ACTIVE at 2 shards, it is not at the 3 the decision started from, so no call
    // is made and the run ends cleanly. The racing resize counts against the same budget: the
    // entry this run wrote stands for it.
    let racing: Promise<unknown> | undefined;
    const r = harness({
      before: async (name) => {
        if (name !== 'ListTagsForStreamCommand' || racing) return;
        racing = kinesis.send(
          new UpdateShardCountCommand({ StreamARN: arn, TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }),
        );
        await racing;
      },
    });
    r.setNow(now);
    r.setObservations(minutes(now, 30, 3, true));
    const raced = await runScalerTick(r.ports, environment('raced', arn));
    expect(raced.decision).toMatchObject({ action: 'scale-up', from: 3 });
    expect(raced.outcome).toBe('skipped');
    expect(r.requestedTargets).toEqual([]);
    expect(await historyEntries(arn)).toEqual([`${Math.ceil(now / 60_000)}.3.6`]);

    await waitActive('raced');
    const h = harness();
    h.setNow(now);
    h.setObservations(minutes(now, 30, 2, true));
    const next = await runScalerTick(h.ports, environment('raced', arn));
    expect(next.outcome).toBe('scaled');
    // Up from the 2 open shards, by at most 2x.
    expect(h.requestedTargets).toHaveLength(1);
    expect(h.requestedTargets[0]).toBeGreaterThan(2);
    expect(h.requestedTargets[0]).toBeLessThanOrEqual(4);
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

  // These two run on the slow emulator: once one run's resize is accepted the stream stays
  // UPDATING, so a second resize can only be refused (ResourceInUseException), never accepted
  // because the first one happened to have finished on a slow machine.
  test('two overlapping runs (no reserved concurrency): one resize, one history entry', async () => {
    const arn = await createStream('overlap', 2, 'PROVISIONED', slowKinesis);
    const now = Date.now();
    const a = harness({}, slowKinesis);
    const b = harness({}, slowKinesis);
    for (const h of [a, b]) {
      h.setNow(now);
      h.setObservations(minutes(now, 30, 2, true));
    }
    const results = await Promise.all([
      runScalerTick(a.ports, environment('overlap', arn)),
      runScalerTick(b.ports, environment('overlap', arn)),
    ]);
    expect(results.filter((r) => r.outcome === 'scaled')).toHaveLength(1);
    // The other run stopped at its check (skipped) or was refused by Kinesis (rejected).
    const loser = results.find((r) => r.outcome !== 'scaled')!;
    expect(['skipped', 'rejected']).toContain(loser.outcome);
    if (loser.outcome === 'rejected') expect(loser.rejectedBy).toBe('ResourceInUseException');
    expect([...a.requestedTargets, ...b.requestedTargets].every((target) => target === 4)).toBe(true);
    expect((await summary('overlap', slowKinesis)).StreamStatus).toBe('UPDATING');
    expect(await historyEntries(arn, slowKinesis)).toEqual([`${Math.ceil(now / 60_000)}.2.4`]);
  });

  test('a run whose call lost the race never erases the winner from the history', async () => {
    // The interleaving that erased a call: both runs record their call (B's write last), A calls
    // UpdateShardCount, then B calls and gets ResourceInUseException. Writing back the history
    // B read first would drop A's call, and the budget would count 9 calls where AWS counts 10.
    const arn = await createStream('race', 2, 'PROVISIONED', slowKinesis);
    const now = Date.now();
    const done = { bRead: deferred(), aTagged: deferred(), bTagged: deferred(), aFinished: deferred() };
    const a = harness(
      {
        before: async (name) => {
          // A records its call only after B has read the history (so B's copy lacks A's entry).
          if (name === 'AddTagsToStreamCommand') await done.bRead.promise;
          if (name === 'UpdateShardCountCommand') await done.bTagged.promise;
        },
        after: (name) => name === 'AddTagsToStreamCommand' && done.aTagged.resolve(),
      },
      slowKinesis,
    );
    const b = harness(
      {
        before: async (name) => {
          if (name === 'AddTagsToStreamCommand') await done.aTagged.promise;
          if (name === 'UpdateShardCountCommand') await done.aFinished.promise;
        },
        after: (name) => {
          if (name === 'ListTagsForStreamCommand') done.bRead.resolve();
          if (name === 'AddTagsToStreamCommand') done.bTagged.resolve();
        },
      },
      slowKinesis,
    );
    for (const h of [a, b]) {
      h.setNow(now);
      h.setObservations(minutes(now, 30, 2, true));
    }
    const runA = runScalerTick(a.ports, environment('race', arn)).finally(() => done.aFinished.resolve());
    const results = await Promise.all([runA, runScalerTick(b.ports, environment('race', arn))]);
    expect(results.filter((r) => r.outcome === 'scaled')).toHaveLength(1);
    // A run that got as far as calling while the other's resize runs is refused by Kinesis.
    for (const r of results) if (r.outcome === 'rejected') expect(r.rejectedBy).toBe('ResourceInUseException');
    expect(a.requestedTargets.length + b.requestedTargets.length).toBeGreaterThanOrEqual(1);
    expect((await summary('race', slowKinesis)).StreamStatus).toBe('UPDATING');
    // One call accepted by AWS, one entry in the history.
    expect(await historyEntries(arn, slowKinesis)).toEqual([`${Math.ceil(now / 60_000)}.2.4`]);
  });

  test('a resize made outside the scaler (e.g. a stack update) is counted against the budget', async () => {
    const arn = await createStream('outside', 2);
    const h = harness();
    let now = Date.now();
    h.setNow(now);
    h.setObservations(minutes(now, 30, 2, true));
    expect((await runScalerTick(h.ports, environment('outside', arn))).outcome).toBe('scaled');
    await waitActive('outside');
    // Someone sets the count back to 2 (what a template's ShardCount would be).
    await kinesis.send(
      new UpdateShardCountCommand({ StreamARN: arn, TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }),
    );
    await waitActive('outside');
    now += 5 * 60_000;
    h.setNow(now);
    h.setObservations(minutes(now, 30, 1.5));
    const next = await runScalerTick(h.ports, environment('outside', arn));
    const entries = await historyEntries(arn);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toBe(`${Math.ceil(now / 60_000)}.4.2`);
    expect(next.decision?.callsRemaining).toBe(8);
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
