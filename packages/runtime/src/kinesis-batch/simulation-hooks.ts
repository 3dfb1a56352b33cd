import type { QuarantineRecord } from '../quarantine/quarantine-record';
import type { QuarantineSink } from '../quarantine/quarantine-sink';

/**
 * The key under which the event source mapping simulator (`cdk-kinesis-pipeline-runtime/testing`)
 * puts its hooks on the context it passes to a handler. A registered symbol, so that a handler
 * bundled with its own copy of the toolkit still finds them.
 */
export const SIMULATION_HOOKS_KEY: symbol = Symbol.for('cdk-kinesis-pipeline.simulation-hooks');

/** Where a user record sits in its shard. */
export interface RecordPosition {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
}

/**
 * What the simulator learns from `processKinesisBatch` when the handler passes it the context:
 * which records were processed and quarantined, and the settings of the simulated mapping.
 * Never present on a real Lambda context.
 */
export interface SimulationHooks {
  /** The handler completed this record. */
  recordProcessed(record: RecordPosition): void;
  /** This record was written to the quarantine sink. */
  recordQuarantined(record: QuarantineRecord): void;
  /** Used when no `quarantineSink` option is given (instead of the environment's sink). */
  readonly quarantineSink: QuarantineSink;
  /** Whether the simulated mapping reads partial batch responses (ReportBatchItemFailures). */
  readonly reportBatchItemFailures: boolean;
}

/** The simulator's hooks on a context, if it is a simulated one. */
export function simulationHooksOf(context: unknown): SimulationHooks | undefined {
  if (typeof context !== 'object' || context === null) return undefined;
  return (context as { [key: symbol]: SimulationHooks | undefined })[SIMULATION_HOOKS_KEY];
}
