/**
 * The event source mapping simulator, one documented semantic at a time (docs/testing.md names
 * the AWS documentation of each). Handlers here are hand-written so that each test shows exactly
 * what Lambda does with a given response.
 */
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { PoisonRecordError, processKinesisBatch } from '../../packages/runtime/src/kinesis-batch';
import { parseFailureDocument } from '../../packages/runtime/src/redrive';
import {
  type EventSourceMappingSettings,
  type OnFailureDocument,
  type SimulatedContext,
  type SimulatedHandler,
  type SimulatedShardInput,
  type SimulationOptions,
  simulateEventSourceMapping,
} from '../../packages/runtime/src/testing';
import { fnv1a } from '../../packages/runtime/src/testing/random';
import { encodeKplAggregate } from './support/kinesis-events';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** One shard of `count` text records `r0`, `r1`, ... with keys k0..k(keys-1), round robin. */
function shard(count: number, keys = 1, extra: Partial<SimulatedShardInput> = {}): SimulatedShardInput {
  return {
    records: Array.from({ length: count }, (_, i) => ({ partitionKey: `k${i % keys}`, data: `r${i}` })),
    ...extra,
  };
}

const bodyOf = (record: KinesisStreamEvent['Records'][number]): string =>
  Buffer.from(record.kinesis.data, 'base64').toString('utf8');

/** A handler that processes every record, except those `fails` says, and answers `respond`. */
function handler(
  fails: (body: string, attempt: number) => boolean,
  respond: (failed: KinesisStreamEvent['Records']) => unknown = (failed) =>
    failed.length > 0 ? { batchItemFailures: [{ itemIdentifier: failed[0].kinesis.sequenceNumber }] } : {},
): SimulatedHandler & { invocations: string[][] } {
  const attempts = new Map<string, number>();
  const invocations: string[][] = [];
  const fn = async (event: KinesisStreamEvent, context: SimulatedContext): Promise<unknown> => {
    invocations.push(event.Records.map(bodyOf));
    const failed: KinesisStreamEvent['Records'] = [];
    for (const record of event.Records) {
      const body = bodyOf(record);
      const attempt = (attempts.get(body) ?? 0) + 1;
      attempts.set(body, attempt);
      // In order, like a per-key-ordered consumer with one key: stop at the first failure.
      if (failed.length > 0 || fails(body, attempt)) {
        failed.push(record);
        continue;
      }
      context.markProcessed({ shardId: record.eventID.split(':')[0], sequenceNumber: record.kinesis.sequenceNumber });
    }
    return respond(failed);
  };
  return Object.assign(fn, { invocations });
}

const withItemFailures: EventSourceMappingSettings = { reportBatchItemFailures: true, onFailureDestination: 's3' };

async function simulate(
  shards: SimulatedShardInput[],
  fn: SimulatedHandler,
  settings: EventSourceMappingSettings,
  options: Omit<SimulationOptions, 'settings'> = {},
) {
  return simulateEventSourceMapping(shards, fn, { settings, ...options });
}

describe('batching', () => {
  test('batches of BatchSize records, in stream order, each record delivered once on success', async () => {
    const fn = handler(() => false);
    const report = await simulate([shard(250)], fn, { batchSize: 100 });
    expect(fn.invocations.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(fn.invocations.flat()).toEqual(Array.from({ length: 250 }, (_, i) => `r${i}`));
    expect(report.records.every((r) => r.processed === 1 && r.delivered === 1 && !r.lost)).toBe(true);
    expect(report.totals).toMatchObject({ records: 250, processed: 250, invocations: 3, lost: 0 });
  });

  test('a batch stays under the 6 MB invocation payload limit', async () => {
    const big = 'x'.repeat(1024 * 1024); // 1 MiB of text: 1.33 MiB in base64
    const fn = handler(() => false);
    await simulate([{ records: Array.from({ length: 10 }, () => ({ partitionKey: 'k', data: big })) }], fn, {
      batchSize: 100,
    });
    expect(fn.invocations.map((b) => b.length)).toEqual([4, 4, 2]);
  });

  test('the batching window gathers records that arrive until it ends or the batch is full', async () => {
    const fn = handler(() => false);
    const arrivals = [0, 1000, 2000, 10_000, 11_000, 11_500, 11_600];
    await simulate(
      [{ records: arrivals.map((ms, i) => ({ partitionKey: 'k', data: `r${i}`, arrivalTimeMs: ms })) }],
      fn,
      { batchSize: 3, maximumBatchingWindowInSeconds: 5 },
      { startTimeMs: 0, invocationOverheadMs: 0 },
    );
    // 0-5 s: three records fill the batch; then r3 at 10 s waits until r5 fills it at 11.5 s.
    expect(fn.invocations).toEqual([['r0', 'r1', 'r2'], ['r3', 'r4', 'r5'], ['r6']]);
  });
});

describe('partial batch responses (ReportBatchItemFailures)', () => {
  test('Lambda checkpoints at the lowest reported record and retries from there', async () => {
    const fn = handler(
      (body, attempt) => body === 'r3' && attempt === 1,
      // Reports r5 and r3: the lowest one counts.
      (failed) =>
        failed.length > 0
          ? {
              batchItemFailures: [
                { itemIdentifier: failed[2].kinesis.sequenceNumber },
                { itemIdentifier: failed[0].kinesis.sequenceNumber },
              ],
            }
          : {},
    );
    const report = await simulate([shard(6)], fn, withItemFailures);
    expect(fn.invocations).toEqual([
      ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'],
      ['r3', 'r4', 'r5'],
    ]);
    expect(report.totals).toMatchObject({ partialFailures: 1, processed: 6, lost: 0, duplicates: 0 });
  });

  test('partial failures count as retries; when they run out, the rest goes to the on-failure destination', async () => {
    const fn = handler((body) => body === 'r2');
    const documents: OnFailureDocument[] = [];
    const report = await simulate(
      [shard(5)],
      fn,
      { ...withItemFailures, maximumRetryAttempts: 2, bisectBatchOnFunctionError: true },
      { onFailure: (document) => void documents.push(document) },
    );
    expect(fn.invocations).toEqual([
      ['r0', 'r1', 'r2', 'r3', 'r4'],
      ['r2', 'r3', 'r4'],
      ['r2', 'r3', 'r4'],
    ]);
    expect(documents).toHaveLength(1);
    expect(documents[0].requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    });
    expect(documents[0].KinesisBatchInfo.batchSize).toBe(3);
    // r3 and r4 never failed, yet never ran: the collateral issue 13 is about.
    expect(report.records.map((r) => [r.processed, r.sentToOnFailure])).toEqual([
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    expect(report.totals).toMatchObject({ sentToOnFailureUnhandled: 3, lost: 0 });
  });

  test.each([
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a bad key name', { batchItemFailures: [{ itemIdentifer: 'x' }] }],
    ['an unknown sequence number', { batchItemFailures: [{ itemIdentifier: '42' }] }],
    ['a batchItemFailures that is not a list', { batchItemFailures: 'r0' }],
  ])('%s fails the whole batch: retried from its start', async (_name, response) => {
    let calls = 0;
    const fn: SimulatedHandler = async (event, context) => {
      calls++;
      for (const r of event.Records)
        context.markProcessed({ shardId: 'shardId-000000000000', sequenceNumber: r.kinesis.sequenceNumber });
      return calls === 1 ? response : {};
    };
    const report = await simulate([shard(3)], fn, withItemFailures);
    expect(calls).toBe(2);
    expect(report.totals).toMatchObject({ invalidResponses: 1, functionErrors: 1, duplicates: 3, lost: 0 });
  });

  test.each([
    ['no response', undefined],
    ['null', null],
    ['an empty object', {}],
    ['a null list', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('%s is a complete success', async (_name, response) => {
    const report = await simulate([shard(3)], async () => response, withItemFailures);
    expect(report.totals).toMatchObject({ invocations: 1, functionErrors: 0, partialFailures: 0 });
  });

  test('without ReportBatchItemFailures the response is not read: reported records are checkpointed, and lost', async () => {
    const fn = handler((body) => body === 'r1');
    const report = await simulate([shard(3)], fn, { onFailureDestination: 's3' });
    expect(fn.invocations).toHaveLength(1);
    expect(report.records.map((r) => [r.processed, r.lost, r.lostBecause])).toEqual([
      [1, false, undefined],
      [0, true, 'checkpointed-unprocessed'],
      [0, true, 'checkpointed-unprocessed'],
    ]);
  });
});

describe('function errors, bisecting and retries', () => {
  const throwsOn =
    (bad: string): SimulatedHandler =>
    async (event, context) => {
      for (const r of event.Records) {
        if (bodyOf(r) === bad) throw new Error('crash');
      }
      for (const r of event.Records)
        context.markProcessed({ shardId: 'shardId-000000000000', sequenceNumber: r.kinesis.sequenceNumber });
    };

  test('bisecting splits a failing batch in halves until the bad record is alone; splits are not retries', async () => {
    const batches: string[][] = [];
    const inner = throwsOn('r5');
    const fn: SimulatedHandler = (event, context) => {
      batches.push(event.Records.map(bodyOf));
      return inner(event, context);
    };
    const report = await simulate([shard(8)], fn, {
      onFailureDestination: 's3',
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 1,
    });
    expect(batches).toEqual([
      ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'],
      ['r0', 'r1', 'r2', 'r3'],
      ['r4', 'r5', 'r6', 'r7'],
      ['r4', 'r5'],
      ['r4'],
      ['r5'],
      ['r5'], // the one retry
      ['r6', 'r7'],
    ]);
    expect(report.records.filter((r) => r.sentToOnFailure > 0).map((r) => r.sequenceNumber)).toEqual([
      report.records[5].sequenceNumber,
    ]);
    expect(report.totals).toMatchObject({ bisections: 3, processed: 7, lost: 0 });
  });

  test('without bisecting, the whole batch is retried, then discarded', async () => {
    const report = await simulate([shard(4)], throwsOn('r1'), {
      onFailureDestination: 's3',
      maximumRetryAttempts: 2,
    });
    expect(report.totals).toMatchObject({
      invocations: 3,
      functionErrors: 3,
      sentToOnFailure: 4,
      processed: 0,
      lost: 0,
    });
    expect(report.onFailureDocuments[0].responseContext).toEqual({
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
  });

  test('without an on-failure destination, discarded records are lost', async () => {
    const report = await simulate([shard(2)], throwsOn('r0'), { maximumRetryAttempts: 0 });
    expect(report.records.map((r) => r.lostBecause)).toEqual(['discarded', 'discarded']);
    expect(report.onFailureDocuments).toEqual([]);
  });

  test('a destination that refuses the document loses the records (DroppedEventCount)', async () => {
    const report = await simulate(
      [shard(2)],
      throwsOn('r0'),
      { onFailureDestination: 'sqs', maximumRetryAttempts: 0 },
      {
        onFailure: async () => {
          throw new Error('AccessDenied');
        },
      },
    );
    expect(report.totals).toMatchObject({ destinationDeliveryFailures: 1, lost: 2 });
    expect(report.records[0].lostBecause).toBe('destination-failed');
  });
});

describe('on-failure destinations', () => {
  const failing: SimulatedHandler = async () => {
    throw new Error('down');
  };

  test('S3 keeps the payload: the redrive parser gets the exact records back', async () => {
    const payloads = [Buffer.from([0, 1, 2, 0xff]), Buffer.from('{"a":1}')];
    const report = await simulate(
      [{ shardId: 'shardId-000000000007', records: payloads.map((data, i) => ({ partitionKey: `key-${i}`, data })) }],
      failing,
      { onFailureDestination: 's3', maximumRetryAttempts: 0 },
    );
    const [document] = report.onFailureDocuments;
    expect(document.payload?.Records).toHaveLength(2);
    const plan = parseFailureDocument(JSON.parse(JSON.stringify(document)));
    expect(plan.records.map((r) => [Buffer.from(r.data), r.partitionKey, r.origin?.shardId])).toEqual([
      [payloads[0], 'key-0', 'shardId-000000000007'],
      [payloads[1], 'key-1', 'shardId-000000000007'],
    ]);
    expect(report.records.every((r) => r.onFailurePayloadKept)).toBe(true);
  });

  test.each(['sqs', 'sns'] as const)(
    '%s gets the metadata only: a sequence range to read back',
    async (destination) => {
      const report = await simulate([shard(3)], failing, {
        onFailureDestination: destination,
        maximumRetryAttempts: 0,
      });
      const [document] = report.onFailureDocuments;
      expect(document).not.toHaveProperty('payload');
      expect(Object.keys(document.KinesisBatchInfo).sort()).toEqual([
        'approximateArrivalOfFirstRecord',
        'approximateArrivalOfLastRecord',
        'batchSize',
        'endSequenceNumber',
        'shardId',
        'startSequenceNumber',
        'streamArn',
      ]);
      const plan = parseFailureDocument(document);
      expect(plan.records).toEqual([]);
      expect(plan.ranges).toHaveLength(1);
      expect(report.records.every((r) => r.sentToOnFailure === 1 && !r.onFailurePayloadKept && !r.lost)).toBe(true);
    },
  );
});

describe('time: timeouts, record age and retention', () => {
  test('an invocation that runs past the timeout fails; what it did after the timeout never happened', async () => {
    let calls = 0;
    const fn: SimulatedHandler = async (event, context) => {
      calls++;
      for (const r of event.Records) {
        context.spend(calls === 1 ? 1500 : 10); // 3 s timeout: the third record is past it
        context.markProcessed({ shardId: 'shardId-000000000000', sequenceNumber: r.kinesis.sequenceNumber });
      }
    };
    const report = await simulate([shard(3)], fn, { functionTimeoutSeconds: 3 });
    expect(report.totals).toMatchObject({ timeouts: 1, invocations: 2, lost: 0 });
    expect(report.records.map((r) => r.processed)).toEqual([2, 2, 1]);
  });

  test('records older than MaximumRecordAgeInSeconds are discarded before the invocation (RecordAgeExceeded)', async () => {
    const fn: SimulatedHandler = async (_event, context) => {
      context.spend(25_000);
      throw new Error('slow and failing');
    };
    const report = await simulate([shard(2)], fn, {
      onFailureDestination: 'sqs',
      maximumRecordAgeInSeconds: 60,
      functionTimeoutSeconds: 60,
    });
    // At 0 s, 25 s and 50 s: three failed invocations; at 75 s the records are too old.
    expect(report.totals.invocations).toBe(3);
    expect(report.onFailureDocuments).toHaveLength(1);
    expect(report.onFailureDocuments[0].requestContext.condition).toBe('RecordAgeExceeded');
    expect(report.onFailureDocuments[0]).not.toHaveProperty('responseContext');
  });

  test('with unbounded retries and age, a failing record blocks its shard until retention trims it', async () => {
    const fn: SimulatedHandler = async (_event, context) => {
      context.spend(900_000);
      throw new Error('never works');
    };
    const report = await simulate([shard(2)], fn, { functionTimeoutSeconds: 900, onFailureDestination: 's3' });
    // 24 h of 15-minute invocations, then the records are gone.
    expect(report.totals.invocations).toBe(96);
    expect(report.records.map((r) => r.lostBecause)).toEqual(['expired', 'expired']);
  });

  test('the simulation stops a shard after maxInvocationsPerShard and reports what it did not reach', async () => {
    const fn: SimulatedHandler = async () => {
      throw new Error('never works');
    };
    const report = await simulate([shard(3)], fn, {}, { maxInvocationsPerShard: 5 });
    expect(report.totals).toMatchObject({ invocations: 5, stoppedShards: 1, lost: 3 });
    expect(report.records[0].lostBecause).toBe('not-reached');
  });
});

describe('delivery and order', () => {
  test('duplicate delivery: a successful batch can come again (at least once)', async () => {
    const fn = handler(() => false);
    const report = await simulate([shard(10)], fn, { batchSize: 5 }, { duplicateDeliveryRate: 1 });
    expect(fn.invocations).toHaveLength(4);
    expect(report.totals).toMatchObject({ duplicateDeliveries: 2, duplicates: 10, lost: 0 });
  });

  test('a record processed while an earlier record of its key is still pending is out of order', async () => {
    const fn: SimulatedHandler = async (event, context) => {
      for (const r of [...event.Records].reverse()) {
        context.markProcessed({ shardId: 'shardId-000000000000', sequenceNumber: r.kinesis.sequenceNumber });
      }
    };
    const report = await simulate([shard(4, 2)], fn, {});
    // k0: r0, r2; k1: r1, r3 - processed r3, r2, r1, r0.
    expect(report.records.map((r) => r.outOfOrder)).toEqual([false, false, true, true]);
  });

  test('ParallelizationFactor: concurrent batches per shard, each key always in the same one', async () => {
    const fn = handler((body) => body === 'r0');
    const report = await simulate([shard(40, 8)], fn, {
      ...withItemFailures,
      parallelizationFactor: 4,
      maximumRetryAttempts: 0,
    });
    const partitionOf = (body: string): number => fnv1a(`k${Number(body.slice(1)) % 8}`) % 4;
    for (const batch of fn.invocations) expect(new Set(batch.map(partitionOf)).size).toBe(1);
    // The failing r0 holds back its own partition only: every other record is processed.
    for (const [index, record] of report.records.entries()) {
      if (partitionOf(`r${index}`) !== partitionOf('r0')) expect(record.processed).toBe(1);
    }
    expect(report.totals.lost).toBe(0);
  });

  test('KPL aggregates are reported per user record', async () => {
    const aggregate = encodeKplAggregate([
      { partitionKey: 'a', data: Buffer.from('{"n":1}') },
      { partitionKey: 'b', data: Buffer.from('{"n":2}') },
    ]);
    const report = await simulateEventSourceMapping(
      [{ records: [{ partitionKey: 'outer', data: aggregate }] }],
      (event, context) => processKinesisBatch(event, () => undefined, { context, logger: silent, metrics: false }),
    );
    expect(report.records.map((r) => [r.partitionKey, r.subSequenceNumber, r.processed])).toEqual([
      ['a', 0, 1],
      ['b', 1, 1],
    ]);
  });

  test('the same seed gives the same simulation', async () => {
    const run = () =>
      simulateEventSourceMapping(
        [shard(50, 5), shard(30, 3)],
        handler(() => false),
        {
          settings: { batchSize: 7 },
          duplicateDeliveryRate: 0.3,
          seed: 42,
        },
      );
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.records).toEqual(b.records);
    expect(a.totals.duplicateDeliveries).toBeGreaterThan(0);
  });
});

describe('with the runtime toolkit', () => {
  test('processKinesisBatch reports processed and quarantined records through the simulated context', async () => {
    const report = await simulateEventSourceMapping(
      [
        {
          records: ['{"ok":1}', '{"poison":true}', 'not json', '{"ok":2}'].map((data) => ({ partitionKey: 'k', data })),
        },
      ],
      (event, context) =>
        processKinesisBatch<{ poison?: boolean }>(
          event,
          (r) => {
            if (r.body.poison) throw new PoisonRecordError('poison');
          },
          { context, logger: silent, metrics: false },
        ),
      { settings: withItemFailures },
    );
    expect(report.records.map((r) => [r.processed, r.quarantined])).toEqual([
      [1, 0],
      [0, 1],
      [0, 1],
      [1, 0],
    ]);
    expect(report.quarantined.map((q) => q.reason)).toEqual(['PoisonRecordError', 'DecodeError']);
  });

  test('a record reported that was never delivered is an error in the handler, not a silent pass', async () => {
    await expect(
      simulateEventSourceMapping([shard(1)], async (_event, context) => {
        context.markProcessed({ shardId: 'shardId-000000000000', sequenceNumber: '1' });
      }),
    ).rejects.toThrow(/never delivered/);
  });

  test.each([
    [{ batchSize: 0 }, /batchSize must be an integer between 1 and 10000\. Received 0/],
    [{ maximumRetryAttempts: -2 }, /maximumRetryAttempts must be an integer between 0 and 10000\. Received -2/],
    [{ maximumRecordAgeInSeconds: 59 }, /maximumRecordAgeInSeconds must be an integer between 60 and 604800/],
    [{ functionTimeoutSeconds: 901 }, /functionTimeoutSeconds must be between 1 and 900\. Received 901/],
  ] as Array<[EventSourceMappingSettings, RegExp]>)('settings %p are rejected', async (settings, message) => {
    await expect(simulateEventSourceMapping([shard(1)], async () => undefined, { settings })).rejects.toThrow(message);
  });
});

export type { KinesisStreamBatchResponse };
