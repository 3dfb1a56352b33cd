export type { QuarantineRecord } from './quarantine-record';
export { toQuarantineRecord, type QuarantineInput } from './to-quarantine-record';
export { DEFAULT_QUARANTINE_PREFIX, quarantineObjectKey, streamNameOf } from './quarantine-key';
export { InMemoryQuarantineSink, type QuarantineSink } from './quarantine-sink';
export { S3QuarantineSink, type S3QuarantineSinkOptions } from './s3-quarantine-sink';
export { SqsQuarantineSink, type SqsQuarantineSinkOptions } from './sqs-quarantine-sink';
export { QUARANTINE_ENV, quarantineSinkFromEnvironment } from './sink-from-environment';
export { decodeQuarantineMessage, encodeQuarantineMessage, isSqsSafe } from './sqs-message-codec';
