/**
 * A seeded workload for the event source mapping simulator: shards of JSON records over many
 * partition keys, each record given a behaviour from a fault mix. Shared by the property tests
 * and `npm run bench:consumer`.
 */
import { PoisonRecordError } from '../../../packages/runtime/src/kinesis-batch';
import type { SimulatedContext, SimulatedShardInput, SimulationReport } from '../../../packages/runtime/src/testing';
import { seededRandom } from '../../../packages/runtime/src/testing/random';

/** Per-record chances of each fault. */
export interface FaultMix {
  /** Fails transiently on every attempt (a dependency that never recovers for this record). */
  readonly stuck: number;
  /** Fails permanently (PoisonRecordError): the toolkit quarantines it. */
  readonly poison: number;
  /** Fails transiently 1 to 3 times, then succeeds. */
  readonly flaky: number;
  /** Chance, per record attempt, that the whole invocation dies there (out of memory, runtime crash). */
  readonly crashPerAttempt: number;
}

/** The mix of issue 13: 0.1 % stuck, 0.5 % poison, 1 % transient for 1-3 attempts, rare crashes. */
export const REALISTIC_FAULT_MIX: FaultMix = { stuck: 0.001, poison: 0.005, flaky: 0.01, crashPerAttempt: 0.0001 };

export type Behaviour = { kind: 'ok' } | { kind: 'stuck' } | { kind: 'poison' } | { kind: 'flaky'; failures: number };

export interface Workload {
  readonly shards: SimulatedShardInput[];
  /** Behaviour of each record by its id (the `id` field of its JSON body). */
  readonly behaviours: Map<string, Behaviour>;
}

export interface WorkloadOptions {
  readonly shards: number;
  /** Records per shard; with `unevenShards`, the mean of an exponential spread (hot and cold shards). */
  readonly recordsPerShard: number;
  readonly unevenShards?: boolean;
  /** Distinct partition keys per shard. */
  readonly keysPerShard: number;
  readonly mix: FaultMix;
  readonly seed: number;
}

export function buildWorkload(options: WorkloadOptions): Workload {
  const random = seededRandom(options.seed);
  const behaviours = new Map<string, Behaviour>();
  const { stuck, poison, flaky } = options.mix;
  const shards = Array.from({ length: options.shards }, (_, shard): SimulatedShardInput => ({
    records: Array.from({ length: recordCount(options, random) }, (_unused, index) => {
      const id = `${shard}-${index}`;
      const roll = random();
      const behaviour: Behaviour =
        roll < stuck
          ? { kind: 'stuck' }
          : roll < stuck + poison
            ? { kind: 'poison' }
            : roll < stuck + poison + flaky
              ? { kind: 'flaky', failures: 1 + Math.floor(random() * 3) }
              : { kind: 'ok' };
      behaviours.set(id, behaviour);
      const key = `client-${shard}-${Math.floor(random() * options.keysPerShard)}`;
      return { partitionKey: key, data: JSON.stringify({ id, key, path: `/api/orders/${index}`, status: 200 }) };
    }),
  }));
  return { shards, behaviours };
}

function recordCount(options: WorkloadOptions, random: () => number): number {
  if (!options.unevenShards) return options.recordsPerShard;
  const count = Math.round(-Math.log(1 - random()) * options.recordsPerShard);
  return Math.max(1, Math.min(8 * options.recordsPerShard, count));
}

/**
 * The per-record logic of the workload: fails as the record's behaviour says, and crashes the
 * invocation now and then (the simulated context's time runs out at once: Lambda stops the
 * function there, and what the handler does afterwards never happens).
 */
export function faultyRecordLogic(
  workload: Workload,
  mix: FaultMix,
  seed: number,
): (body: { id: string }, context: SimulatedContext) => Promise<void> {
  const random = seededRandom(seed);
  const failuresSoFar = new Map<string, number>();
  // One error object per kind: the toolkit keeps a quarantined error's stack, and formatting a
  // fresh stack per failure would make the workload, not the code under test, the slow part.
  const poison = new PoisonRecordError('this record can never succeed');
  const unavailable = new Error('dependency unavailable');
  const throttled = new Error('throttled');
  // Async like real record logic (a write per record): keys of a batch interleave.
  return async (body, context) => {
    await undefined;
    context.spend(1);
    if (random() < mix.crashPerAttempt) context.spend(context.getRemainingTimeInMillis() + 1);
    const behaviour = workload.behaviours.get(body.id);
    if (!behaviour) throw new Error(`unknown record ${body.id}`);
    if (behaviour.kind === 'poison') throw poison;
    if (behaviour.kind === 'stuck') throw unavailable;
    if (behaviour.kind === 'flaky') {
      const failed = failuresSoFar.get(body.id) ?? 0;
      if (failed < behaviour.failures) {
        failuresSoFar.set(body.id, failed + 1);
        throw throttled;
      }
    }
  };
}

export interface WorkloadSummary {
  /** Records that never fail. */
  readonly healthy: number;
  /** Healthy records the on-failure destination received without them ever being processed. */
  readonly collateral: number;
  /** collateral / healthy, in %. */
  readonly collateralPercent: number;
  readonly invocationsPerRecord: number;
  readonly lost: number;
  readonly outOfOrder: number;
  /** Stuck records that reached the on-failure destination (all of them should). */
  readonly stuckSentToOnFailure: number;
  readonly stuck: number;
}

/** Reads a simulation of `workload` (plain records: the report lists them in workload order). */
export function summarize(report: SimulationReport, workload: Workload): WorkloadSummary {
  const behaviours = workload.shards.flatMap((shard) =>
    shard.records.map((r) => workload.behaviours.get((JSON.parse(r.data as string) as { id: string }).id)!),
  );
  if (behaviours.length !== report.records.length) throw new Error('the report does not match the workload');
  let healthy = 0;
  let collateral = 0;
  let stuck = 0;
  let stuckSentToOnFailure = 0;
  report.records.forEach((record, index) => {
    const kind = behaviours[index].kind;
    if (kind === 'ok') {
      healthy++;
      if (record.sentToOnFailure > 0 && record.processed === 0) collateral++;
    } else if (kind === 'stuck') {
      stuck++;
      if (record.sentToOnFailure > 0) stuckSentToOnFailure++;
    }
  });
  return {
    healthy,
    collateral,
    collateralPercent: (100 * collateral) / healthy,
    invocationsPerRecord: report.totals.invocations / report.totals.records,
    lost: report.totals.lost,
    outOfOrder: report.totals.outOfOrder,
    stuck,
    stuckSentToOnFailure,
  };
}
