import type { QuarantineRecord } from './quarantine-record';

/**
 * Where permanently failing records are kept. `quarantine` must resolve only once the record
 * is durably stored: a rejection makes the batch processor retry the record instead.
 */
export interface QuarantineSink {
  quarantine(record: QuarantineRecord): Promise<void>;
}

/** Keeps records in memory; for tests and local runs. */
export class InMemoryQuarantineSink implements QuarantineSink {
  public readonly records: QuarantineRecord[] = [];

  public async quarantine(record: QuarantineRecord): Promise<void> {
    this.records.push(record);
  }
}
