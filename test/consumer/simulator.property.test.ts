/**
 * The runtime toolkit under Lambda's retry semantics, simulated over thousands of shards with the
 * settings a StreamConsumer synthesizes (read from its template) and realistic fault mixes:
 * nothing is lost, per-key order holds, and a stuck record no longer sends the healthy records
 * behind it to the on-failure destination (issue 13). Seeded, so every run is the same.
 */
import * as path from 'node:path';
import { Duration, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import fc from 'fast-check';
import { ConsumerType, StreamConsumer } from '../../lib/consumer';
import { processKinesisBatch } from '../../packages/runtime/src/kinesis-batch';
import {
  type EventSourceMappingSettings,
  type SimulatedHandler,
  settingsFromTemplate,
  simulateEventSourceMapping,
} from '../../packages/runtime/src/testing';
import { createTestStack } from '../support/app';
import {
  buildWorkload,
  type FaultMix,
  faultyRecordLogic,
  REALISTIC_FAULT_MIX,
  summarize,
  type Workload,
} from './support/fault-mix';
import { partialResponseOnly } from './support/partial-response-only';

const ENTRY = path.join(__dirname, 'support', 'sample-handler.ts');
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let defaults: EventSourceMappingSettings;
let stack: Stack;
beforeAll(() => {
  stack = createTestStack();
  const stream = new kinesis.Stream(stack, 'Stream', { retentionPeriod: Duration.hours(48) });
  new StreamConsumer(stack, 'Orders', { stream, entry: ENTRY });
  new StreamConsumer(stack, 'Audit', {
    stream,
    entry: ENTRY,
    consumerType: ConsumerType.ENHANCED_FAN_OUT,
    batchSize: 500,
    retryAttempts: 3,
    bisectBatchOnError: false,
    reportBatchItemFailures: false,
    parallelizationFactor: 2,
  });
  defaults = settingsFromTemplate(Template.fromStack(stack).toJSON(), { mapping: 'Orders' });
});

/** The toolkit at its defaults, as a handler would use it. */
function toolkitHandler(workload: Workload, mix: FaultMix, seed: number): SimulatedHandler {
  const logic = faultyRecordLogic(workload, mix, seed);
  return (event, context) =>
    processKinesisBatch<{ id: string }>(event, (record) => logic(record.body, context), {
      context,
      logger: silent,
      metrics: false,
    });
}

describe('settings read from a StreamConsumer template', () => {
  test('the construct defaults, its function timeout and the stream retention', () => {
    expect(defaults).toEqual({
      batchSize: 100,
      maximumBatchingWindowInSeconds: undefined,
      parallelizationFactor: 1,
      maximumRetryAttempts: 10,
      maximumRecordAgeInSeconds: 47 * 3600,
      bisectBatchOnFunctionError: true,
      reportBatchItemFailures: true,
      onFailureDestination: 's3',
      functionTimeoutSeconds: 60,
      streamRetentionHours: 48,
    });
  });

  test('an enhanced fan-out consumer with its own settings; its stream found through the consumer', () => {
    expect(settingsFromTemplate(Template.fromStack(stack).toJSON(), { mapping: 'Audit' })).toMatchObject({
      batchSize: 500,
      parallelizationFactor: 2,
      maximumRetryAttempts: 3,
      bisectBatchOnFunctionError: false,
      reportBatchItemFailures: false,
      streamRetentionHours: 48,
    });
  });

  test('a template with several mappings needs a choice; an unknown choice is named', () => {
    const template = Template.fromStack(stack).toJSON();
    expect(() => settingsFromTemplate(template)).toThrow(/expected one AWS::Lambda::EventSourceMapping, found 2/);
    expect(() => settingsFromTemplate(template, { mapping: 'Nope' })).toThrow(/matching 'Nope', found 0/);
  });

  test('an SQS destination and values known only at deploy time', () => {
    const template = {
      Resources: {
        Queue: { Type: 'AWS::SQS::Queue' },
        Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
        Mapping: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: {
            FunctionName: { Ref: 'Fn' },
            DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Queue', 'Arn'] } } },
          },
        },
      },
    };
    // AWS defaults for what the template leaves out; Lambda's 3 s timeout.
    expect(settingsFromTemplate(template)).toMatchObject({
      onFailureDestination: 'sqs',
      functionTimeoutSeconds: undefined,
      bisectBatchOnFunctionError: false,
      reportBatchItemFailures: false,
    });
    const withParameter = {
      Resources: {
        ...template.Resources,
        Mapping: {
          ...template.Resources.Mapping,
          Properties: { ...template.Resources.Mapping.Properties, BatchSize: { Ref: 'Size' } },
        },
      },
    };
    expect(() => settingsFromTemplate(withParameter)).toThrow(/Mapping\.BatchSize is not a number in the template/);
  });

  test('a quarantine queue does not change the on-failure destination: S3 keeps failed batches', () => {
    const other = createTestStack('WithQueue');
    new StreamConsumer(other, 'Consumer', {
      stream: new kinesis.Stream(other, 'Stream'),
      entry: ENTRY,
      quarantineQueue: new sqs.Queue(other, 'Quarantine'),
    });
    expect(settingsFromTemplate(Template.fromStack(other).toJSON()).onFailureDestination).toBe('s3');
  });
});

describe('the toolkit at the construct defaults, thousands of shards, realistic faults', () => {
  // 2,000 shards, hot and cold (30 records on average, up to 240), 6 partition keys each.
  const workload = buildWorkload({
    shards: 2000,
    recordsPerShard: 30,
    unevenShards: true,
    keysPerShard: 6,
    mix: REALISTIC_FAULT_MIX,
    seed: 13,
  });

  test('nothing lost, per-key order kept, at most 0.5 % of the healthy records discarded unprocessed', async () => {
    const report = await simulateEventSourceMapping(workload.shards, toolkitHandler(workload, REALISTIC_FAULT_MIX, 5), {
      settings: defaults,
    });
    const summary = summarize(report, workload);
    expect(report.totals.records).toBeGreaterThan(50_000);
    expect(summary.lost).toBe(0);
    expect(summary.outOfOrder).toBe(0);
    expect(summary.collateralPercent).toBeLessThanOrEqual(0.5);
    // Every stuck record reaches the S3 destination, with its payload.
    expect(summary.stuck).toBeGreaterThan(30);
    expect(summary.stuckSentToOnFailure).toBe(summary.stuck);
    // Isolating stuck records costs invocations, within reason.
    expect(summary.invocationsPerRecord).toBeLessThan(0.1);
  });

  test('the strategy before issue 13 sent healthy records to the on-failure destination (the property can fail)', async () => {
    const logic = faultyRecordLogic(workload, REALISTIC_FAULT_MIX, 5);
    const report = await simulateEventSourceMapping(
      workload.shards,
      (event, context) => partialResponseOnly<{ id: string }>(event, (body) => logic(body, context), context),
      { settings: defaults },
    );
    const summary = summarize(report, workload);
    expect(summary.lost).toBe(0);
    expect(summary.collateralPercent).toBeGreaterThan(1);
  });

  test("a function with Lambda's 3 s default timeout still processes its records (the margin is clamped)", async () => {
    const small = buildWorkload({
      shards: 50,
      recordsPerShard: 40,
      keysPerShard: 8,
      mix: REALISTIC_FAULT_MIX,
      seed: 3,
    });
    const report = await simulateEventSourceMapping(small.shards, toolkitHandler(small, REALISTIC_FAULT_MIX, 3), {
      settings: { ...defaults, functionTimeoutSeconds: 3 },
    });
    const summary = summarize(report, small);
    expect(summary.lost).toBe(0);
    expect(summary.collateral).toBe(0);
  });
});

describe('property: any settings a StreamConsumer allows, any fault mix', () => {
  const mix: fc.Arbitrary<FaultMix> = fc.record({
    stuck: fc.constantFrom(0, 0.001, 0.01),
    poison: fc.constantFrom(0, 0.005, 0.05),
    flaky: fc.constantFrom(0, 0.01, 0.1),
    crashPerAttempt: fc.constantFrom(0, 0.0001, 0.002),
  });
  const settings: fc.Arbitrary<EventSourceMappingSettings> = fc.record({
    batchSize: fc.constantFrom(1, 10, 100, 500),
    parallelizationFactor: fc.integer({ min: 1, max: 4 }),
    maximumRetryAttempts: fc.constantFrom(0, 1, 10),
    bisectBatchOnFunctionError: fc.boolean(),
    reportBatchItemFailures: fc.boolean(),
    functionTimeoutSeconds: fc.constantFrom(3, 10, 60),
  });

  test('nothing lost, per-key order kept', async () => {
    await fc.assert(
      fc.asyncProperty(
        mix,
        settings,
        fc.constantFrom<'remaining-records' | 'from-checkpoint'>('remaining-records', 'from-checkpoint'),
        fc.integer({ min: 1, max: 1000 }),
        async (faults, chosen, partialBatchRetry, seed) => {
          const workload = buildWorkload({
            shards: 20,
            recordsPerShard: 40,
            unevenShards: true,
            keysPerShard: 5,
            mix: faults,
            seed,
          });
          const report = await simulateEventSourceMapping(workload.shards, toolkitHandler(workload, faults, seed), {
            settings: { ...defaults, ...chosen },
            partialBatchRetry,
            duplicateDeliveryRate: 0.01,
            seed,
          });
          expect(report.totals.lost).toBe(0);
          expect(report.totals.outOfOrder).toBe(0);
          expect(report.totals.stoppedShards).toBe(0);
        },
      ),
      { numRuns: 30, seed: 20261 },
    );
  });
});
