/**
 * Who may write what in a failure bucket: a consumer only where Lambda writes its on-failure
 * objects (aws/lambda/<event source mapping UUID>/, per
 * https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html) and where
 * the toolkit writes quarantine records; only the redrive function writes ledger markers; the
 * redrive function reads only its own stream unless another is allowed.
 */
import { type App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { StreamConsumer } from '../../lib/consumer';
import { RedriveFunction } from '../../lib/redrive';
import { createTestApp } from '../support/app';
import { addNagChecks, synthWithNag } from '../support/nag';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
type Policy = { Properties: { PolicyDocument: { Statement: Statement[] }; Roles: unknown[] } };

/** The constructs under test, in a stack of their own app. */
function build(app: App) {
  const stack = new Stack(app, 'Iam');
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED });
  const other = new kinesis.Stream(stack, 'Other', { encryption: kinesis.StreamEncryption.MANAGED });
  const queue = new sqs.Queue(stack, 'OnFailureMessages', {
    enforceSSL: true,
    visibilityTimeout: Duration.minutes(30),
  });
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    timeout: Duration.seconds(30),
  });
  const consumer = new StreamConsumer(stack, 'Consumer', { stream, handler });
  const redrive = new RedriveFunction(stack, 'Redrive', {
    stream,
    failureBucket: consumer.failureBucket,
    readBackStreams: [other],
    queue,
  });
  return { stack, stream, other, queue, handler, consumer, redrive };
}

const { stack, stream, other, queue, handler, consumer, redrive } = build(createTestApp());
const template = Template.fromStack(stack);
const bucketId = stack.getLogicalId(consumer.failureBucket.node.defaultChild as never);
const mappingId = stack.getLogicalId(
  handler.node.findAll().find((c) => c instanceof lambda.CfnEventSourceMapping) as lambda.CfnEventSourceMapping,
);

/** Every s3:PutObject* resource granted to a role, as JSON. */
function putResourcesOf(roleOf: lambda.IFunction): string[] {
  const roleId = stack.getLogicalId(roleOf.role!.node.defaultChild as never);
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Policy>)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:Put') || a === 's3:*'))
    .flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r)));
}

test('a consumer writes only aws/lambda/<its mapping UUID>/ and its quarantine prefix', () => {
  const puts = putResourcesOf(handler);
  expect(puts).toHaveLength(2);
  expect(puts).toEqual(
    expect.arrayContaining([
      JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/quarantine/*']] }),
      JSON.stringify({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/aws/lambda/', { Ref: mappingId }, '/*']],
      }),
    ]),
  );
});

test('only the redrive function writes ledger markers, and nothing else', () => {
  expect(putResourcesOf(handler).some((r) => r.includes('redrive-ledger'))).toBe(false);
  expect(putResourcesOf(redrive.function)).toEqual([
    JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/redrive-ledger/*']] }),
  ]);
});

test('the template has no dependency cycle (the put naming the mapping is a policy of its own)', () => {
  const resources = template.toJSON().Resources as Record<string, { DependsOn?: string | string[] }>;
  const edges = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const refs = new Set<string>([resource.DependsOn ?? []].flat());
    JSON.stringify(resource).replace(/"(?:Ref|Fn::GetAtt)":\s*(?:"([^"]+)"|\["([^"]+)")/g, (_m, ref, att) => {
      if (resources[ref ?? att]) refs.add(ref ?? att);
      return '';
    });
    edges.set(id, refs);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`cycle: ${[...path, id].join(' -> ')}`);
    state.set(id, 'visiting');
    for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
    state.set(id, 'done');
  };
  expect(() => [...edges.keys()].forEach((id) => visit(id, []))).not.toThrow();
});

test('a quarantine prefix that would cover the ledger or Lambda objects is refused', () => {
  const s = new Stack(createTestApp(), 'Prefix');
  const st = new kinesis.Stream(s, 'Stream');
  const fn = (id: string) =>
    new lambda.Function(s, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      timeout: Duration.seconds(30),
    });
  for (const quarantinePrefix of ['', 'r', 'redrive-ledger/', 'aws/lambda/', 'quarantine']) {
    expect(
      () =>
        new StreamConsumer(s, `C${quarantinePrefix.length}${quarantinePrefix.replace(/\W/g, '')}`, {
          stream: st,
          handler: fn(`F${quarantinePrefix.length}${quarantinePrefix.replace(/\W/g, '')}`),
          quarantinePrefix,
        }),
    ).toThrow(
      `quarantinePrefix must be a folder ending with '/' outside aws/ and redrive-ledger/. Received '${quarantinePrefix}'`,
    );
  }
});

test('redrive reads its own stream and the streams allowed, and takes SQS messages with partial batch responses', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: {
        REDRIVE_READ_BACK_STREAM_ARNS: stack.resolve(other.streamArn),
        REDRIVE_SQS_BATCH_ITEM_FAILURES: 'true',
      },
    },
  });
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    EventSourceArn: stack.resolve(queue.queueArn),
    FunctionName: stack.resolve(redrive.function.functionName),
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
  const readStreams = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Policy>)
    .filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(
        stack.getLogicalId(redrive.function.role!.node.defaultChild as never),
      ),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .filter((s) => [s.Action].flat().includes('kinesis:GetRecords'))
    .flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r)));
  expect(readStreams.sort()).toEqual(
    [JSON.stringify(stack.resolve(other.streamArn)), JSON.stringify(stack.resolve(stream.streamArn))].sort(),
  );
});

test('cdk-nag AwsSolutions: nothing unacknowledged on the consumer and redrive grants', () => {
  const app = createTestApp();
  addNagChecks(app);
  build(app);
  const { findings } = synthWithNag(app);
  // The test's own handler and queue are fixtures: their runtime, managed policy and DLQ are not under test.
  const fixtureRules = /^AwsSolutions-(L1|IAM4|SQS3)\b/;
  const onGrants = findings.filter(
    (f) =>
      f.paths.some((p) => /^Iam\/(Consumer|Redrive|Handler)/.test(p)) &&
      !(fixtureRules.test(f.rule) && f.paths.every((p) => /^Iam\/(Handler|OnFailureMessages)/.test(p))),
  );
  expect(onGrants).toEqual([]);
});
