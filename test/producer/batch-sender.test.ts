import fc from 'fast-check';
import {
  BatchSender,
  type BatchSenderOptions,
  type BatchTransport,
} from '../../packages/runtime/src/producer/batch-sender';
import { plainPacker } from '../../packages/runtime/src/producer/packing';
import type { QueuedItem, WireEntry } from '../../packages/runtime/src/producer/wire';
import { fullJitterDelay } from '../../packages/runtime/src/producer';
import type { EntryOutcome } from '../../packages/runtime/src/producer';

const LIMITS = { maxRecordsPerRequest: 5, maxBytesPerRequest: 100 };

function item(id: number, size: number, partitionKey?: string): QueuedItem {
  return {
    record: { data: String(id), partitionKey },
    data: new Uint8Array(size),
    partitionKey,
    sizeInBytes: size,
    payloadBytes: size,
  };
}
const idOf = (e: WireEntry) => Number(e.items[0].record.data);

/** A transport whose answer per entry is decided by `decide(id, attempt)`; records every call. */
function fakeTransport(decide: (id: number, attempt: number) => EntryOutcome | Error = () => ({})) {
  const calls: number[][] = [];
  const attempts = new Map<number, number>();
  const transport: BatchTransport = {
    isRetryableEntryError: (code) => code === 'Throttled' || code === 'InternalFailure',
    isThrottlingError: (code) => code === 'Throttled',
    isRetryableCallError: (error) => ['Throttled', 'TimeoutError'].includes((error as Error).name),
    isCallErrorWithoutWrite: (error) => (error as Error).name !== 'TimeoutError',
    send: async (entries) => {
      calls.push(entries.map(idOf));
      const outcomes = entries.map((e) => {
        const attempt = (attempts.get(idOf(e)) ?? 0) + 1;
        attempts.set(idOf(e), attempt);
        return decide(idOf(e), attempt);
      });
      const thrown = outcomes.find((o) => o instanceof Error);
      if (thrown) throw thrown;
      return outcomes as EntryOutcome[];
    },
  };
  return { transport, calls };
}

function callError(name: string): Error {
  const error = new Error(name === 'Throttled' ? 'Rate exceeded' : 'socket timed out');
  error.name = name;
  return error;
}

/** A timer that fires only when the test says so. */
function manualTimer() {
  let pending: (() => void) | undefined;
  return {
    setTimer: (callback: () => void) => {
      pending = callback;
      return () => (pending = undefined);
    },
    fire: () => {
      const callback = pending;
      pending = undefined;
      callback?.();
    },
    get armed() {
      return pending !== undefined;
    },
  };
}

const noSleep = async () => undefined;

function sender(transport: BatchTransport, options: BatchSenderOptions = {}): BatchSender {
  return new BatchSender(
    transport,
    LIMITS,
    { pack: plainPacker, maxBufferedItems: LIMITS.maxRecordsPerRequest },
    { setTimer: manualTimer().setTimer, ...options },
  );
}

describe('batching', () => {
  test('property: every batch respects the record and byte limits, and every entry is sent once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 60 }), async (sizes) => {
        const { transport, calls } = fakeTransport();
        const s = sender(transport, { maxConcurrentRequests: 1 });
        for (const [i, size] of sizes.entries()) await s.add(item(i, size));
        const report = await s.flush();
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
    const s = sender(transport);
    for (let i = 0; i < 12; i++) await s.add(item(i, 1));
    await s.flush();
    expect(calls.map((c) => c.length)).toEqual([5, 5, 2]);
  });

  test('flush returns the report since the previous flush', async () => {
    const { transport } = fakeTransport();
    const s = sender(transport);
    await s.add(item(1, 1));
    expect((await s.flush()).recordsSent).toBe(1);
    expect((await s.flush()).recordsSent).toBe(0);
  });
});

describe('maxBufferedTimeInMillis', () => {
  test('a record waits at most maxBufferedTime: the timer sends a part-full batch without flush()', async () => {
    const { transport, calls } = fakeTransport();
    const timer = manualTimer();
    const delays: number[] = [];
    const s = sender(transport, {
      maxBufferedTimeInMillis: 250,
      setTimer: (callback, millis) => {
        delays.push(millis);
        return timer.setTimer(callback);
      },
    });
    await s.add(item(0, 1));
    await s.add(item(1, 1));
    expect(calls).toEqual([]);
    expect(delays).toEqual([250]); // armed once, by the first record
    timer.fire();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([[0, 1]]);
    // progress counts what the service acknowledged, before any flush
    expect(s.peek().recordsSent).toBe(2);
    expect(timer.armed).toBe(false);
    await s.add(item(2, 1));
    expect(timer.armed).toBe(true);
    expect((await s.flush()).recordsSent).toBe(3);
  });

  test('rejects a negative or non-finite maxBufferedTime', () => {
    const { transport } = fakeTransport();
    expect(() => sender(transport, { maxBufferedTimeInMillis: -1 })).toThrow(/maxBufferedTimeInMillis.*Received -1/);
    expect(() => sender(transport, { maxBufferedTimeInMillis: NaN })).toThrow(/Received NaN/);
  });
});

describe('order with one call in flight', () => {
  test('a throttled entry is written before any later record of its key', async () => {
    const written: string[] = [];
    const { transport, calls } = fakeTransport((id, attempt) =>
      id === 0 && attempt === 1 ? { errorCode: 'Throttled' } : {},
    );
    const recording: BatchTransport = {
      ...transport,
      send: async (entries) => {
        const outcomes = await transport.send(entries);
        entries.forEach((e, i) => !outcomes[i].errorCode && written.push(e.items[0].record.partitionKey!));
        return outcomes;
      },
    };
    const s = sender(recording, { maxConcurrentRequests: 1, sleep: noSleep });
    const keys = ['a', 'b', 'a', 'c', 'a'];
    for (const [i, key] of keys.entries()) await s.add(item(i, 1, key));
    await s.flush();
    // one entry per key per call: a1 b c, then a1 again (retry), then a2, then a3
    expect(calls).toEqual([[0, 1, 3], [0], [2], [4]]);
    expect(written.filter((k) => k === 'a')).toHaveLength(3);
    expect(calls.flat().filter((id) => keys[id] === 'a')).toEqual([0, 0, 2, 4]);
  });

  test('property: under random throttling, each key is written in the order it was put', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 40 }),
        fc.func(fc.constantFrom<EntryOutcome | 'throw'>({}, {}, { errorCode: 'Throttled' }, 'throw')),
        async (keys, decide) => {
          const written: number[] = [];
          const { transport } = fakeTransport((id, attempt) => {
            const outcome = decide(id, attempt);
            return outcome === 'throw' ? callError('Throttled') : outcome;
          });
          const recording: BatchTransport = {
            ...transport,
            send: async (entries) => {
              const outcomes = await transport.send(entries);
              entries.forEach((e, i) => !outcomes[i].errorCode && written.push(idOf(e)));
              return outcomes;
            },
          };
          const s = sender(recording, { maxConcurrentRequests: 1, sleep: noSleep, backoff: { maxAttempts: 3 } });
          for (const [i, key] of keys.entries()) await s.add(item(i, 3, key));
          await s.flush();
          for (const key of new Set(keys)) {
            const ofKey = written.filter((id) => keys[id] === key);
            expect(ofKey).toEqual([...ofKey].sort((x, y) => x - y));
          }
        },
      ),
      { numRuns: 150, seed: 14 },
    );
  });
});

describe('retries', () => {
  test('only the failed entries are sent again, in their original order', async () => {
    const { transport, calls } = fakeTransport((id, attempt) =>
      id % 2 === 0 && attempt === 1 ? { errorCode: 'Throttled', errorMessage: 'slow down' } : {},
    );
    const sleeps: number[] = [];
    const s = sender(transport, { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });
    for (let i = 0; i < 5; i++) await s.add(item(i, 1));
    const report = await s.flush();
    expect(calls).toEqual([
      [0, 1, 2, 3, 4],
      [0, 2, 4],
    ]);
    expect(report).toMatchObject({ recordsSent: 5, requests: 2, throttledEntries: 3, retriedEntries: 3, unsent: [] });
    expect(sleeps).toEqual([50]); // full jitter: 0.5 × 100 ms
  });

  test('gives up after maxAttempts and reports the records as failed, with the last error', async () => {
    const { transport, calls } = fakeTransport((id) =>
      id === 1 ? { errorCode: 'Throttled', errorMessage: 'Rate exceeded' } : {},
    );
    const s = sender(transport, { sleep: noSleep, backoff: { maxAttempts: 3 } });
    await s.add(item(0, 1));
    await s.add(item(1, 1));
    const report = await s.flush();
    expect(calls).toEqual([[0, 1], [1], [1]]);
    expect(report.recordsSent).toBe(1);
    const failed = {
      record: { data: '1' },
      outcome: 'failed',
      errorCode: 'Throttled',
      errorMessage: 'Rate exceeded',
      attempts: 3,
    };
    expect(report.failed).toEqual([failed]);
    expect(report.unsent).toEqual([failed]);
    expect(report.unknown).toEqual([]);
  });

  test('a call that timed out leaves its records unknown: retried, and reported unknown (not failed) if never acknowledged', async () => {
    const { transport, calls } = fakeTransport((_id, attempt) =>
      attempt === 1 ? callError('TimeoutError') : { errorCode: 'Throttled', errorMessage: 'Rate exceeded' },
    );
    const s = sender(transport, { sleep: noSleep, backoff: { maxAttempts: 3 } });
    await s.add(item(0, 1));
    const report = await s.flush();
    expect(calls).toHaveLength(3);
    expect(report.failed).toEqual([]);
    // the timed-out call may have written it: sending it again can duplicate it
    expect(report.unknown).toEqual([
      { record: { data: '0' }, outcome: 'unknown', errorCode: 'Throttled', errorMessage: 'Rate exceeded', attempts: 3 },
    ]);
  });

  test('a timeout followed by an acknowledgement counts as sent (at-least-once: the first call may have written it too)', async () => {
    const { transport } = fakeTransport((_id, attempt) => (attempt === 1 ? callError('TimeoutError') : {}));
    const s = sender(transport, { sleep: noSleep });
    await s.add(item(0, 1));
    expect(await s.flush()).toMatchObject({ recordsSent: 1, unknown: [], failed: [] });
  });

  test('stops retrying when the time budget is spent', async () => {
    let now = 0;
    const { transport, calls } = fakeTransport(() => ({ errorCode: 'Throttled' }));
    const s = sender(transport, {
      now: () => now,
      sleep: async (ms) => void (now += ms),
      random: () => 0.999,
      backoff: { maxAttempts: 100, maxRetryDurationInMillis: 1000, baseDelayInMillis: 100 },
    });
    await s.add(item(0, 1));
    const report = await s.flush();
    // delays ≈ 99 + 199 + 399 = 697 ms; the next (799) would pass 1000 ms
    expect(calls).toHaveLength(4);
    expect(now).toBeLessThanOrEqual(1000);
    expect(report.failed).toHaveLength(1);
  });

  test('non-retryable entry errors are reported at once, without a retry', async () => {
    const { transport, calls } = fakeTransport((id) =>
      id === 0 ? { errorCode: 'KMSAccessDeniedException', errorMessage: 'denied' } : {},
    );
    const s = sender(transport, { sleep: noSleep });
    await s.add(item(0, 1));
    await s.add(item(1, 1));
    const report = await s.flush();
    expect(calls).toEqual([[0, 1]]);
    expect(report.failed.map((u) => [u.record.data, u.errorCode, u.attempts])).toEqual([
      ['0', 'KMSAccessDeniedException', 1],
    ]);
  });

  test('a throttled whole call is retried; a non-retryable whole call reports every record', async () => {
    const throttledOnce = fakeTransport((_id, attempt) => (attempt === 1 ? callError('Throttled') : {}));
    const s = sender(throttledOnce.transport, { sleep: noSleep });
    await s.add(item(0, 1));
    await s.add(item(1, 1));
    expect(await s.flush()).toMatchObject({ recordsSent: 2, requests: 2, throttledEntries: 2, unsent: [] });

    const failing: BatchTransport = {
      ...throttledOnce.transport,
      send: async () => {
        const error = new Error('Stream x under account 1 not found.');
        error.name = 'ResourceNotFoundException';
        throw error;
      },
    };
    const broken = sender(failing, { sleep: noSleep });
    await broken.add(item(0, 1));
    await broken.add(item(1, 1));
    const report = await broken.flush();
    expect(report.requests).toBe(1);
    expect(report.failed.map((u) => u.errorCode)).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException']);
  });

  test('property: every entry ends up sent exactly once or reported, whatever fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.func(
          fc.constantFrom<EntryOutcome | 'throttle' | 'timeout'>(
            {},
            {},
            { errorCode: 'Throttled' },
            { errorCode: 'Fatal' },
            'throttle',
            'timeout',
          ),
        ),
        fc.integer({ min: 1, max: 4 }),
        async (count, decide, concurrency) => {
          const delivered: number[] = [];
          const { transport } = fakeTransport((id, attempt) => {
            const outcome = decide(id, attempt);
            if (outcome === 'throttle') return callError('Throttled');
            if (outcome === 'timeout') return callError('TimeoutError');
            return outcome;
          });
          const recording: BatchTransport = {
            ...transport,
            send: async (entries) => {
              const outcomes = await transport.send(entries);
              entries.forEach((e, i) => !outcomes[i].errorCode && delivered.push(idOf(e)));
              return outcomes;
            },
          };
          const s = sender(recording, {
            sleep: noSleep,
            maxConcurrentRequests: concurrency,
            backoff: { maxAttempts: 4 },
          });
          for (let i = 0; i < count; i++) await s.add(item(i, 7));
          const report = await s.flush();
          const unsent = report.unsent.map((u) => Number(u.record.data));
          expect(new Set(delivered).size).toBe(delivered.length);
          expect([...delivered, ...unsent].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
          expect(report.recordsSent).toBe(delivered.length);
          expect(report.unsent).toHaveLength(report.failed.length + report.unknown.length + report.rejected.length);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });

  test('rejects invalid options, naming the option and the value', () => {
    const { transport } = fakeTransport();
    expect(() => sender(transport, { maxConcurrentRequests: 0 })).toThrow(/maxConcurrentRequests.*Received 0/);
    expect(() => sender(transport, { backoff: { maxAttempts: 0.5 } })).toThrow(/maxAttempts.*Received 0.5/);
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
      { seed: 3 },
    );
  });
});
