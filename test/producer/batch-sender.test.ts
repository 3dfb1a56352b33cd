import fc from 'fast-check';
import { BatchSender, type BatchTransport, type WireEntry } from '../../packages/runtime/src/producer/batch-sender';
import { fullJitterDelay } from '../../packages/runtime/src/producer';
import type { EntryOutcome } from '../../packages/runtime/src/producer';

const LIMITS = { maxRecordsPerRequest: 5, maxBytesPerRequest: 100 };

function entry(id: number, size: number): WireEntry {
  return { data: new Uint8Array(size), sizeInBytes: size, records: [{ data: String(id) }], payloadBytes: size };
}
const idOf = (e: WireEntry) => Number(e.records[0].data);

/** A transport whose answer per entry is decided by `decide(id, attempt)`; records every call. */
function fakeTransport(decide: (id: number, attempt: number) => EntryOutcome | 'throw-call' = () => ({})) {
  const calls: number[][] = [];
  const attempts = new Map<number, number>();
  const transport: BatchTransport = {
    isRetryableEntryError: (code) => code === 'Throttled' || code === 'InternalFailure',
    isThrottlingError: (code) => code === 'Throttled',
    isRetryableCallError: (error) => (error as Error).name === 'Throttled',
    send: async (entries) => {
      calls.push(entries.map(idOf));
      const outcomes = entries.map((e) => {
        const attempt = (attempts.get(idOf(e)) ?? 0) + 1;
        attempts.set(idOf(e), attempt);
        return decide(idOf(e), attempt);
      });
      if (outcomes.includes('throw-call')) {
        const error = new Error('Rate exceeded');
        error.name = 'Throttled';
        throw error;
      }
      return outcomes as EntryOutcome[];
    },
  };
  return { transport, calls };
}

const noSleep = async () => undefined;

describe('batching', () => {
  test('property: every batch respects the record and byte limits, and every entry is sent once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 60 }), async (sizes) => {
        const { transport, calls } = fakeTransport();
        const sender = new BatchSender(transport, LIMITS, { maxConcurrentRequests: 1 });
        for (const [i, size] of sizes.entries()) await sender.add(entry(i, size));
        const report = await sender.flush();
        expect(report.recordsSent).toBe(sizes.length);
        expect(report.unsent).toEqual([]);
        expect(calls.flat()).toEqual(sizes.map((_, i) => i));
        for (const call of calls) {
          expect(call.length).toBeGreaterThan(0);
          expect(call.length).toBeLessThanOrEqual(LIMITS.maxRecordsPerRequest);
          expect(call.reduce((sum, id) => sum + sizes[id], 0)).toBeLessThanOrEqual(LIMITS.maxBytesPerRequest);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('cuts a batch at 5 entries even when bytes allow more', async () => {
    const { transport, calls } = fakeTransport();
    const sender = new BatchSender(transport, LIMITS);
    for (let i = 0; i < 12; i++) await sender.add(entry(i, 1));
    await sender.flush();
    expect(calls.map((c) => c.length)).toEqual([5, 5, 2]);
  });

  test('flush returns the report since the previous flush', async () => {
    const { transport } = fakeTransport();
    const sender = new BatchSender(transport, LIMITS);
    await sender.add(entry(1, 1));
    expect((await sender.flush()).recordsSent).toBe(1);
    expect((await sender.flush()).recordsSent).toBe(0);
  });
});

describe('retries', () => {
  test('only the failed entries are sent again, in their original order', async () => {
    const { transport, calls } = fakeTransport((id, attempt) =>
      id % 2 === 0 && attempt === 1 ? { errorCode: 'Throttled', errorMessage: 'slow down' } : {},
    );
    const sleeps: number[] = [];
    const sender = new BatchSender(transport, LIMITS, {
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
    });
    for (let i = 0; i < 5; i++) await sender.add(entry(i, 1));
    const report = await sender.flush();
    expect(calls).toEqual([
      [0, 1, 2, 3, 4],
      [0, 2, 4],
    ]);
    expect(report).toMatchObject({ recordsSent: 5, requests: 2, throttledEntries: 3, retriedEntries: 3, unsent: [] });
    expect(sleeps).toEqual([50]); // full jitter: 0.5 × 100 ms
  });

  test('gives up after maxAttempts and reports the records with the last error', async () => {
    const { transport, calls } = fakeTransport((id) =>
      id === 1 ? { errorCode: 'Throttled', errorMessage: 'Rate exceeded' } : {},
    );
    const sender = new BatchSender(transport, LIMITS, { sleep: noSleep, backoff: { maxAttempts: 3 } });
    await sender.add(entry(0, 1));
    await sender.add(entry(1, 1));
    const report = await sender.flush();
    expect(calls).toEqual([[0, 1], [1], [1]]);
    expect(report.recordsSent).toBe(1);
    expect(report.unsent).toEqual([
      { record: { data: '1' }, errorCode: 'Throttled', errorMessage: 'Rate exceeded', attempts: 3 },
    ]);
  });

  test('stops retrying when the time budget is spent', async () => {
    let now = 0;
    const { transport, calls } = fakeTransport(() => ({ errorCode: 'Throttled' }));
    const sender = new BatchSender(transport, LIMITS, {
      now: () => now,
      sleep: async (ms) => void (now += ms),
      random: () => 0.999,
      backoff: { maxAttempts: 100, maxRetryDurationInMillis: 1000, baseDelayInMillis: 100 },
    });
    await sender.add(entry(0, 1));
    const report = await sender.flush();
    // delays ≈ 99 + 199 + 399 = 697 ms; the next (799) would pass 1000 ms
    expect(calls).toHaveLength(4);
    expect(now).toBeLessThanOrEqual(1000);
    expect(report.unsent).toHaveLength(1);
  });

  test('non-retryable entry errors are reported at once, without a retry', async () => {
    const { transport, calls } = fakeTransport((id) =>
      id === 0 ? { errorCode: 'KMSAccessDeniedException', errorMessage: 'denied' } : {},
    );
    const sender = new BatchSender(transport, LIMITS, { sleep: noSleep });
    await sender.add(entry(0, 1));
    await sender.add(entry(1, 1));
    const report = await sender.flush();
    expect(calls).toEqual([[0, 1]]);
    expect(report.unsent.map((u) => [u.record.data, u.errorCode, u.attempts])).toEqual([
      ['0', 'KMSAccessDeniedException', 1],
    ]);
  });

  test('a throttled whole call is retried; a non-retryable whole call reports every record', async () => {
    const throttledOnce = fakeTransport((_id, attempt) => (attempt === 1 ? 'throw-call' : {}));
    const sender = new BatchSender(throttledOnce.transport, LIMITS, { sleep: noSleep });
    await sender.add(entry(0, 1));
    await sender.add(entry(1, 1));
    expect(await sender.flush()).toMatchObject({ recordsSent: 2, requests: 2, throttledEntries: 2, unsent: [] });

    const failing: BatchTransport = {
      ...throttledOnce.transport,
      send: async () => {
        const error = new Error('Stream x under account 1 not found.');
        error.name = 'ResourceNotFoundException';
        throw error;
      },
    };
    const broken = new BatchSender(failing, LIMITS, { sleep: noSleep });
    await broken.add(entry(0, 1));
    await broken.add(entry(1, 1));
    const report = await broken.flush();
    expect(report.requests).toBe(1);
    expect(report.unsent.map((u) => u.errorCode)).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException']);
  });

  test('property: every entry ends up sent exactly once or reported, whatever fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.func(
          fc.constantFrom<EntryOutcome | 'throw-call'>(
            {},
            {},
            { errorCode: 'Throttled' },
            { errorCode: 'Fatal' },
            'throw-call',
          ),
        ),
        fc.integer({ min: 1, max: 4 }),
        async (count, decide, concurrency) => {
          const delivered: number[] = [];
          const { transport } = fakeTransport((id, attempt) => decide(id, attempt));
          const recording: BatchTransport = {
            ...transport,
            send: async (entries) => {
              const outcomes = await transport.send(entries);
              entries.forEach((e, i) => !outcomes[i].errorCode && delivered.push(idOf(e)));
              return outcomes;
            },
          };
          const sender = new BatchSender(recording, LIMITS, {
            sleep: noSleep,
            maxConcurrentRequests: concurrency,
            backoff: { maxAttempts: 4 },
          });
          for (let i = 0; i < count; i++) await sender.add(entry(i, 7));
          const report = await sender.flush();
          const unsent = report.unsent.map((u) => Number(u.record.data));
          expect(new Set(delivered).size).toBe(delivered.length);
          expect([...delivered, ...unsent].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
          expect(report.recordsSent).toBe(delivered.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('rejects invalid options, naming the option and the value', () => {
    const { transport } = fakeTransport();
    expect(() => new BatchSender(transport, LIMITS, { maxConcurrentRequests: 0 })).toThrow(
      /maxConcurrentRequests.*Received 0/,
    );
    expect(() => new BatchSender(transport, LIMITS, { backoff: { maxAttempts: 0.5 } })).toThrow(
      /maxAttempts.*Received 0.5/,
    );
  });
});

describe('fullJitterDelay', () => {
  test('property: within [0, min(max, base·2^retry))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (retry, r) => {
        const delay = fullJitterDelay(retry, { baseDelayInMillis: 100, maxDelayInMillis: 5000 }, r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(5000, 100 * 2 ** retry));
      }),
    );
  });
});
