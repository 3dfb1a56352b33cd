import { CfnParameter, Duration, Token, type Stack } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { MonitorableConsumer, PipelineMonitoring, type AlarmEvaluationOptions } from '../../lib/monitoring';
import { createTestStack } from '../support/app';
import { autoScaler, delivery, standardConsumer, testFunction } from './fakes';

interface Setup {
  readonly stack: Stack;
  readonly stream: kinesis.Stream;
  readonly monitoring: PipelineMonitoring;
}

function setup(): Setup {
  const stack = createTestStack();
  return { stack, stream: new kinesis.Stream(stack, 'Stream'), monitoring: new PipelineMonitoring(stack, 'M') };
}

type Call = (s: Setup, options: Record<string, unknown>) => unknown;

const monitorStream: Call = (s, o) => s.monitoring.monitorStream(s.stream, o);
const monitorConsumer: Call = (s, o) =>
  s.monitoring.monitorConsumer(standardConsumer(s.stack, 'C', s.stream, Duration.hours(2)).consumer, o);
const monitorDelivery: Call = (s, o) => s.monitoring.monitorDelivery(delivery(s.stack, 'D', s.stream).delivery, o);
const monitorAutoScaler: Call = (s, o) => s.monitoring.monitorAutoScaler(autoScaler(s.stack, 'A', s.stream).scaler, o);

describe('bad thresholds fail at synth time, naming the prop, the value and the range', () => {
  test.each<[string, Call, Record<string, unknown>, RegExp]>([
    [
      'stream iterator age zero',
      monitorStream,
      { iteratorAgeThreshold: Duration.millis(0) },
      /iteratorAgeThreshold must be greater than 0 milliseconds. Received 0/,
    ],
    [
      'stream iterator age NaN',
      monitorStream,
      { iteratorAgeThreshold: Duration.minutes(NaN) },
      /iteratorAgeThreshold must be a finite duration greater than 0 milliseconds. Received NaN milliseconds/,
    ],
    [
      'stream iterator age infinite, with a token retention period (no upper bound to catch it)',
      monitorStream,
      { iteratorAgeThreshold: Duration.hours(Infinity), retentionPeriod: Duration.hours(Token.asNumber({ Ref: 'H' })) },
      /iteratorAgeThreshold must be a finite duration greater than 0 milliseconds. Received Infinity milliseconds/,
    ],
    [
      'stream iterator age at the retention period',
      monitorStream,
      { iteratorAgeThreshold: Duration.hours(24) },
      /iteratorAgeThreshold must be below the retention period \(86400000 ms\). Received 86400000 ms/,
    ],
    [
      'stream iterator age above a longer retention period',
      monitorStream,
      { retentionPeriod: Duration.hours(48), iteratorAgeThreshold: Duration.millis(172_800_001) },
      /iteratorAgeThreshold must be below the retention period \(172800000 ms\). Received 172800001 ms/,
    ],
    [
      'write throttles zero',
      monitorStream,
      { writeThrottledRecordsThreshold: 0 },
      /writeThrottledRecordsThreshold must be greater than 0 records. Received 0/,
    ],
    [
      'read throttles negative',
      monitorStream,
      { readThrottledRequestsThreshold: -3 },
      /readThrottledRequestsThreshold must be greater than 0 requests. Received -3/,
    ],
    ['shard count zero', monitorStream, { shardCount: 0 }, /shardCount must be an integer of at least 1. Received 0/],
    [
      'consumer iterator age at maxRecordAge',
      monitorConsumer,
      { iteratorAgeThreshold: Duration.hours(2) },
      /iteratorAgeThreshold must be below the consumer maxRecordAge \(7200000 ms\). Received 7200000 ms/,
    ],
    [
      'consumer iterator age zero',
      monitorConsumer,
      { iteratorAgeThreshold: Duration.seconds(0) },
      /iteratorAgeThreshold must be greater than 0 milliseconds. Received 0/,
    ],
    [
      'consumer MillisBehindLatest above retention',
      monitorConsumer,
      { millisBehindLatestThreshold: Duration.hours(25) },
      /millisBehindLatestThreshold must be below the retention period \(86400000 ms\). Received 90000000 ms/,
    ],
    [
      'consumer errors zero',
      monitorConsumer,
      { errorsThreshold: 0 },
      /errorsThreshold must be greater than 0 invocations. Received 0/,
    ],
    [
      'consumer throttles negative',
      monitorConsumer,
      { throttlesThreshold: -1 },
      /throttlesThreshold must be greater than 0 invocations. Received -1/,
    ],
    [
      'consumer failure destination zero',
      monitorConsumer,
      { failureDestinationRecordsThreshold: 0 },
      /failureDestinationRecordsThreshold must be greater than 0 records. Received 0/,
    ],
    [
      'consumer quarantine zero',
      monitorConsumer,
      { quarantinedRecordsThreshold: 0 },
      /quarantinedRecordsThreshold must be greater than 0 records. Received 0/,
    ],
    [
      'freshness zero',
      monitorDelivery,
      { dataFreshnessThreshold: Duration.seconds(0) },
      /dataFreshnessThreshold must be greater than 0 seconds. Received 0/,
    ],
    [
      'freshness at the buffering interval',
      monitorDelivery,
      { dataFreshnessThreshold: Duration.minutes(5) },
      /dataFreshnessThreshold must be greater than the bufferingInterval \(300 s\). Received 300 s/,
    ],
    [
      'delivery success ratio zero',
      monitorDelivery,
      { deliveryToS3SuccessRatioThreshold: 0 },
      /deliveryToS3SuccessRatioThreshold must be a ratio greater than 0 and at most 1. Received 0/,
    ],
    [
      'processing success ratio as a percentage',
      monitorDelivery,
      { executeProcessingSuccessRatioThreshold: 99 },
      /executeProcessingSuccessRatioThreshold must be a ratio greater than 0 and at most 1. Received 99/,
    ],
    [
      'failed conversion zero',
      monitorDelivery,
      { failedConversionRecordsThreshold: 0 },
      /failedConversionRecordsThreshold must be greater than 0 records. Received 0/,
    ],
    [
      'Firehose read lag at retention',
      monitorDelivery,
      { kinesisMillisBehindLatestThreshold: Duration.days(1) },
      /kinesisMillisBehindLatestThreshold must be below the retention period \(86400000 ms\). Received 86400000 ms/,
    ],
    [
      'scaler errors zero',
      monitorAutoScaler,
      { errorsThreshold: 0 },
      /errorsThreshold must be greater than 0 invocations. Received 0/,
    ],
  ])('%s', (_name, call, options, error) => {
    const s = setup();
    expect(() => call(s, options)).toThrow(error);
  });

  test('maxShards below 1', () => {
    const s = setup();
    const { scaler } = autoScaler(s.stack, 'A', s.stream);
    expect(() => s.monitoring.monitorAutoScaler({ ...scaler, maxShards: 0 })).toThrow(
      /maxShards must be an integer of at least 1. Received 0/,
    );
  });
});

describe('bad evaluation settings fail for every monitor call', () => {
  const calls: [string, Call][] = [
    ['monitorStream', monitorStream],
    ['monitorConsumer', monitorConsumer],
    ['monitorDelivery', monitorDelivery],
    ['monitorAutoScaler', monitorAutoScaler],
  ];
  test.each<[string, AlarmEvaluationOptions, RegExp]>([
    ['evaluationPeriods 0', { evaluationPeriods: 0 }, /evaluationPeriods must be an integer of at least 1. Received 0/],
    [
      'evaluationPeriods 1.5',
      { evaluationPeriods: 1.5 },
      /evaluationPeriods must be an integer of at least 1. Received 1.5/,
    ],
    [
      'datapointsToAlarm above evaluationPeriods',
      { evaluationPeriods: 3, datapointsToAlarm: 4 },
      /datapointsToAlarm must be an integer between 1 and evaluationPeriods \(3\). Received 4/,
    ],
    [
      'datapointsToAlarm 0',
      { datapointsToAlarm: 0 },
      /datapointsToAlarm must be an integer between 1 and evaluationPeriods \(.*\). Received 0/,
    ],
    [
      'period 90 s',
      { period: Duration.seconds(90) },
      /period must be a positive multiple of 60 seconds. Received 90 seconds/,
    ],
    [
      'period 30 s',
      { period: Duration.seconds(30) },
      /period must be a positive multiple of 60 seconds. Received 30 seconds/,
    ],
  ])('%s', (_name, options, error) => {
    for (const [, call] of calls) {
      const s = setup();
      expect(() => call(s, options as Record<string, unknown>)).toThrow(error);
    }
  });

  test('period × evaluationPeriods beyond what CloudWatch evaluates', () => {
    expect(() => monitorStream(setup(), { evaluationPeriods: 289 })).toThrow(
      /period × evaluationPeriods must be at most 86400 seconds \(1 day for periods under one hour\). Received 300 s × 289 = 86700 s/,
    );
    expect(() => monitorStream(setup(), { period: Duration.hours(1), evaluationPeriods: 169 })).toThrow(
      /period × evaluationPeriods must be at most 604800 seconds \(7 days\). Received 3600 s × 169 = 608400 s/,
    );
    expect(monitorStream(setup(), { evaluationPeriods: 288 })).toHaveLength(3);
    expect(monitorStream(setup(), { period: Duration.hours(1), evaluationPeriods: 168 })).toHaveLength(3);
  });

  test('datapointsToAlarm above an alarm whose default evaluationPeriods is 1', () => {
    // FailureDestinationAlarm evaluates 1 period by default; 2 of 1 is impossible.
    const s = setup();
    expect(() => monitorConsumer(s, { datapointsToAlarm: 2 })).toThrow(
      /datapointsToAlarm must be an integer between 1 and evaluationPeriods \(1\). Received 2/,
    );
  });
});

describe('tokens are not validated at synth time', () => {
  test('thresholds and evaluation settings may be CfnParameters (CDK itself rejects a token period)', () => {
    const s = setup();
    const n = (id: string): number => new CfnParameter(s.stack, id, { type: 'Number' }).valueAsNumber;
    expect(() =>
      s.monitoring.monitorStream(s.stream, {
        iteratorAgeThreshold: Duration.millis(n('Age')),
        writeThrottledRecordsThreshold: n('Write'),
        readThrottledRequestsThreshold: n('Read'),
        evaluationPeriods: n('Periods'),
        datapointsToAlarm: n('Datapoints'),
        shardCount: n('Shards'),
      }),
    ).not.toThrow();
    expect(() =>
      monitorDelivery(s, {
        dataFreshnessThreshold: Duration.seconds(n('Freshness')),
        deliveryToS3SuccessRatioThreshold: n('S3Ratio'),
        executeProcessingSuccessRatioThreshold: n('ProcRatio'),
        failedConversionRecordsThreshold: n('Conversion'),
        kinesisMillisBehindLatestThreshold: Duration.millis(n('Behind')),
      }),
    ).not.toThrow();
  });

  test('a token alarmEmail is subscribed without a format check', () => {
    const stack = createTestStack();
    const email = new CfnParameter(stack, 'Email').valueAsString;
    expect(() => new PipelineMonitoring(stack, 'M', { alarmEmail: email })).not.toThrow();
  });
});

describe('other bad input', () => {
  test('alarmEmail must look like an address', () => {
    const stack = createTestStack();
    expect(() => new PipelineMonitoring(stack, 'M', { alarmEmail: 'oncall' })).toThrow(
      /alarmEmail must be an email address \(name@domain\). Received oncall/,
    );
  });

  test('MonitorableConsumer: efoConsumerName requires the stream', () => {
    const stack = createTestStack();
    expect(
      () =>
        new MonitorableConsumer({
          function: testFunction(stack, 'F'),
          eventSourceMappingId: 'u',
          efoConsumerName: 'efo',
        }),
    ).toThrow(/efoConsumerName requires stream. Received efoConsumerName efo and no stream/);
  });

  test('a token consumerName needs a displayName', () => {
    const s = setup();
    const fn = testFunction(s.stack, 'F');
    const consumer = new MonitorableConsumer({ function: fn, eventSourceMappingId: 'u' });
    expect(() => s.monitoring.monitorConsumer(consumer, { monitorQuarantine: false })).toThrow(
      /displayName is required when the consumer name is a token/,
    );
    expect(s.monitoring.monitorConsumer(consumer, { monitorQuarantine: false, displayName: 'orders' })).toHaveLength(6);
  });
});

describe('retention period and names', () => {
  test.each<[string, Call]>([
    ['monitorStream', monitorStream],
    ['monitorConsumer', monitorConsumer],
    ['monitorDelivery', monitorDelivery],
  ])('%s: retentionPeriod must be a Kinesis retention period', (_name, call) => {
    expect(() => call(setup(), { retentionPeriod: Duration.hours(12) })).toThrow(
      /retentionPeriod must be between 24 and 8760 hours. Received 12/,
    );
    expect(() => call(setup(), { retentionPeriod: Duration.hours(8761) })).toThrow(
      /retentionPeriod must be between 24 and 8760 hours. Received 8761/,
    );
  });

  test('monitoring the same resource twice asks for a displayName', () => {
    const s = setup();
    s.monitoring.monitorStream(s.stream);
    expect(() => s.monitoring.monitorStream(s.stream)).toThrow(
      /displayName must be unique .* Received a second StreamStream/,
    );
    expect(s.monitoring.monitorStream(s.stream, { displayName: 'Again' })).toHaveLength(3);
  });
});

describe('the composite alarm rule', () => {
  test('too many paging alarms for one rule fail at synth with the count', () => {
    const s = setup();
    // Each paging alarm adds about 130 characters to the 10,240-character rule.
    for (let i = 0; i < 90; i++) s.monitoring.monitorStream(s.stream, { displayName: `S${i}` });
    const errors = s.monitoring.node.validate();
    expect(errors).toEqual([
      expect.stringMatching(/would be about \d+ characters; CloudWatch allows 10240. Received 90 paging alarms/),
    ]);
  });

  test('a pipeline of a realistic size is well below the limit', () => {
    const s = setup();
    for (let i = 0; i < 20; i++) s.monitoring.monitorStream(s.stream, { displayName: `S${i}` });
    expect(s.monitoring.node.validate()).toEqual([]);
  });
});

describe('values that reached the template or failed deep inside aws-cdk-lib (fuzz regressions)', () => {
  test.each<[string, Call, Record<string, unknown>, RegExp]>([
    // `!(x > 0)` let Infinity through: the alarm's Threshold became null.
    [
      'infinite count threshold',
      monitorAutoScaler,
      { errorsThreshold: Infinity },
      /^errorsThreshold must be greater than 0 invocations\. Received Infinity$/,
    ],
    [
      'NaN count threshold',
      monitorStream,
      { writeThrottledRecordsThreshold: NaN },
      /^writeThrottledRecordsThreshold must be greater than 0 records\. Received NaN$/,
    ],
    [
      'infinite ratio',
      monitorDelivery,
      { deliveryToS3SuccessRatioThreshold: Infinity },
      /^deliveryToS3SuccessRatioThreshold must be a ratio greater than 0 and at most 1\. Received Infinity$/,
    ],
    // aws-cdk-lib: "Duration must be specified as 'Duration.seconds()' here since its value comes from a token".
    [
      'token period in minutes',
      monitorStream,
      { period: Duration.minutes(Token.asNumber({ Ref: 'P' })) },
      /^period must be given in seconds when it is a token .*Received Duration\.minutes\(token\)$/,
    ],
    // aws-cdk-lib: "8265600000.5 must be a whole number of millis."
    [
      'a fraction of a millisecond',
      monitorDelivery,
      { retentionPeriod: Duration.millis(8_265_600_000.5) },
      /^retentionPeriod must be between 24 and 8760 hours \(whole milliseconds\)\. Received 2296\.0000001\d* hours$/,
    ],
    [
      'token retention without a threshold',
      monitorStream,
      { retentionPeriod: Duration.hours(Token.asNumber({ Ref: 'H' })) },
      /^retentionPeriod must be a literal duration to derive the default threshold from it, or set iteratorAgeThreshold\. Received a token retentionPeriod$/,
    ],
  ])('%s', (_name, call, options, error) => {
    expect(() => call(setup(), options)).toThrow(error);
  });

  test('dashboardName outside what PutDashboard takes', () => {
    const stack = createTestStack();
    expect(() => new PipelineMonitoring(stack, 'M', { dashboardName: 'ops dashboard' })).toThrow(
      /^dashboardName must be 1 to 255 characters of A-Z, a-z, 0-9, '-' and '_'\. Received 'ops dashboard'$/,
    );
  });
});
