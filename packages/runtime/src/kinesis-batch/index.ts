export {
  KINESIS_BATCH_DEFAULTS,
  processKinesisBatch,
  runKinesisBatch,
  type KinesisBatchOutcome,
  type KinesisRecordHandler,
  type ProcessKinesisBatchOptions,
} from './process-kinesis-batch';
export type { KinesisBatchRecord, PayloadFormat } from './kinesis-batch-record';
export { DeaggregationError, DecodeError, KinesisBatchRetryError, PoisonRecordError, type FailureKind } from './errors';
export { KINESIS_BATCH_ENV } from './environment';
export { decodePayload } from './decode-payload';
export { isKplAggregated, UserRecord, userRecordsOf } from './user-records';
export { compareRecordPositions, compareSequenceNumbers } from './sequence-number';
export { batchLogger, KINESIS_BATCH_METRICS, type BatchLogger, type BatchMetrics } from './telemetry';
