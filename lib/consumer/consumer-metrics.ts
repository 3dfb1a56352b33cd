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

/** Environment variables the runtime toolkit reads (lambda/runtime/quarantine QUARANTINE_ENV). */
export const CONSUMER_ENV = {
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  quarantineBucketName: 'QUARANTINE_BUCKET_NAME',
  quarantinePrefix: 'QUARANTINE_PREFIX',
  quarantineQueueUrl: 'QUARANTINE_QUEUE_URL',
} as const;
