/**
 * The runtime toolkit: import it in your own Lambda handlers as `cdk-kinesis-pipeline-runtime`.
 * It has no dependency on aws-cdk-lib.
 */
export * from './kinesis-batch';
export * from './quarantine';
export * from './firehose-transform';
export * from './cloudwatch-logs';
export * from './apache-log';
export * from './producer';
export * from './redrive';
