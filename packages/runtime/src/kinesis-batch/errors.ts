/**
 * Throw from a record handler when the record can never succeed (bad schema, business rule
 * violation): the record is quarantined with its payload and the batch moves on.
 */
export class PoisonRecordError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoisonRecordError';
  }
}

/** The payload could not be decoded as the requested format (e.g. invalid JSON). */
export class DecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DecodeError';
  }
}

/** A KPL-aggregated record was corrupt (bad checksum or protobuf). */
export class DeaggregationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeaggregationError';
  }
}

/** How a failed record is treated: `permanent` is quarantined and skipped, `transient` is retried. */
export type FailureKind = 'permanent' | 'transient';

/**
 * Thrown by `processKinesisBatch` to fail the invocation on purpose, when a partial batch response
 * would not help: no record of the batch could be finished (the checkpoint would not move, so a
 * function error lets Lambda bisect the batch instead), or the mapping does not read partial
 * batch responses. Lambda then retries the batch (or its halves); nothing is lost.
 */
export class KinesisBatchRetryError extends Error {
  constructor(
    message: string,
    /** The lowest sequence number left unfinished. */
    public readonly sequenceNumber: string,
  ) {
    super(message);
    this.name = 'KinesisBatchRetryError';
  }
}
