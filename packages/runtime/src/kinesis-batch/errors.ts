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
