export { formatColumnType, parseColumnType } from './column-type';
export type { ColumnDefinition, ColumnType, StructField } from './column-type';
export { drop, fail, ok, okJson } from './outcome';
export type { TransformOutcome } from './outcome';
export { compileRowCoercer, RowCoercionError } from './row-coercer';
export { epochMillis } from './scalar-coercion';
// The one set of decode rules, shared with the Kinesis consumer's decodePayload.
export { decodeUtf8Text } from '../kinesis-batch/decode-payload';
export type { RowCoercer, RowCoercerOptions } from './row-coercer';
export { MAX_RESPONSE_BYTES, processFirehoseRecords, transformFirehoseRecords } from './transform';
export type { FirehoseTransformOptions, FirehoseTransformReport, RecordFailure, RecordTransform } from './transform';
export type {
  FirehoseInputRecord,
  FirehoseOutputRecord,
  FirehoseRecordResult,
  FirehoseTransformationEvent,
  FirehoseTransformationResponse,
  Row,
} from './types';
