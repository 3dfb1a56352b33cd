import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** The subset of a logger the processor uses; a Powertools Logger fits. */
export interface BatchLogger {
  info(message: string, ...extra: object[]): void;
  warn(message: string, ...extra: object[]): void;
  error(message: string, ...extra: object[]): void;
}

/** The subset of a metrics client the processor uses; a Powertools Metrics fits. */
export interface BatchMetrics {
  addMetric(name: string, unit: 'Count', value: number): unknown;
  publishStoredMetrics(): void;
}

/**
 * The custom metrics the processor emits (EMF through Powertools Metrics). The dimension is
 * Powertools' `service`, taken from POWERTOOLS_SERVICE_NAME (the StreamConsumer sets it to the
 * consumer name).
 */
export const KINESIS_BATCH_METRICS = {
  defaultNamespace: 'CdkKinesisPipeline',
  recordsProcessed: 'RecordsProcessed',
  recordsQuarantined: 'RecordsQuarantined',
  recordsRetried: 'RecordsRetried',
} as const;

let defaultLogger: Logger | undefined;
let defaultMetrics: Metrics | undefined;

/** One Powertools Logger per process (service name from POWERTOOLS_SERVICE_NAME). */
export function batchLogger(): Logger {
  defaultLogger ??= new Logger();
  return defaultLogger;
}

/** One Powertools Metrics per process; namespace from POWERTOOLS_METRICS_NAMESPACE or ours. */
export function batchMetrics(): Metrics {
  defaultMetrics ??= new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? KINESIS_BATCH_METRICS.defaultNamespace,
  });
  return defaultMetrics;
}
