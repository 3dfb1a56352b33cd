import { CfnParameter, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as fc from 'fast-check';
import { PipelineMonitoring } from '../../lib/monitoring';
import { consumerThresholds } from '../../lib/monitoring/private/consumer-alarms';
import { deliveryThresholds } from '../../lib/monitoring/private/delivery-alarms';
import { streamThresholds } from '../../lib/monitoring/private/stream-alarms';
import {
  defaultConsumerIteratorAgeMillis,
  defaultDataFreshnessSeconds,
  defaultStreamIteratorAgeMillis,
} from '../../lib/monitoring/private/thresholds';
import { createTestStack } from '../support/app';
import { autoScaler, delivery, efoConsumer, standardConsumer } from './fakes';

const HOUR_MS = 3_600_000;

describe('default thresholds derived from the configuration', () => {
  test('stream iterator age: half the retention period, in milliseconds', () => {
    expect(streamThresholds({}).iteratorAgeThresholdInMillis).toBe(12 * HOUR_MS);
    expect(streamThresholds({ retentionPeriod: Duration.days(7) }).iteratorAgeThresholdInMillis).toBe(84 * HOUR_MS);
  });

  test('stream throttling: one record or call per period', () => {
    expect(streamThresholds({})).toMatchObject({
      writeThrottledRecordsThreshold: 1,
      readThrottledRequestsThreshold: 1,
    });
  });

  test('consumer iterator age: half of maxRecordAge when set, else half the retention period', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const withAge = standardConsumer(stack, 'WithAge', stream, Duration.hours(1)).consumer;
    const withoutAge = standardConsumer(stack, 'WithoutAge', stream).consumer;
    expect(consumerThresholds(withAge, {}).iteratorAgeThresholdInMillis).toBe(HOUR_MS / 2);
    expect(consumerThresholds(withoutAge, {}).iteratorAgeThresholdInMillis).toBe(12 * HOUR_MS);
    expect(consumerThresholds(withoutAge, { retentionPeriod: Duration.hours(48) }).iteratorAgeThresholdInMillis).toBe(
      24 * HOUR_MS,
    );
    // MillisBehindLatest follows the iterator age unless set.
    expect(consumerThresholds(withAge, {}).millisBehindLatestThresholdInMillis).toBe(HOUR_MS / 2);
    expect(
      consumerThresholds(withAge, { iteratorAgeThreshold: Duration.minutes(10) }).millisBehindLatestThresholdInMillis,
    ).toBe(600_000);
  });

  test('delivery freshness: two buffering intervals plus 300 s, in seconds', () => {
    expect(defaultDataFreshnessSeconds(Duration.seconds(300))).toBe(900);
    expect(defaultDataFreshnessSeconds(Duration.seconds(60))).toBe(420);
    expect(defaultDataFreshnessSeconds(Duration.seconds(0))).toBe(300);
    expect(defaultDataFreshnessSeconds(Duration.minutes(15))).toBe(2100);
  });

  test('delivery read lag: half the source retention; ratios: 1', () => {
    const stack = createTestStack();
    const d = delivery(stack, 'D', new kinesis.Stream(stack, 'Stream'), Duration.seconds(120)).delivery;
    expect(deliveryThresholds(d, {})).toEqual({
      dataFreshnessThresholdInSeconds: 540,
      deliveryToS3SuccessRatioThreshold: 1,
      executeProcessingSuccessRatioThreshold: 1,
      failedConversionRecordsThreshold: 1,
      kinesisMillisBehindLatestThresholdInMillis: 12 * HOUR_MS,
    });
    expect(
      deliveryThresholds(d, { retentionPeriod: Duration.hours(72) }).kinesisMillisBehindLatestThresholdInMillis,
    ).toBe(36 * HOUR_MS);
  });
});

describe('invariants of the derivations', () => {
  test('the stream default is positive and below any valid retention period (24 h to 8760 h)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 24, max: 8760 }), (hours) => {
        const t = defaultStreamIteratorAgeMillis(Duration.hours(hours), 'x');
        expect(t).toBeGreaterThan(0);
        expect(t).toBeLessThan(hours * HOUR_MS);
        // ... and so passes the construct's own validation.
        expect(() => streamThresholds({ retentionPeriod: Duration.hours(hours) })).not.toThrow();
      }),
      { numRuns: 50 },
    );
  });

  test('the consumer default is below maxRecordAge (60 s to 7 days) and the retention period', () => {
    fc.assert(
      fc.property(fc.integer({ min: 60, max: 604_800 }), fc.integer({ min: 24, max: 8760 }), (ageSeconds, hours) => {
        const t = defaultConsumerIteratorAgeMillis(Duration.hours(hours), Duration.seconds(ageSeconds), 'x');
        expect(t).toBeGreaterThan(0);
        expect(t).toBeLessThan(ageSeconds * 1000);
      }),
      { numRuns: 50 },
    );
  });

  test('the freshness default exceeds the buffering interval (0 to 900 s) by at least 300 s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 900 }), (seconds) => {
        expect(defaultDataFreshnessSeconds(Duration.seconds(seconds)) - seconds).toBeGreaterThanOrEqual(300);
      }),
      { numRuns: 50 },
    );
  });
});

/** The threshold of the alarm on metricName, read from the L1 without a full synth (fast). */
function thresholdOf(alarms: cloudwatch.Alarm[], metricName: string): unknown {
  const cfn = alarms.map((a) => a.node.defaultChild as cloudwatch.CfnAlarm).find((c) => c.metricName === metricName);
  if (!cfn) throw new Error(`no alarm on ${metricName}`);
  return cfn.threshold;
}

// Time thresholds are Durations; the alarm compares the number in the metric's unit.
describe('overrides reach the alarms', () => {
  test.each<[string, string, Duration | number, number]>([
    ['iteratorAgeThreshold', 'GetRecords.IteratorAgeMilliseconds', Duration.hours(1), 3_600_000],
    ['writeThrottledRecordsThreshold', 'WriteProvisionedThroughputExceeded', 50, 50],
    ['readThrottledRequestsThreshold', 'ReadProvisionedThroughputExceeded', 20, 20],
  ])('stream %s', (prop, metricName, value, threshold) => {
    const stack = createTestStack();
    const alarms = new PipelineMonitoring(stack, 'M').monitorStream(new kinesis.Stream(stack, 'S'), { [prop]: value });
    expect(thresholdOf(alarms, metricName)).toBe(threshold);
  });

  test.each<[string, string, Duration | number, number]>([
    ['iteratorAgeThreshold', 'IteratorAge', Duration.minutes(15), 900_000],
    ['millisBehindLatestThreshold', 'SubscribeToShardEvent.MillisBehindLatest', Duration.seconds(90), 90_000],
    ['errorsThreshold', 'Errors', 5, 5],
    ['throttlesThreshold', 'Throttles', 7, 7],
    ['failureDestinationRecordsThreshold', 'OnFailureDestinationDeliveredEventCount', 3, 3],
    ['quarantinedRecordsThreshold', 'RecordsQuarantined', 10, 10],
  ])('consumer %s', (prop, metricName, value, threshold) => {
    const stack = createTestStack();
    const consumer = efoConsumer(stack, 'C', new kinesis.Stream(stack, 'S')).consumer;
    const alarms = new PipelineMonitoring(stack, 'M').monitorConsumer(consumer, { [prop]: value });
    expect(thresholdOf(alarms, metricName)).toBe(threshold);
  });

  test.each<[string, string, Duration | number, number]>([
    ['dataFreshnessThreshold', 'DeliveryToS3.DataFreshness', Duration.minutes(20), 1200],
    ['dataFreshnessThreshold', 'DeliveryToS3.DataFreshness', Duration.millis(1_200_500), 1200.5],
    ['deliveryToS3SuccessRatioThreshold', 'DeliveryToS3.Success', 0.95, 0.95],
    ['executeProcessingSuccessRatioThreshold', 'ExecuteProcessing.Success', 0.99, 0.99],
    ['failedConversionRecordsThreshold', 'FailedConversion.Records', 100, 100],
    ['kinesisMillisBehindLatestThreshold', 'KinesisMillisBehindLatest', Duration.minutes(10), 600_000],
  ])('delivery %s', (prop, metricName, value, threshold) => {
    const stack = createTestStack();
    const d = delivery(stack, 'D', new kinesis.Stream(stack, 'S')).delivery;
    const alarms = new PipelineMonitoring(stack, 'M').monitorDelivery(d, { [prop]: value });
    expect(thresholdOf(alarms, metricName)).toBe(threshold);
  });

  test('autoscaler errorsThreshold (default 1)', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'S');
    const monitoring = new PipelineMonitoring(stack, 'M');
    const byDefault = monitoring.monitorAutoScaler(autoScaler(stack, 'A', stream).scaler, { displayName: 'A' });
    const overridden = monitoring.monitorAutoScaler(autoScaler(stack, 'B', stream).scaler, {
      displayName: 'B',
      errorsThreshold: 4,
    });
    expect(thresholdOf(byDefault, 'Errors')).toBe(1);
    expect(thresholdOf(overridden, 'Errors')).toBe(4);
    expect(thresholdOf(overridden, 'ThrottledAtMaxShards')).toBe(1);
  });

  test('a token threshold passes through, and a token retention period needs an explicit threshold', () => {
    const stack = createTestStack();
    const threshold = new CfnParameter(stack, 'Threshold', { type: 'Number' }).valueAsNumber;
    const hours = new CfnParameter(stack, 'Hours', { type: 'Number' }).valueAsNumber;
    const monitoring = new PipelineMonitoring(stack, 'M');
    expect(() =>
      monitoring.monitorStream(new kinesis.Stream(stack, 'A'), { retentionPeriod: Duration.hours(hours) }),
    ).toThrow(
      /^retentionPeriod must be a literal duration .*, or set iteratorAgeThreshold\. Received a token retentionPeriod$/,
    );
    // A token converts only from the metric's unit: aws-cdk-lib cannot scale a token.
    expect(() =>
      monitoring.monitorStream(new kinesis.Stream(stack, 'C'), { iteratorAgeThreshold: Duration.seconds(threshold) }),
    ).toThrow(/iteratorAgeThreshold must be given in milliseconds when it is a token \(Duration.millis\(token\)\)/);
    monitoring.monitorStream(new kinesis.Stream(stack, 'B'), {
      retentionPeriod: Duration.hours(hours),
      iteratorAgeThreshold: Duration.millis(threshold),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Threshold: { Ref: 'Threshold' },
    });
  });
});

describe('dashboard annotations', () => {
  test('a token shardCount draws no capacity line instead of a garbage number', () => {
    const stack = createTestStack();
    const shards = new CfnParameter(stack, 'Shards', { type: 'Number' }).valueAsNumber;
    const monitoring = new PipelineMonitoring(stack, 'M');
    monitoring.monitorStream(new kinesis.Stream(stack, 'S'), { shardCount: shards });
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    expect(body).not.toContain('write capacity');
    expect(body).not.toMatch(/e\+\d{3}/);
  });
});
