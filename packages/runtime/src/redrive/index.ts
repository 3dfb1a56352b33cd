export * from './types';
export { idempotencyKey, dedupeByIdempotencyKey } from './idempotency-key';
export { parseFailureDocument, mergePlans, isQuarantineRecord, fromQuarantineRecord } from './parse-failure-document';
export { readBackRange, type ReadBackResult, type MissingRange, type ReadBackOptions } from './read-back';
export { InMemoryRedriveLedger, S3RedriveLedger, type RedriveLedger, type S3RedriveLedgerOptions } from './ledger';
export {
  redrive,
  kinesisRedriveTarget,
  ndjsonRedriveTarget,
  type RedriveOptions,
  type RedriveReport,
  type RedriveTarget,
  type FailedReplay,
} from './redrive';
export { listFailureDocuments, type FailureDocuments, type FailureDocumentSource } from './s3-source';
export {
  runRedrive,
  redriveEnvironment,
  isMessagingEvent,
  REDRIVE_ENV,
  type RedriveInvocation,
  type RedriveEnvironment,
  type RedriveRunReport,
} from './run-redrive';
