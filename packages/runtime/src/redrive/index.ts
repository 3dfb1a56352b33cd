export * from './types';
export { idempotencyKey, contentKey, dedupeByIdempotencyKey } from './idempotency-key';
export { parseFailureDocument, mergePlans, isQuarantineRecord, fromQuarantineRecord } from './parse-failure-document';
export { isBase64 } from './replay-records';
export { readBackRange, type ReadBackResult, type MissingRange, type ReadBackOptions } from './read-back';
export {
  InMemoryRedriveLedger,
  S3RedriveLedger,
  RedriveLedgerError,
  DEFAULT_CLAIM_LEASE_MILLIS,
  type RedriveLedger,
  type S3RedriveLedgerOptions,
  type LedgerRunOptions,
  type LedgerState,
  type ClaimResult,
  type HeldClaim,
} from './ledger';
export {
  redrive,
  kinesisRedriveTarget,
  ndjsonRedriveTarget,
  RedriveAbortedError,
  type RedriveOptions,
  type RedriveReport,
  type RedriveCounts,
  type RedriveTarget,
  type FailedReplay,
  type SkippedRecord,
} from './redrive';
export { REDRIVE_LIMITS, RedriveInputError, checkInteger, checkTimestamp, streamArnOf } from './options';
export { checkInvocation, type RedriveInvocation, type CheckedInvocation } from './invocation';
export { listFailureDocuments, type FailureDocuments, type FailureDocumentSource } from './s3-source';
export {
  runRedrive,
  redriveResponse,
  redriveEnvironment,
  messagingEventOf,
  addReports,
  summarizeCounts,
  RedriveIncompleteError,
  REDRIVE_ENV,
  type RedriveEnvironment,
  type RedriveRunReport,
  type RedriveRunResult,
  type RunRedriveOptions,
} from './run-redrive';
