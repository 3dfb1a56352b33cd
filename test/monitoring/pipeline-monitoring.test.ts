import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MonitorableConsumer, PipelineMonitoring } from '../../lib/monitoring';
import { createTestStack } from '../support/app';
import { autoScaler, delivery, efoConsumer, standardConsumer, testFunction } from './fakes';
import { monitoredStack } from './monitored-stack';

/** The composite alarm's rule with every alarm ARN replaced by its logical id. */
function unhealthyRule(template: Template): string {
  const composites = template.findResources('AWS::CloudWatch::CompositeAlarm');
  const [composite] = Object.values(composites) as { Properties: { AlarmRule: unknown } }[];
  const rule = composite.Properties.AlarmRule as string | { 'Fn::Join': [string, unknown[]] };
  if (typeof rule === 'string') return rule;
  return rule['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : (part as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]))
    .join('');
}

function alarmIdsWhere(template: Template, props: Record<string, unknown>): string[] {
  return Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: props }));
}

describe('shared template of a fully monitored pipeline', () => {
  let template: Template;
  let monitoring: PipelineMonitoring;
  let stack: Stack;
  beforeAll(() => {
    ({ stack, monitoring } = monitoredStack({ dashboardName: 'orders-pipeline' }));
    template = Template.fromStack(stack);
  });

  // CloudWatch alarms of this account and region only (confused deputy), on the topic and the key.
  const cloudWatchConditions = {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: {
      'aws:SourceArn': {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudwatch:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':alarm:*',
          ],
        ],
      },
    },
  };

  test('creates a rotating KMS key that CloudWatch alarms of this account may use, and an SSL-only topic encrypted with it', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToUseTheKey',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Effect: 'Allow',
            Resource: '*',
            Condition: cloudWatchConditions,
          },
        ]),
      },
    });
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect(monitoring.alarmTopicKey).toBeDefined();
  });

  test('the topic policy lets CloudWatch alarms of this account publish (a topic policy replaces the default one)', () => {
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    template.resourceCountIs('AWS::SNS::TopicPolicy', 1);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topicId },
            Condition: cloudWatchConditions,
          },
        ]),
      },
    });
  });

  test('exposes every metric alarm, and each monitor call returns its own', () => {
    expect(monitoring.alarms).toHaveLength(25);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 25);
  });

  test('pages only on stalls, data loss, stuck delivery and throttling at maxShards', () => {
    const rule = unhealthyRule(template);
    const members = rule.match(/ALARM\("?[A-Za-z0-9]+"?\)/g) ?? [];
    expect(members).toHaveLength(12);
    const paging = [
      ...alarmIdsWhere(template, { MetricName: 'GetRecords.IteratorAgeMilliseconds' }),
      ...alarmIdsWhere(template, { MetricName: 'IteratorAge' }),
      ...alarmIdsWhere(template, { MetricName: 'DroppedEventCount' }),
      ...alarmIdsWhere(template, { MetricName: 'DestinationDeliveryFailures' }),
      ...alarmIdsWhere(template, { MetricName: 'SubscribeToShardEvent.MillisBehindLatest' }),
      ...alarmIdsWhere(template, { MetricName: 'DeliveryToS3.DataFreshness' }),
      ...alarmIdsWhere(template, { MetricName: 'ExecuteProcessing.Success' }),
      ...alarmIdsWhere(template, { MetricName: 'KinesisMillisBehindLatest' }),
      ...alarmIdsWhere(template, { MetricName: 'ThrottledAtMaxShards' }),
    ];
    expect(paging).toHaveLength(12);
    for (const id of paging) expect(rule).toContain(id);
    // Firehose retries failed S3 puts without loss: a success ratio below 1 warns, freshness pages.
    for (const metricName of ['WriteProvisionedThroughputExceeded', 'DeliveryToS3.Success']) {
      const ids = alarmIdsWhere(template, { MetricName: metricName });
      expect(ids).toHaveLength(1);
      for (const id of ids) expect(rule).not.toContain(id);
    }
    expect(rule.startsWith('(')).toBe(true);
    expect(rule).toMatch(/ OR /);
  });

  test('data loss pages: DroppedEventCount per event source mapping, DestinationDeliveryFailures per function', () => {
    const mappings = Object.keys(template.findResources('AWS::Lambda::EventSourceMapping'));
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    const rule = unhealthyRule(template);
    const dropped = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: 'DroppedEventCount' },
    });
    const failures = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: 'DestinationDeliveryFailures' },
    });
    // One of each per consumer (a polling and a fan-out consumer).
    expect(Object.keys(dropped)).toHaveLength(2);
    expect(Object.keys(failures)).toHaveLength(2);
    for (const [id, alarm] of Object.entries(dropped)) {
      expect(alarm.Properties.Namespace).toBe('AWS/Lambda');
      expect(alarm.Properties.Dimensions).toEqual([
        { Name: 'EventSourceMappingUUID', Value: { Ref: expect.any(String) } },
      ]);
      expect(mappings).toContain(alarm.Properties.Dimensions[0].Value.Ref);
      expect(alarm.Properties.AlarmDescription).toMatch(/DATA LOSS\. Lambda dropped records .* replay/);
      expect(rule).toContain(id);
    }
    for (const [id, alarm] of Object.entries(failures)) {
      expect(alarm.Properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: expect.any(String) } }]);
      expect(functions).toContain(alarm.Properties.Dimensions[0].Value.Ref);
      expect(alarm.Properties.AlarmDescription).toMatch(/DATA LOSS\. Lambda failed to write failed batches/);
      expect(rule).toContain(id);
    }
  });

  test('the composite notifies the topic on ALARM and OK', () => {
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
      AlarmDescription: Match.stringLikeRegexp('Pipeline unhealthy'),
    });
  });

  test.each([
    ['GetRecords.IteratorAgeMilliseconds', 'Maximum', 3, 2, 'GreaterThanOrEqualToThreshold', 'missing'],
    ['WriteProvisionedThroughputExceeded', 'Sum', 3, 3, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['ReadProvisionedThroughputExceeded', 'Sum', 3, 3, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['IteratorAge', 'Maximum', 3, 2, 'GreaterThanOrEqualToThreshold', 'missing'],
    ['Errors', 'Sum', 3, 3, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['Throttles', 'Sum', 3, 3, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['OnFailureDestinationDeliveredEventCount', 'Sum', 1, 1, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['DroppedEventCount', 'Sum', 1, 1, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['DestinationDeliveryFailures', 'Sum', 1, 1, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['RecordsQuarantined', 'Sum', 1, 1, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['SubscribeToShardEvent.MillisBehindLatest', 'Maximum', 3, 2, 'GreaterThanOrEqualToThreshold', 'missing'],
    ['DeliveryToS3.DataFreshness', 'Maximum', 3, 2, 'GreaterThanOrEqualToThreshold', 'missing'],
    ['DeliveryToS3.Success', 'Average', 3, 3, 'LessThanThreshold', 'notBreaching'],
    ['ExecuteProcessing.Success', 'Average', 3, 3, 'LessThanThreshold', 'notBreaching'],
    ['FailedConversion.Records', 'Sum', 1, 1, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['KinesisMillisBehindLatest', 'Maximum', 3, 2, 'GreaterThanOrEqualToThreshold', 'missing'],
    ['ThrottledAtMaxShards', 'Maximum', 3, 2, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
  ])(
    '%s alarm: %s over 5 min, %i periods, %i to alarm, %s, %s',
    (metricName, statistic, periods, datapoints, op, missing) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metricName,
        Statistic: statistic,
        Period: 300,
        EvaluationPeriods: periods,
        DatapointsToAlarm: datapoints,
        ComparisonOperator: op,
        TreatMissingData: missing,
      });
    },
  );

  test('the dashboard shows every area and an alarm status widget listing every alarm', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'orders-pipeline' });
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const title of [
      'Pipeline alarms',
      'Incoming bytes/s vs capacity',
      'Shard count',
      'Incoming bytes/s vs live capacity',
      'Iterator age (ms, max)',
      'Errors and throttles',
      'Records diverted or lost',
      'MillisBehindLatest (max)',
      'Data freshness (s, max)',
      'Success ratios (avg)',
      'Behind source stream (ms, max)',
    ]) {
      expect(body).toContain(title);
    }
    // Alarm status lists the composite and all 25 alarms (ARNs are GetAtt ... Arn).
    const alarmIds = [...Object.keys(template.findResources('AWS::CloudWatch::Alarm'))];
    for (const id of alarmIds) expect(body).toContain(id);
    // Capacity of the fixed 2-shard stream: 2 MiB/s and 2,000 records/s.
    expect(body).toContain(String(2 * 1024 * 1024));
    expect(body).toMatch(/value[\\"]*:2000,/);
    expect(body).toContain('write capacity (2 shards, records/s)');
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('notifications', () => {
  test('uses a given topic and creates neither topic nor key', () => {
    const stack = createTestStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Pager', 'arn:aws:sns:eu-west-1:111111111111:pager');
    const monitoring = new PipelineMonitoring(stack, 'Monitoring', { alarmTopic: topic });
    monitoring.monitorStream(new kinesis.Stream(stack, 'Stream'));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: ['arn:aws:sns:eu-west-1:111111111111:pager'],
      OKActions: ['arn:aws:sns:eu-west-1:111111111111:pager'],
    });
    expect(monitoring.alarmTopicKey).toBeUndefined();
  });

  test('sends the composite to unhealthyTopic when given', () => {
    const stack = createTestStack();
    const pager = sns.Topic.fromTopicArn(stack, 'Pager', 'arn:aws:sns:eu-west-1:111111111111:pager');
    const monitoring = new PipelineMonitoring(stack, 'Monitoring', { unhealthyTopic: pager });
    monitoring.monitorStream(new kinesis.Stream(stack, 'Stream'));
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmActions: ['arn:aws:sns:eu-west-1:111111111111:pager'],
    });
  });

  test('subscribes the alarmEmail prop', () => {
    const stack = createTestStack();
    new PipelineMonitoring(stack, 'Monitoring', { alarmEmail: 'oncall@example.com' }).monitorStream(
      new kinesis.Stream(stack, 'Stream'),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });

  test('reads no context: an alarmEmail in the app context subscribes nothing (bin/ passes it as a prop)', () => {
    const stack = createTestStack('S', undefined, { context: { alarmEmail: 'oncall@example.com' } });
    new PipelineMonitoring(stack, 'Monitoring').monitorStream(new kinesis.Stream(stack, 'Stream'));
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('no email, no subscription', () => {
    const stack = createTestStack();
    new PipelineMonitoring(stack, 'Monitoring').monitorStream(new kinesis.Stream(stack, 'Stream'));
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('composition', () => {
  test('monitoring nothing fails at synth with the methods to call', () => {
    const stack = createTestStack();
    new PipelineMonitoring(stack, 'Monitoring');
    expect(() => Template.fromStack(stack)).toThrow(/no paging alarm: call monitorStream/);
  });

  test('addUnhealthyCondition adds a user alarm to the composite', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const monitoring = new PipelineMonitoring(stack, 'Monitoring');
    const [, write] = monitoring.monitorStream(stream);
    monitoring.addUnhealthyCondition(write);
    const rule = unhealthyRule(Template.fromStack(stack));
    expect(rule).toContain(stack.getLogicalId(write.node.defaultChild as never));
    expect(rule.match(/ALARM\(/g)).toHaveLength(2);
  });

  test('createDashboard: false creates no dashboard', () => {
    const stack = createTestStack();
    const monitoring = new PipelineMonitoring(stack, 'Monitoring', { createDashboard: false });
    monitoring.monitorStream(new kinesis.Stream(stack, 'Stream'));
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(monitoring.dashboard).toBeUndefined();
  });

  test('monitor calls return the alarms they created, with distinct scopes per resource', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const monitoring = new PipelineMonitoring(stack, 'Monitoring');
    const streamAlarms = monitoring.monitorStream(stream);
    const a = monitoring.monitorConsumer(standardConsumer(stack, 'A', stream).consumer);
    const b = monitoring.monitorConsumer(standardConsumer(stack, 'B', stream).consumer);
    const d = monitoring.monitorDelivery(delivery(stack, 'Delivery', stream).delivery);
    const s = monitoring.monitorAutoScaler(autoScaler(stack, 'Scaler', stream).scaler);
    expect([streamAlarms.length, a.length, b.length, d.length, s.length]).toEqual([3, 7, 7, 5, 2]);
    expect(monitoring.alarms).toEqual([...streamAlarms, ...a, ...b, ...d, ...s]);
    expect(a[0].node.path).toBe('TestStack/Monitoring/ConsumerA/IteratorAgeAlarm');
    expect(streamAlarms[0].node.path).toBe('TestStack/Monitoring/StreamStream/IteratorAgeAlarm');
  });

  test('only enhanced fan-out consumers get a MillisBehindLatest alarm', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const monitoring = new PipelineMonitoring(stack, 'Monitoring');
    const polling = monitoring.monitorConsumer(standardConsumer(stack, 'Polling', stream).consumer);
    const fanOut = monitoring.monitorConsumer(efoConsumer(stack, 'FanOut', stream).consumer);
    expect(polling.map((a) => a.node.id)).not.toContain('MillisBehindLatestAlarm');
    expect(fanOut.map((a) => a.node.id)).toContain('MillisBehindLatestAlarm');
  });

  test('monitorQuarantine, monitorProcessing and monitorFormatConversion turn their alarms off', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const monitoring = new PipelineMonitoring(stack, 'Monitoring');
    const c = monitoring.monitorConsumer(standardConsumer(stack, 'C', stream).consumer, { monitorQuarantine: false });
    const d = monitoring.monitorDelivery(delivery(stack, 'D', stream).delivery, {
      monitorProcessing: false,
      monitorFormatConversion: false,
    });
    expect(c.map((a) => a.node.id)).not.toContain('QuarantinedRecordsAlarm');
    expect(d.map((a) => a.node.id)).toEqual([
      'DataFreshnessAlarm',
      'DeliveryToS3SuccessAlarm',
      'KinesisMillisBehindLatestAlarm',
    ]);
  });

  test('FailedConversion.Records is alarmed only for a delivery that converts, naming its format', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const monitoring = new PipelineMonitoring(stack, 'Monitoring');
    const json = monitoring.monitorDelivery(delivery(stack, 'Json', stream, undefined, null).delivery);
    const orc = monitoring.monitorDelivery(delivery(stack, 'Orc', stream, undefined, 'ORC').delivery);
    expect(json.map((a) => a.node.id)).not.toContain('FailedConversionAlarm');
    const conversion = orc.find((a) => a.node.id === 'FailedConversionAlarm')!;
    const template = Template.fromStack(stack);
    const description = template.toJSON().Resources[stack.getLogicalId(conversion.node.defaultChild as never)]
      .Properties.AlarmDescription as string;
    expect(description).toMatch(/records failed ORC conversion/);
    expect(description).not.toMatch(/Parquet/);
    // The dashboard graphs the metric only where it exists.
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body.match(/FailedConversion\.Records/g)).toHaveLength(2); // metric name and label, Orc only
    expect(body).toContain('FailedConversion.Records (ORC)');
  });

  test('ExecuteProcessing.Success is alarmed only for a delivery with a Lambda processor (lambdaProcessing)', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const monitoring = new PipelineMonitoring(stack, 'Monitoring');
    const ids = (lambdaProcessing?: boolean) =>
      monitoring
        .monitorDelivery({ ...delivery(stack, `D${lambdaProcessing}`, stream).delivery, lambdaProcessing })
        .map((a) => a.node.id);
    expect(ids(false)).not.toContain('ExecuteProcessingSuccessAlarm');
    expect(ids(true)).toContain('ExecuteProcessingSuccessAlarm');
    // Unset: a delivery this library did not build keeps the alarm, as before lambdaProcessing existed.
    expect(ids(undefined)).toContain('ExecuteProcessingSuccessAlarm');
  });

  test('monitorFailureDestination: false, for mappings without EventCount metrics', () => {
    const stack = createTestStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const monitoring = new PipelineMonitoring(stack, 'Monitoring');
    const consumer = standardConsumer(stack, 'C', stream).consumer;
    const failureMetric = jest.spyOn(consumer, 'metricOnFailureDestinationDeliveredEventCount');
    const droppedMetric = jest.spyOn(consumer, 'metricDroppedEventCount');
    const alarms = monitoring.monitorConsumer(consumer, { monitorFailureDestination: false, monitorQuarantine: false });
    // DestinationDeliveryFailures is a function metric, published without EventCount: it stays.
    expect(alarms.map((a) => a.node.id)).toEqual([
      'IteratorAgeAlarm',
      'ErrorsAlarm',
      'ThrottlesAlarm',
      'DestinationDeliveryFailuresAlarm',
    ]);
    // Neither alarm nor dashboard asks for the mapping's metrics (StreamConsumer throws without EventCount).
    expect(failureMetric).not.toHaveBeenCalled();
    expect(droppedMetric).not.toHaveBeenCalled();
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    expect(body).not.toContain('OnFailureDestinationDeliveredEventCount');
    expect(body).not.toContain('DroppedEventCount');
  });

  test('an imported consumer without a quarantine metric asks for monitorQuarantine: false', () => {
    const stack = createTestStack();
    const fn = testFunction(stack, 'Fn');
    const consumer = new MonitorableConsumer({
      function: fn,
      eventSourceMappingId: 'uuid-1',
      consumerName: 'imported',
    });
    const monitoring = new PipelineMonitoring(stack, 'Monitoring');
    expect(() => monitoring.monitorConsumer(consumer)).toThrow(
      /imported has no recordsQuarantinedMetric.*monitorQuarantine: false/,
    );
    expect(monitoring.monitorConsumer(consumer, { monitorQuarantine: false })).toHaveLength(6);
  });

  test('evaluation options apply to every alarm of the call', () => {
    const stack = createTestStack();
    const monitoring = new PipelineMonitoring(stack, 'Monitoring');
    monitoring.monitorStream(new kinesis.Stream(stack, 'Stream'), {
      period: Duration.minutes(1),
      evaluationPeriods: 10,
    });
    Template.fromStack(stack).allResourcesProperties('AWS::CloudWatch::Alarm', {
      Period: 60,
      EvaluationPeriods: 10,
      DatapointsToAlarm: 10,
    });
  });
});
