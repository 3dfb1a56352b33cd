import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { PipelineMonitoring } from '../../lib/monitoring';
import * as fc from 'fast-check';
import { createTestStack } from '../support/app';
import { walkAlarms } from './alarm-walk';
import { delivery, standardConsumer } from './fakes';
import { monitoredStack } from './monitored-stack';

describe('every alarm of a monitored pipeline', () => {
  test('identifies its resource, notifies the topic, treats missing data and uses its metric unit', () => {
    const { stack } = monitoredStack();
    const { count, problems } = walkAlarms(Template.fromStack(stack));
    // 3 stream + 7 polling consumer + 8 EFO consumer + 5 delivery + 2 autoscaler
    expect(count).toBe(25);
    expect(problems).toEqual([]);
  });

  test('on an imported stream the dimension is the imported name', () => {
    const stack = createTestStack();
    const stream = kinesis.Stream.fromStreamArn(
      stack,
      'Imported',
      'arn:aws:kinesis:eu-west-1:111111111111:stream/orders',
    );
    const monitoring = new PipelineMonitoring(stack, 'Monitoring');
    monitoring.monitorStream(stream);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Dimensions: [{ Name: 'StreamName', Value: 'orders' }],
    });
  });
});

describe('for any valid configuration', () => {
  test('every alarm passes the walk (derived thresholds stay within their units and limits)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 24, max: 8760 }),
        fc.option(fc.integer({ min: 60, max: 604_800 }), { nil: undefined }),
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 1, max: 10 }),
        (retentionHours, maxRecordAgeSeconds, bufferSeconds, evaluationPeriods) => {
          // maxRecordAge must be below retention for StreamConsumer; keep the generated case valid.
          const maxRecordAge =
            maxRecordAgeSeconds !== undefined && maxRecordAgeSeconds < retentionHours * 3600
              ? Duration.seconds(maxRecordAgeSeconds)
              : undefined;
          const stack = createTestStack();
          const retentionPeriod = Duration.hours(retentionHours);
          const stream = new kinesis.Stream(stack, 'Stream', { retentionPeriod });
          const monitoring = new PipelineMonitoring(stack, 'Monitoring');
          const evaluation = { evaluationPeriods, retentionPeriod };
          monitoring.monitorStream(stream, evaluation);
          monitoring.monitorConsumer(standardConsumer(stack, 'C', stream, maxRecordAge).consumer, evaluation);
          monitoring.monitorDelivery(
            delivery(stack, 'D', stream, Duration.seconds(bufferSeconds)).delivery,
            evaluation,
          );
          const { count, problems } = walkAlarms(Template.fromStack(stack), {
            retentionMillis: retentionHours * 3_600_000,
            bufferingIntervalSeconds: bufferSeconds,
            // Half of the smallest maxRecordAge Lambda accepts (60 s).
            minAgeMillis: 30_000,
          });
          expect(count).toBe(15);
          expect(problems).toEqual([]);
        },
      ),
      { numRuns: 4 },
    );
  });
});

describe('the walk itself', () => {
  test('reports the alarms of the closest existing constructs: no StreamName, 43 ms, no action', () => {
    const stack = createTestStack();
    new kinesis.Stream(stack, 'Stream');
    new cloudwatch.Alarm(stack, 'Broken', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Kinesis',
        metricName: 'GetRecords.IteratorAgeMilliseconds',
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      threshold: 43200,
      evaluationPeriods: 1,
    });
    const { problems } = walkAlarms(Template.fromStack(stack));
    expect(problems).toEqual([
      expect.stringMatching(/dimension StreamName missing/),
      expect.stringMatching(/threshold 43200 is not a sensible value in ms/),
      expect.stringMatching(/TreatMissingData not set/),
      expect.stringMatching(/AlarmActions does not notify/),
      expect.stringMatching(/OKActions does not notify/),
      expect.stringMatching(/no runbook line/),
    ]);
  });

  test('reports a dimension that is a literal instead of a reference to the stack resource', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const monitoring = new PipelineMonitoring(stack, 'Monitoring');
    const alarm = new cloudwatch.Alarm(stack, 'Literal', {
      metric: stream
        .metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum' })
        .with({ dimensionsMap: { StreamName: 'some-other-stream' } }),
      threshold: 3_600_000,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      alarmDescription: 'A hand-made alarm that watches a stream outside this template.',
    });
    monitoring.addUnhealthyCondition(alarm);
    const { problems } = walkAlarms(Template.fromStack(stack));
    expect(problems).toContainEqual(expect.stringMatching(/Literal.*dimension StreamName does not resolve/));
  });
});
