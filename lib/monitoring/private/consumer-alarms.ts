import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IMonitorableConsumer } from '../monitorable';
import type { ConsumerMonitoringOptions } from '../monitoring-options';
import { GTE, IMMEDIATE, PERSISTENT, SUSTAINED, num, spec, type AlarmSpec } from './alarm-spec';
import { retentionPeriodOf, defaultConsumerIteratorAgeMillis, thresholdIn } from './thresholds';
import { checkBelow, checkPositive } from './validation';

export const ENHANCED_FAN_OUT = 'ENHANCED_FAN_OUT';

export interface ConsumerThresholds {
  readonly iteratorAgeThresholdInMillis: number;
  readonly millisBehindLatestThresholdInMillis: number;
  readonly errorsThreshold: number;
  readonly throttlesThreshold: number;
  readonly failureDestinationRecordsThreshold: number;
  readonly quarantinedRecordsThreshold: number;
  readonly droppedRecordsThreshold: number;
  readonly destinationDeliveryFailuresThreshold: number;
}

function checkAge(
  prop: string,
  value: number,
  retentionMs: number | undefined,
  maxRecordAgeMs: number | undefined,
): void {
  checkPositive(prop, value, 'milliseconds');
  if (retentionMs !== undefined) checkBelow(prop, value, 'the retention period', retentionMs, 'ms');
  // Records older than maxRecordAge are discarded, so the age never gets past it.
  if (maxRecordAgeMs !== undefined) checkBelow(prop, value, 'the consumer maxRecordAge', maxRecordAgeMs, 'ms');
}

export function consumerThresholds(
  consumer: IMonitorableConsumer,
  options: ConsumerMonitoringOptions,
): ConsumerThresholds {
  const retentionPeriod = retentionPeriodOf(options.retentionPeriod);
  const iteratorAge =
    options.iteratorAgeThreshold !== undefined
      ? thresholdIn('iteratorAgeThreshold', options.iteratorAgeThreshold, 'milliseconds')
      : defaultConsumerIteratorAgeMillis(retentionPeriod, consumer.maxRecordAge, 'iteratorAgeThreshold');
  const millisBehindLatest =
    options.millisBehindLatestThreshold !== undefined
      ? thresholdIn('millisBehindLatestThreshold', options.millisBehindLatestThreshold, 'milliseconds')
      : iteratorAge;
  const retentionMs = retentionPeriod.isUnresolved() ? undefined : retentionPeriod.toMilliseconds();
  const maxRecordAgeMs =
    consumer.maxRecordAge === undefined || consumer.maxRecordAge.isUnresolved()
      ? undefined
      : consumer.maxRecordAge.toMilliseconds();
  checkAge('iteratorAgeThreshold', iteratorAge, retentionMs, maxRecordAgeMs);
  checkAge('millisBehindLatestThreshold', millisBehindLatest, retentionMs, maxRecordAgeMs);
  const thresholds = {
    iteratorAgeThresholdInMillis: iteratorAge,
    millisBehindLatestThresholdInMillis: millisBehindLatest,
    errorsThreshold: options.errorsThreshold ?? 1,
    throttlesThreshold: options.throttlesThreshold ?? 1,
    failureDestinationRecordsThreshold: options.failureDestinationRecordsThreshold ?? 1,
    quarantinedRecordsThreshold: options.quarantinedRecordsThreshold ?? 1,
    droppedRecordsThreshold: options.droppedRecordsThreshold ?? 1,
    destinationDeliveryFailuresThreshold: options.destinationDeliveryFailuresThreshold ?? 1,
  };
  checkPositive('errorsThreshold', thresholds.errorsThreshold, 'invocations');
  checkPositive('throttlesThreshold', thresholds.throttlesThreshold, 'invocations');
  checkPositive('failureDestinationRecordsThreshold', thresholds.failureDestinationRecordsThreshold, 'records');
  checkPositive('quarantinedRecordsThreshold', thresholds.quarantinedRecordsThreshold, 'records');
  checkPositive('droppedRecordsThreshold', thresholds.droppedRecordsThreshold, 'records');
  checkPositive(
    'destinationDeliveryFailuresThreshold',
    thresholds.destinationDeliveryFailuresThreshold,
    'delivery attempts',
  );
  return thresholds;
}

export function consumerAlarms(
  consumer: IMonitorableConsumer,
  label: string,
  options: ConsumerMonitoringOptions,
): AlarmSpec[] {
  const t = consumerThresholds(consumer, options);
  const alarms = [
    spec(options, SUSTAINED, {
      id: 'IteratorAgeAlarm',
      metric: consumer.metricIteratorAge(),
      statistic: cloudwatch.Stats.MAXIMUM,
      threshold: t.iteratorAgeThresholdInMillis,
      comparisonOperator: GTE,
      // Lambda reports IteratorAge only while it invokes; an idle stream is not a stalled one.
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      description: `${label}: the consumer is ${num(t.iteratorAgeThresholdInMillis)} ms behind. Check its Errors and logs (a poison record retried), Throttles (concurrency) and duration; raise ParallelizationFactor or batch size if it is simply too slow.`,
      pages: true,
    }),
    spec(options, PERSISTENT, {
      id: 'ErrorsAlarm',
      metric: consumer.metricErrors(),
      statistic: cloudwatch.Stats.SUM,
      threshold: t.errorsThreshold,
      comparisonOperator: GTE,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `${label}: the function failed (>= ${num(t.errorsThreshold)} errors per period) for 15 minutes. Read its logs; batches are bisected and retried, then sent to the failure bucket.`,
      pages: false,
    }),
    spec(options, PERSISTENT, {
      id: 'ThrottlesAlarm',
      metric: consumer.metricThrottles(),
      statistic: cloudwatch.Stats.SUM,
      threshold: t.throttlesThreshold,
      comparisonOperator: GTE,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `${label}: invocations throttled (>= ${num(t.throttlesThreshold)} per period) for 15 minutes. Raise reserved concurrency or the account limit; needed concurrency is shards × ParallelizationFactor.`,
      pages: false,
    }),
  ];
  // Data loss: Lambda could not write a failed batch to the on-failure destination, so those
  // records are dropped instead of kept (it then emits DestinationDeliveryFailures and
  // DroppedEventCount rather than OnFailureDestinationDeliveredEventCount). Always published.
  alarms.push(
    spec(options, IMMEDIATE, {
      id: 'DestinationDeliveryFailuresAlarm',
      metric: consumer.metricDestinationDeliveryFailures(),
      statistic: cloudwatch.Stats.SUM,
      threshold: t.destinationDeliveryFailuresThreshold,
      comparisonOperator: GTE,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `${label}: DATA LOSS. Lambda failed to write failed batches to the on-failure destination, so their records were dropped. Check the function role (s3:PutObject on the failure bucket, kms:GenerateDataKey on its key), the bucket policy and that the bucket exists; replay the lost range from the stream while it is retained (or from the producer).`,
      pages: true,
    }),
  );
  if (options.monitorFailureDestination ?? true) {
    alarms.push(
      spec(options, IMMEDIATE, {
        id: 'DroppedRecordsAlarm',
        metric: consumer.metricDroppedEventCount(),
        statistic: cloudwatch.Stats.SUM,
        threshold: t.droppedRecordsThreshold,
        comparisonOperator: GTE,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${label}: DATA LOSS. Lambda dropped records (retries or record age exhausted) that did not reach the on-failure destination. Check DestinationDeliveryFailures and the function role's access to the failure bucket, or configure an on-failure destination; replay the lost range from the stream while it is retained.`,
        pages: true,
      }),
      spec(options, IMMEDIATE, {
        id: 'FailureDestinationAlarm',
        metric: consumer.metricOnFailureDestinationDeliveredEventCount(),
        statistic: cloudwatch.Stats.SUM,
        threshold: t.failureDestinationRecordsThreshold,
        comparisonOperator: GTE,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${label}: records were sent to the on-failure destination (retries or record age exhausted). Inspect the failure bucket, fix the cause, then redrive the batches.`,
        pages: false,
      }),
    );
  }
  if (options.monitorQuarantine ?? true) {
    alarms.push(
      spec(options, IMMEDIATE, {
        id: 'QuarantinedRecordsAlarm',
        metric: consumer.metricRecordsQuarantined(),
        statistic: cloudwatch.Stats.SUM,
        threshold: t.quarantinedRecordsThreshold,
        comparisonOperator: GTE,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${label}: records were quarantined as poison. Read the quarantine (reason, error), fix the producer or the handler, then redrive.`,
        pages: false,
      }),
    );
  }
  if (consumer.consumerType === ENHANCED_FAN_OUT) {
    alarms.push(
      spec(options, SUSTAINED, {
        id: 'MillisBehindLatestAlarm',
        metric: consumer.metricMillisBehindLatest(),
        statistic: cloudwatch.Stats.MAXIMUM,
        threshold: t.millisBehindLatestThresholdInMillis,
        comparisonOperator: GTE,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
        description: `${label}: the enhanced fan-out subscription is ${num(t.millisBehindLatestThresholdInMillis)} ms behind the tip of the stream. Check the function's errors and duration as for iterator age.`,
        pages: true,
      }),
    );
  }
  return alarms;
}
