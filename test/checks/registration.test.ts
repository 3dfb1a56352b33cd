/**
 * StreamingChecks registered the cdk-nag 3 way (Validations.of(app).addPlugins), on a pipeline
 * written with aws-cdk-lib L2s at their defaults; levels, acknowledgments with a reason, and the
 * audit trail in the template. One synthesis per app, no built-in template validation.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import { StreamingChecks } from '../../lib';
import { createTestApp } from '../support/app';
import { readTemplate, synthWithNag } from '../support/nag';

/** A consumer and an alarm as the aws-cdk-lib L2s make them by default. */
function l2Pipeline(stack: Stack): { fn: lambda.Function; topic: sns.Topic } {
  const stream = new kinesis.Stream(stack, 'Stream');
  const fn = new lambda.Function(stack, 'Consumer', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {}'),
    timeout: Duration.minutes(1),
    reservedConcurrentExecutions: 2,
  });
  fn.addEventSource(new sources.KinesisEventSource(stream, { startingPosition: lambda.StartingPosition.TRIM_HORIZON }));
  const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true });
  const alarm = new cloudwatch.Alarm(stack, 'IteratorAge', {
    metric: stream.metricGetRecordsIteratorAgeMilliseconds(),
    threshold: 60_000,
    evaluationPeriods: 1,
  });
  alarm.addAlarmAction(new actions.SnsAction(topic));
  return { fn, topic };
}

describe('an aws-cdk-lib L2 pipeline at its defaults', () => {
  const app = createTestApp({ builtinValidation: false });
  Validations.of(app).addPlugins(new StreamingChecks(app, { writeSuppressionsToCloudFormation: true }));
  const stack = new Stack(app, 'L2');
  const { fn } = l2Pipeline(stack);
  Validations.of(fn).acknowledge({
    id: 'Streaming-LambdaReservedConcurrency',
    reason: 'Every account this stack deploys to has a raised Lambda concurrency quota.',
  });
  const { findings, outdir } = synthWithNag(app);
  const severities = Object.fromEntries(findings.map((f) => [f.rule, f.severity]));

  test('reports what the defaults lose, at the rule levels', () => {
    expect(severities).toEqual({
      // KinesisEventSource: no bisect, retries until expiry, records age out unrecorded, no partial responses.
      'Streaming-EsmBisectOnError': 'warning',
      'Streaming-EsmRetryAttempts': 'error',
      'Streaming-EsmRecordAge': 'error',
      'Streaming-EsmOnFailureDestination': 'error',
      'Streaming-EsmReportBatchItemFailures': 'error',
      // enforceSSL's topic policy holds only the TLS Deny.
      'Streaming-AlarmTopicPolicy': 'error',
    });
  });

  test('an acknowledged finding is not reported, and its reason is kept in the template', () => {
    expect(severities).not.toHaveProperty(['Streaming-LambdaReservedConcurrency']);
    const resources = Object.values(readTemplate(outdir, stack.artifactId).Resources) as any[];
    const acknowledged = resources.flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(acknowledged).toContainEqual({
      id: 'Streaming-LambdaReservedConcurrency',
      reason: 'Every account this stack deploys to has a raised Lambda concurrency quota.',
    });
  });

  test("the L2 stream's default encryption (KMS wherever Kinesis offers it) passes", () => {
    expect(severities).not.toHaveProperty(['Streaming-StreamEncryption']);
  });
});

test('an acknowledgment is per finding: the other rules on the same resource still report', () => {
  const app = createTestApp({ builtinValidation: false });
  Validations.of(app).addPlugins(new StreamingChecks(app));
  const stack = new Stack(app, 'Acknowledged');
  const { fn } = l2Pipeline(stack);
  // The form the CDK CLI prints next to a finding ('<plugin>::<rule>') works as well.
  Validations.of(fn).acknowledge({
    id: 'Streaming::Streaming-EsmBisectOnError',
    reason: 'The handler never throws: it reports failures per record.',
  });
  const rules = synthWithNag(app).findings.map((f) => f.rule);
  expect(rules).not.toContain('Streaming-EsmBisectOnError');
  expect(rules).toContain('Streaming-EsmRetryAttempts');
});
