/**
 * The reference Firehose transform: Apache access and error log lines → web-log table rows.
 * A thin adapter; the work is in the runtime toolkit (apache-log, firehose-transform).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  compileRowCoercer,
  createApacheLogTransform,
  WEB_LOG_COLUMNS,
  processFirehoseRecords,
  type FirehoseTransformationEvent,
  type FirehoseTransformationResponse,
} from 'cdk-kinesis-pipeline-runtime';

const logger = new Logger({ serviceName: 'reference-transform' });
const unparsed = process.env.UNPARSED_LINES;
// Set by DataLakeDelivery when the partitioning has record-field keys (dynamic partitioning).
// 'key:field,key2:field2' → { key: field, key2: field2 }
const partitionKeyFields = Object.fromEntries(
  (process.env.PARTITION_KEY_FIELDS ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split(':') as [string, string]),
);
const transform = createApacheLogTransform({
  unparsedLines: unparsed === 'fail' || unparsed === 'drop' ? unparsed : 'row',
  // Partition keys are read from row objects; otherwise rows are written as JSON directly.
  rows: Object.keys(partitionKeyFields).length > 0,
});
const coercer = compileRowCoercer(WEB_LOG_COLUMNS, { omitNulls: true });

export async function handler(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResponse> {
  const report = await processFirehoseRecords(event, transform, { coercer, partitionKeyFields });
  for (const failure of report.failures.slice(0, 20)) {
    logger.warn('record failed processing', { recordId: failure.recordId, reason: failure.reason });
  }
  logger.info('transformed', {
    invocationId: event.invocationId,
    ...report.counts,
    responseBytes: report.responseBytes,
  });
  return report.response;
}
