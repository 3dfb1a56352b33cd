/**
 * Property: over random batches (random keys, plain and KPL-aggregated records, poison,
 * undecodable and transient failures at random places, sync and async handlers, random
 * concurrency), with Lambda's retry-from-the-reported-record loop simulated:
 * - every record is either processed, after every earlier record of its key, or quarantined
 *   with a byte-identical payload; none is lost;
 * - each response reports the lowest sequence number not finished in that invocation, which
 *   is never empty, always in the batch, and at or below every transient failure; when that is
 *   the batch's first record, the invocation fails instead (KinesisBatchRetryError) and Lambda
 *   retries the same records.
 */
import fc from 'fast-check';
import {
  type KinesisBatchOutcome,
  type KinesisBatchRecord,
  KinesisBatchRetryError,
  PoisonRecordError,
  runKinesisBatch,
} from '../../packages/runtime/src/kinesis-batch';
import { compareSequenceNumbers } from '../../packages/runtime/src/kinesis-batch/sequence-number';
import { InMemoryQuarantineSink } from '../../packages/runtime/src/quarantine';
import { encodeKplAggregate, kinesisEvent, sequenceNumberAt } from './support/kinesis-events';

type Behaviour =
  { kind: 'ok' } | { kind: 'poison' } | { kind: 'undecodable' } | { kind: 'transient'; failures: number };

interface UserSpec {
  readonly key: string;
  readonly behaviour: Behaviour;
}
type OuterSpec =
  { type: 'plain'; record: UserSpec } | { type: 'aggregate'; records: UserSpec[] } | { type: 'corrupt'; key: string };

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ kind: 'ok' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'poison' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'undecodable' as const }) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 1, max: 2 }).map((failures) => ({ kind: 'transient' as const, failures })),
  },
);
const userSpec: fc.Arbitrary<UserSpec> = fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e'), behaviour });
const outerSpec: fc.Arbitrary<OuterSpec> = fc.oneof(
  { weight: 6, arbitrary: userSpec.map((record) => ({ type: 'plain' as const, record })) },
  {
    weight: 3,
    arbitrary: fc
      .array(userSpec, { minLength: 1, maxLength: 4 })
      .map((records) => ({ type: 'aggregate' as const, records })),
  },
  { weight: 1, arbitrary: fc.constantFrom('a', 'b', 'z').map((key) => ({ type: 'corrupt' as const, key })) },
);

/** One user record as the test expects it. */
interface Expected {
  readonly id: string; // `${seq}/${sub}`
  readonly position: number; // order in the stream
  readonly key: string;
  readonly data: Buffer;
  readonly behaviour: Behaviour | { kind: 'corrupt' };
  readonly sequenceNumber: string;
}

function build(outers: OuterSpec[]): { inputs: Parameters<typeof kinesisEvent>[0]; expected: Expected[] } {
  const inputs: Array<Parameters<typeof kinesisEvent>[0][number]> = [];
  const expected: Expected[] = [];
  outers.forEach((outer, index) => {
    const sequenceNumber = sequenceNumberAt(index);
    const payload = (spec: UserSpec, sub: number): Buffer =>
      spec.behaviour.kind === 'undecodable'
        ? Buffer.from(`not json ${index}.${sub} \u00e9`)
        : Buffer.from(JSON.stringify({ i: index, s: sub, poison: spec.behaviour.kind === 'poison' }));
    if (outer.type === 'plain') {
      const data = payload(outer.record, -1);
      inputs.push({ partitionKey: outer.record.key, data, sequenceNumber });
      expected.push({
        id: `${sequenceNumber}/-`,
        position: expected.length,
        key: outer.record.key,
        data,
        behaviour: outer.record.behaviour,
        sequenceNumber,
      });
    } else if (outer.type === 'aggregate') {
      const subs = outer.records.map((spec, sub) => ({ spec, data: payload(spec, sub) }));
      const data = encodeKplAggregate(subs.map(({ spec, data: d }) => ({ partitionKey: spec.key, data: d })));
      inputs.push({ partitionKey: 'outer', data, sequenceNumber });
      subs.forEach(({ spec, data: d }, sub) =>
        expected.push({
          id: `${sequenceNumber}/${sub}`,
          position: expected.length,
          key: spec.key,
          data: d,
          behaviour: spec.behaviour,
          sequenceNumber,
        }),
      );
    } else {
      const data = encodeKplAggregate([{ partitionKey: 'x', data: Buffer.from('{}') }]);
      data[data.length - 1] ^= 0x5a; // corrupt checksum
      inputs.push({ partitionKey: outer.key, data, sequenceNumber });
      expected.push({
        id: `${sequenceNumber}/-`,
        position: expected.length,
        key: outer.key,
        data,
        behaviour: { kind: 'corrupt' },
        sequenceNumber,
      });
    }
  });
  return { inputs, expected };
}

const idOf = (r: { sequenceNumber: string; subSequenceNumber?: number }): string =>
  `${r.sequenceNumber}/${r.subSequenceNumber ?? '-'}`;

test('random batches: processed in key order or quarantined byte-identical; lowest failure reported; nothing lost', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(outerSpec, { minLength: 0, maxLength: 20 }),
      fc.constantFrom('sync', 'async', 'mixed'),
      fc.integer({ min: 1, max: 6 }),
      async (outers, mode, maxConcurrency) => {
        const { inputs, expected } = build(outers);
        const byId = new Map(expected.map((e) => [e.id, e]));
        const failuresLeft = new Map(
          expected.map((e) => [e.id, e.behaviour.kind === 'transient' ? e.behaviour.failures : 0]),
        );
        const finished = new Set<string>(); // succeeded or quarantined, in any invocation
        const succeeded = new Set<string>();
        const sink = new InMemoryQuarantineSink();

        let start = 0;
        for (let invocation = 0; start < inputs.length; invocation++) {
          expect(invocation).toBeLessThan(3 * expected.length + 2);
          const event = kinesisEvent(inputs.slice(start));
          const inBatch = expected.filter(
            (e) => compareSequenceNumbers(e.sequenceNumber, inputs[start].sequenceNumber) >= 0,
          );
          const doneNow = new Set<string>();
          const transientNow: string[] = [];
          const quarantinedBefore = sink.records.length;

          const handler = (record: KinesisBatchRecord<{ poison: boolean }>): void | Promise<void> => {
            const e = byId.get(idOf(record))!;
            // Every earlier record of the key finished before this one starts.
            for (const earlier of expected) {
              if (earlier.key === e.key && earlier.position < e.position) expect(finished.has(earlier.id)).toBe(true);
            }
            const run = (): void => {
              if (record.body.poison) throw new PoisonRecordError('poison');
              const left = failuresLeft.get(e.id)!;
              if (left > 0) {
                failuresLeft.set(e.id, left - 1);
                transientNow.push(e.sequenceNumber);
                throw new Error('transient');
              }
              finished.add(e.id);
              succeeded.add(e.id);
              doneNow.add(e.id);
            };
            const async = mode === 'async' || (mode === 'mixed' && e.position % 2 === 0);
            if (!async) return run();
            return (async () => {
              for (let i = 0; i < e.position % 3; i++) await Promise.resolve();
              run();
            })();
          };
          // Quarantines become visible to the ordering check as soon as they are written.
          const trackingSink = {
            quarantine: async (q: Parameters<typeof sink.quarantine>[0]) => {
              await sink.quarantine(q);
              finished.add(idOf(q));
              doneNow.add(idOf(q));
            },
          };

          let outcome: KinesisBatchOutcome | undefined;
          let retryError: unknown;
          try {
            outcome = await runKinesisBatch(event, handler, {
              quarantineSink: trackingSink,
              maxConcurrency,
              logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
              metrics: false,
            });
          } catch (error) {
            retryError = error;
          }

          const unfinished = inBatch.filter((e) => !doneNow.has(e.id));
          // The lowest sequence number not finished in this invocation.
          const lowest = unfinished.map((e) => e.sequenceNumber).sort(compareSequenceNumbers)[0];
          if (retryError !== undefined) {
            // Only when the checkpoint could not move: Lambda retries (or bisects) the same records.
            expect(retryError).toBeInstanceOf(KinesisBatchRetryError);
            expect(lowest).toBe(inputs[start].sequenceNumber);
            expect((retryError as KinesisBatchRetryError).sequenceNumber).toBe(lowest);
            continue;
          }
          expect(outcome!.quarantined).toHaveLength(sink.records.length - quarantinedBefore);
          const failures = outcome!.response.batchItemFailures;
          if (unfinished.length === 0) {
            expect(failures).toEqual([]);
            break;
          }
          expect(failures).toHaveLength(1);
          const reported = failures[0].itemIdentifier;
          expect(reported).toBeTruthy();
          expect(reported).toBe(lowest);
          expect(reported).not.toBe(inputs[start].sequenceNumber);
          for (const failed of transientNow) expect(compareSequenceNumbers(reported, failed)).toBeLessThanOrEqual(0);
          const next = inputs.findIndex((input) => input.sequenceNumber === reported);
          expect(next).toBeGreaterThan(start);
          start = next;
        }

        // Nothing lost: ok/transient records succeeded; the others are quarantined byte for byte.
        for (const e of expected) {
          const copies = sink.records.filter((q) => idOf(q) === e.id);
          if (e.behaviour.kind === 'ok' || e.behaviour.kind === 'transient') {
            expect(succeeded.has(e.id)).toBe(true);
            expect(copies).toHaveLength(0);
          } else {
            expect(succeeded.has(e.id)).toBe(false);
            expect(copies.length).toBeGreaterThan(0);
            for (const copy of copies) {
              expect(Buffer.from(copy.data, 'base64').equals(e.data)).toBe(true);
              expect(copy.reason).toBe(
                { poison: 'PoisonRecordError', undecodable: 'DecodeError', corrupt: 'DeaggregationError' }[
                  e.behaviour.kind
                ],
              );
            }
          }
        }
      },
    ),
    { numRuns: 1000 },
  );
});
