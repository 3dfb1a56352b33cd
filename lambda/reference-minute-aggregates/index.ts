/**
 * Reference enhanced fan-out consumer: per-minute traffic aggregates of Apache access log lines,
 * published as CloudWatch metrics (EMF through Powertools Metrics), one EMF document per minute
 * stamped with that minute.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { type AccessLogEntry, parseAccessLogLine, processKinesisBatch } from 'cdk-kinesis-pipeline-runtime';
import { aggregateByMinute, logLinesOf, MINUTE_METRICS } from './minute-aggregates';

const metrics = new Metrics({
  namespace: process.env.AGGREGATES_NAMESPACE ?? 'CdkKinesisPipeline/Traffic',
  serviceName: process.env.AGGREGATES_SERVICE_NAME ?? 'reference-minute-aggregates',
});

// The context lets the toolkit stop before the function's timeout (timeoutMarginMs) instead of
// being killed mid-batch, which would fail and retry the whole batch.
export async function handler(event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse> {
  const entries: AccessLogEntry[] = [];
  const response = await processKinesisBatch<string>(
    event,
    (record) => {
      for (const line of logLinesOf(record.body)) {
        const parsed = parseAccessLogLine(line);
        if (parsed.ok) entries.push(parsed.value);
      }
    },
    { payloadFormat: 'text', context },
  );
  for (const minute of aggregateByMinute(entries)) {
    metrics.setTimestamp(minute.minuteStartMillis);
    metrics.addMetric(MINUTE_METRICS.requests, MetricUnit.Count, minute.requests);
    metrics.addMetric(MINUTE_METRICS.clientErrors, MetricUnit.Count, minute.clientErrors);
    metrics.addMetric(MINUTE_METRICS.serverErrors, MetricUnit.Count, minute.serverErrors);
    metrics.addMetric(MINUTE_METRICS.bytesSent, MetricUnit.Bytes, minute.bytesSent);
    if (minute.maxLatencyMillis !== undefined) {
      metrics.addMetric(MINUTE_METRICS.maxLatency, MetricUnit.Milliseconds, minute.maxLatencyMillis);
    }
    metrics.publishStoredMetrics();
  }
  return response;
}
