import { ENV, readEnvironment } from '../../lambda/shard-scaler/config';
import { DEFAULT_SCALER_CONFIG, decideShardCount } from '../../lambda/shard-scaler/decision';
import { decodeHistory, encodeHistory } from '../../lambda/shard-scaler/history';
import { MAX_CLOCK_SKEW_MS, callsInWindow } from '../../lambda/shard-scaler/limits';
import { metricDataQuery, toObservations } from '../../lambda/shard-scaler/observations';
import { runScalerTick } from '../../lambda/shard-scaler/scaler';

const NOW = Date.UTC(2026, 0, 10, 12, 0, 30);
const MINUTE = 60_000;

describe('history kept in the stream tag', () => {
  test('round-trips the calls of the last 24 hours and drops older ones', () => {
    const calls = [
      { at: NOW - 25 * 60 * MINUTE, from: 1, to: 2 },
      { at: Math.floor((NOW - 3 * MINUTE) / MINUTE) * MINUTE, from: 2, to: 4 },
      { at: Math.floor(NOW / MINUTE) * MINUTE, from: 4, to: 8 },
    ];
    const encoded = encodeHistory(calls, NOW);
    expect(encoded).toMatch(/^[0-9._]+$/);
    expect(decodeHistory(encoded, NOW)).toEqual(calls.slice(1));
  });

  test('a call mid-minute still counts until AWS releases it, 24 h after the call', () => {
    const call = { at: NOW, from: 2, to: 4 }; // 12:00:30
    const decodedAt = (now: number) => decodeHistory(encodeHistory([call], NOW), now);
    const oneSecondBeforeRelease = NOW + 24 * 60 * MINUTE - 1000;
    expect(callsInWindow(decodedAt(oneSecondBeforeRelease), oneSecondBeforeRelease)).toHaveLength(1);
  });

  test('ten calls with 10,000 shards, and the last older one, fit in a 256-character tag value', () => {
    const calls = Array.from({ length: 11 }, (_, i) => ({ at: NOW - i * 60 * MINUTE, from: 10_000, to: 5000 }));
    const encoded = encodeHistory(calls, NOW);
    expect(encoded.length).toBeLessThanOrEqual(256);
    expect(decodeHistory(encoded, NOW)).toHaveLength(11);
  });

  test('keeps the latest call even when it left the 24 h window: its `to` is the count the scaler set', () => {
    const old = { at: NOW - 30 * 60 * MINUTE, from: 4, to: 8 };
    const older = { at: NOW - 40 * 60 * MINUTE, from: 2, to: 4 };
    const kept = decodeHistory(encodeHistory([older, old], NOW), NOW);
    expect(kept).toEqual([{ ...old, at: Math.ceil(old.at / MINUTE) * MINUTE }]);
    expect(callsInWindow(kept, NOW)).toEqual([]);
  });

  test('ignores a missing or hand-edited tag instead of failing', () => {
    expect(decodeHistory(undefined, NOW)).toEqual([]);
    expect(decodeHistory('', NOW)).toEqual([]);
    expect(decodeHistory('garbage_29470000.2.4_1.x.2', 29470000 * MINUTE)).toEqual([
      { at: 29470000 * MINUTE, from: 2, to: 4 },
    ]);
  });

  test('drops entries dated in the future beyond clock skew (corrupt tag), keeps those within it', () => {
    const minute = Math.ceil(NOW / MINUTE);
    const skewed = `${minute + 2}.2.4`;
    const corrupt = `${minute + 60 * 24 * 365}.4.8`;
    expect(decodeHistory(`${skewed}_${corrupt}`, NOW)).toEqual([{ at: (minute + 2) * MINUTE, from: 2, to: 4 }]);
    expect(MAX_CLOCK_SKEW_MS).toBeGreaterThanOrEqual(2 * MINUTE);
  });

  test('a call stamped by a host whose clock runs ahead still counts against the budget', () => {
    const ahead = { at: NOW + 90_000, from: 2, to: 4 };
    expect(callsInWindow([ahead], NOW)).toEqual([ahead]);
  });
});

describe('CloudWatch observations', () => {
  test('asks for per-minute sums of the three stream metrics over complete minutes', () => {
    const query = metricDataQuery('orders', NOW, 90);
    expect(query.EndTime?.getTime()).toBe(Math.floor(NOW / MINUTE) * MINUTE);
    expect(query.StartTime?.getTime()).toBe(query.EndTime!.getTime() - 90 * MINUTE);
    expect(
      query.MetricDataQueries?.map((q) => [q.MetricStat?.Metric?.MetricName, q.MetricStat?.Period, q.MetricStat?.Stat]),
    ).toEqual([
      ['IncomingBytes', 60, 'Sum'],
      ['IncomingRecords', 60, 'Sum'],
      ['WriteProvisionedThroughputExceeded', 60, 'Sum'],
    ]);
    expect(query.MetricDataQueries?.[0].MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'StreamName', Value: 'orders' },
    ]);
  });

  test('merges the series by minute; a minute without any datapoint is missing, not zero', () => {
    const start = Date.UTC(2026, 0, 10, 12, 0);
    const at = (m: number) => new Date(start + m * MINUTE);
    const observations = toObservations(
      [
        { Id: 'incomingBytes', Timestamps: [at(3), at(0)], Values: [300, 100] },
        { Id: 'incomingRecords', Timestamps: [at(0), at(3)], Values: [1, 3] },
        { Id: 'writeThrottled', Timestamps: [at(3)], Values: [7] },
      ],
      start,
      start + 5 * MINUTE,
    );
    const gap = (m: number) => ({
      timestamp: start + m * MINUTE,
      incomingBytes: 0,
      incomingRecords: 0,
      throttledRecords: 0,
      missing: true,
    });
    expect(observations).toEqual([
      { timestamp: start, incomingBytes: 100, incomingRecords: 1, throttledRecords: 0 },
      gap(1),
      gap(2),
      { timestamp: start + 3 * MINUTE, incomingBytes: 300, incomingRecords: 3, throttledRecords: 7 },
      // The latest minute: its datapoints are still on their way (1 to 3 minutes late).
      gap(4),
    ]);
  });

  test('no datapoint at all (a stream deployed a minute ago, or a metric outage): every minute missing', () => {
    const start = Date.UTC(2026, 0, 10, 12, 0);
    const observations = toObservations([], start, start + 30 * MINUTE);
    expect(observations).toHaveLength(30);
    expect(observations.every((o) => o.missing)).toBe(true);
  });
});

describe('missing data is never zero demand', () => {
  const end = Math.floor(NOW / MINUTE) * MINUTE;
  const start = end - 30 * 60 * MINUTE;
  const MiB = 1024 * 1024;
  /** GetMetricData results with `shards` shards of bytes in each minute of `minutesAgo`. */
  const busyAt = (minutesAgo: number[], shards = 40) => [
    {
      Id: 'incomingBytes',
      Timestamps: minutesAgo.map((m) => new Date(end - m * MINUTE)),
      Values: minutesAgo.map(() => shards * MiB * 60),
    },
    {
      Id: 'incomingRecords',
      Timestamps: minutesAgo.map((m) => new Date(end - m * MINUTE)),
      Values: minutesAgo.map(() => 6000),
    },
  ];
  const decide = (results: ReturnType<typeof busyAt>, streamCreatedAt?: number) =>
    decideShardCount({
      now: NOW,
      streamCreatedAt,
      currentShards: 52,
      streamStatus: 'ACTIVE',
      observations: toObservations(results, start, end),
      history: [],
      config: { ...DEFAULT_SCALER_CONFIG, maxShards: 100 },
    });

  test('the first run after a deploy (no datapoint yet) does not halve a 52-shard stream', () => {
    const decision = decide([], NOW - 2 * MINUTE);
    expect(decision).toMatchObject({ action: 'none', to: 52 });
    expect(decision.reason).toMatch(/no datapoints yet/);
  });

  test('a metric outage on a busy stream is no reason to scale down', () => {
    // 10 shards' worth for 3 hours, then no datapoint for the last 15 minutes (NOW is 30 s past the
    // minute). With fresh data the same traffic halves the stream.
    const old = NOW - 48 * 60 * MINUTE;
    const decision = decide(
      busyAt(
        Array.from({ length: 180 }, (_, i) => 15 + i),
        10,
      ),
      old,
    );
    expect(decision).toMatchObject({ action: 'none', to: 52 });
    expect(decision.reason).toMatch(/no datapoint for 16 min/);
    expect(
      decide(
        busyAt(
          Array.from({ length: 180 }, (_, i) => 1 + i),
          10,
        ),
        old,
      ),
    ).toMatchObject({
      action: 'scale-down',
      to: 26,
    });
  });

  test('scattered gaps in the scale-down window: no scale-down on a window mostly without data', () => {
    // Busy until an hour ago; since then only every third minute has a (small) datapoint.
    const sparse = [{ Id: 'incomingBytes', Timestamps: [] as Date[], Values: [] as number[] }];
    for (let m = 2; m < 60; m += 3) {
      sparse[0].Timestamps.push(new Date(end - m * MINUTE));
      sparse[0].Values.push(MiB * 60);
    }
    const decision = decide(sparse as never, NOW - 48 * 60 * MINUTE);
    expect(decision.action).toBe('none');
    expect(decision.reason).toMatch(/of the last 20 minutes have datapoints/);
  });

  test('a stream without any datapoint for an hour, created before that, is idle and scales down', () => {
    const stopped = decide(busyAt(Array.from({ length: 60 }, (_, i) => 70 + i)), NOW - 48 * 60 * MINUTE);
    expect(stopped).toMatchObject({ action: 'scale-down', from: 52, to: 26 });
    expect(stopped.reason).toMatch(/idle/);
    // Never had traffic, but exists for two hours: idle too.
    expect(decide([], NOW - 120 * MINUTE)).toMatchObject({ action: 'scale-down', to: 26 });
  });
});

describe('environment', () => {
  const base = { [ENV.streamName]: 's', [ENV.streamArn]: 'arn:aws:kinesis:us-east-1:1:stream/s' };

  test('reads the settings the construct sets, with defaults', () => {
    const env = readEnvironment({
      ...base,
      [ENV.minShards]: '2',
      [ENV.maxShards]: '64',
      [ENV.targetUtilization]: '0.7',
    });
    expect(env.config).toEqual({ ...DEFAULT_SCALER_CONFIG, minShards: 2, maxShards: 64, targetUtilization: 0.7 });
    expect(env.topicArn).toBeUndefined();
    expect(env.metricNamespace).toBe('CdkKinesisPipeline/ShardAutoScaler');
  });

  test('fails on a missing stream or a non-number setting', () => {
    expect(() => readEnvironment({})).toThrow(/STREAM_NAME and STREAM_ARN must be set/);
    expect(() => readEnvironment({ ...base, [ENV.maxShards]: 'many' })).toThrow(
      /MAX_SHARDS must be a number. Received many/,
    );
  });

  test('fails on shard bounds that were tokens at synth time and turn out out of range', () => {
    expect(() => readEnvironment({ ...base, [ENV.minShards]: '10', [ENV.maxShards]: '5' })).toThrow(
      /MAX_SHARDS must be an integer between 10 and 10000. Received 5/,
    );
    expect(() => readEnvironment({ ...base, [ENV.minShards]: '0' })).toThrow(
      /MIN_SHARDS must be an integer between 1 and 10000. Received 0/,
    );
    expect(() => readEnvironment({ ...base, [ENV.maxCallsPer24Hours]: '11' })).toThrow(
      /MAX_CALLS_PER_24_HOURS must be an integer between 1 and 10. Received 11/,
    );
  });
});

describe('a tick whose history tag cannot be written', () => {
  test('does not scale, and the warning names the tag write, not UpdateShardCount', async () => {
    const sent: string[] = [];
    const logs: string[] = [];
    const kinesis = {
      send: async (command: object) => {
        const name = command.constructor.name;
        sent.push(name);
        if (name === 'DescribeStreamSummaryCommand') {
          return { StreamDescriptionSummary: { StreamStatus: 'ACTIVE', OpenShardCount: 2 } };
        }
        if (name === 'ListTagsForStreamCommand') return { Tags: [], HasMoreTags: false };
        if (name === 'AddTagsToStreamCommand') {
          throw Object.assign(new Error('a stream has at most 50 tags'), { name: 'LimitExceededException' });
        }
        return {};
      },
    };
    const throttled = Array.from({ length: 30 }, (_, i) => ({
      timestamp: Math.floor(NOW / MINUTE) * MINUTE - (30 - i) * MINUTE,
      incomingBytes: 2 * 1024 * 1024 * 60,
      incomingRecords: 600,
      throttledRecords: i === 29 ? 100 : 0,
    }));
    const result = await runScalerTick(
      {
        kinesis: kinesis as never,
        fetchObservations: async () => throttled,
        publishMetrics: async () => undefined,
        notify: async () => undefined,
        log: (_level, message) => void logs.push(message),
        now: () => NOW,
      },
      readEnvironment({ [ENV.streamName]: 's', [ENV.streamArn]: 'arn:aws:kinesis:us-east-1:1:stream/s' }),
    );
    expect(result).toMatchObject({ outcome: 'rejected', rejectedBy: 'LimitExceededException' });
    expect(sent).not.toContain('UpdateShardCountCommand');
    expect(logs).toContain(
      'AddTagsToStream (recording the call in the history tag) rejected; the next tick decides again',
    );
  });
});
