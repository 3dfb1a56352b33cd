/**
 * The custom metrics of the runtime toolkit (lambda/runtime/kinesis-batch, KINESIS_BATCH_METRICS),
 * repeated here because lib/ must not import Lambda code. A test keeps both in step.
 */
export const CONSUMER_METRICS = {
  namespace: 'CdkKinesisPipeline',
  recordsProcessed: 'RecordsProcessed',
  recordsQuarantined: 'RecordsQuarantined',
  recordsRetried: 'RecordsRetried',
  /** Powertools Metrics' default dimension, set from POWERTOOLS_SERVICE_NAME. */
  serviceDimension: 'service',
} as const;

/**
 * Environment variables the runtime toolkit reads (packages/runtime quarantine QUARANTINE_ENV and
 * kinesis-batch KINESIS_BATCH_ENV).
 */
export const CONSUMER_ENV = {
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  quarantineBucketName: 'QUARANTINE_BUCKET_NAME',
  quarantinePrefix: 'QUARANTINE_PREFIX',
  quarantineQueueUrl: 'QUARANTINE_QUEUE_URL',
  /** 'false' makes the toolkit fail the invocation instead of returning item failures Lambda ignores. */
  reportBatchItemFailures: 'REPORT_BATCH_ITEM_FAILURES',
} as const;

/**
 * The runtime toolkit's default timeout margin (ProcessKinesisBatchOptions.timeoutMarginMs): no
 * record starts this close to the function's timeout. A test keeps it in step with the toolkit.
 */
export const TOOLKIT_TIMEOUT_MARGIN_SECONDS = 5;
