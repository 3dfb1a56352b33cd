import type { Context } from 'aws-lambda';
import { type RecordPosition, SIMULATION_HOOKS_KEY, type SimulationHooks } from '../kinesis-batch/simulation-hooks';
import type { QuarantineRecord } from '../quarantine/quarantine-record';
import type { QuarantineSink } from '../quarantine/quarantine-sink';

/** What an invocation tells the simulation about its records. */
export interface InvocationObserver {
  processed(record: RecordPosition): void;
  quarantined(record: QuarantineRecord): void;
}

/**
 * The Lambda context of one simulated invocation. Time is virtual: it passes only when the
 * handler calls `spend(ms)` (model the time your record logic takes with it). Once the spent time
 * exceeds the function's timeout the invocation has timed out: what the handler reports after that
 * did not happen (Lambda stopped the function), and the invocation counts as a function error.
 *
 * `processKinesisBatch` finds the simulation through this context (pass it as `{ context }`) and
 * reports processed and quarantined records itself. A handler that does not use the toolkit calls
 * `markProcessed(record)` and writes to `quarantineSink`.
 */
export class SimulatedContext implements Context {
  public callbackWaitsForEmptyEventLoop = true;
  public readonly functionVersion = '$LATEST';
  public readonly memoryLimitInMB = '128';
  public readonly functionName: string;
  public readonly logGroupName: string;
  public readonly logStreamName = 'simulated';
  /** Quarantine writes of this invocation, counted by the simulation (ignored once timed out). */
  public readonly quarantineSink: QuarantineSink;
  private elapsedMs = 0;
  private readonly writtenBySink = new WeakSet<QuarantineRecord>();

  constructor(
    public readonly awsRequestId: string,
    public readonly invokedFunctionArn: string,
    private readonly timeoutMs: number,
    private readonly observer: InvocationObserver,
    reportBatchItemFailures: boolean,
  ) {
    this.functionName = invokedFunctionArn.split(':').pop() ?? 'simulated';
    this.logGroupName = `/aws/lambda/${this.functionName}`;
    this.quarantineSink = {
      quarantine: async (record) => {
        if (this.timedOut) return;
        this.writtenBySink.add(record);
        this.observer.quarantined(record);
      },
    };
    const hooks: SimulationHooks = {
      recordProcessed: (record) => this.markProcessed(record),
      recordQuarantined: (record) => {
        // Counted once when it went through our own sink.
        if (!this.timedOut && !this.writtenBySink.has(record)) this.observer.quarantined(record);
      },
      quarantineSink: this.quarantineSink,
      reportBatchItemFailures,
    };
    Object.defineProperty(this, SIMULATION_HOOKS_KEY, { value: hooks, enumerable: false });
  }

  public getRemainingTimeInMillis(): number {
    return Math.max(0, this.timeoutMs - this.elapsedMs);
  }

  /** Lets `ms` of virtual time pass in this invocation (e.g. the time one record takes). */
  public spend(ms: number): void {
    if (!(ms >= 0)) throw new Error(`spend takes a duration in ms >= 0. Received ${ms}`);
    this.elapsedMs += ms;
  }

  /** Virtual time this invocation has used so far. */
  public get elapsedMillis(): number {
    return this.elapsedMs;
  }

  /** The invocation ran past the function's timeout. */
  public get timedOut(): boolean {
    return this.elapsedMs > this.timeoutMs;
  }

  /** Reports a record as processed (ignored once the invocation timed out). */
  public markProcessed(record: RecordPosition): void {
    if (!this.timedOut) this.observer.processed(record);
  }

  public done(): void {
    throw new Error('context.done is not supported by the simulator: return a promise');
  }

  public fail(): void {
    throw new Error('context.fail is not supported by the simulator: throw or reject');
  }

  public succeed(): void {
    throw new Error('context.succeed is not supported by the simulator: return a promise');
  }
}
