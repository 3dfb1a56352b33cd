import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { RedriveFunction } from '../../lib/redrive';
import { createTestApp, createTestStack } from '../support/app';
import { addNagChecks, synthWithNag } from '../support/nag';

// Needs assets/redrive/index.js: `npm run build:handlers`.
let stack: Stack;
let stream: kinesis.Stream;
let bucket: s3.Bucket;
beforeEach(() => {
  stack = createTestStack();
  stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED });
  bucket = new s3.Bucket(stack, 'Failures');
});

describe('RedriveFunction', () => {
  test('a Node.js 24 function told where to read, write and keep its ledger', () => {
    const redrive = new RedriveFunction(stack, 'Redrive', {
      stream,
      failureBucket: bucket,
      sourcePrefix: 'quarantine/',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 300,
      MemorySize: 512,
      Environment: {
        Variables: {
          REDRIVE_STREAM_ARN: stack.resolve(stream.streamArn),
          REDRIVE_FAILURE_BUCKET: stack.resolve(bucket.bucketName),
          REDRIVE_LEDGER_PREFIX: 'redrive-ledger/',
          REDRIVE_SOURCE_PREFIX: 'quarantine/',
        },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(redrive.function.node.id).toBe('Resource');
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('grants: read the failure bucket, put only under the ledger prefix, read and write the stream', () => {
    new RedriveFunction(stack, 'Redrive', { stream, failureBucket: bucket });
    const template = Template.fromStack(stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        (
          policy as {
            Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
          }
        ).Properties.PolicyDocument.Statement,
    );
    const actionsOn = (predicate: (resource: string) => boolean) =>
      statements
        .filter((s) => [s.Resource].flat().some((r) => predicate(JSON.stringify(r))))
        .flatMap((s) => [s.Action].flat());
    const bucketLogicalId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    expect(actionsOn((r) => r.includes(bucketLogicalId) && r.includes('/redrive-ledger/*'))).toEqual(
      expect.arrayContaining(['s3:PutObject']),
    );
    expect(actionsOn((r) => r.includes(bucketLogicalId) && r.endsWith('/*"]]}'))).toEqual(
      expect.arrayContaining(['s3:GetObject*', 's3:List*']),
    );
    // PutObject only on the ledger, never on the failure documents.
    const putOn = statements
      .filter((s) => [s.Action].flat().includes('s3:PutObject'))
      .flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r)));
    expect(putOn.every((r) => r.includes('redrive-ledger/*'))).toBe(true);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:PutRecords']),
            Resource: stack.resolve(stream.streamArn),
          }),
        ]),
      },
    });
  });

  test('KMS-encrypted stream with a customer key: decrypt and encrypt granted', () => {
    const encrypted = new kinesis.Stream(stack, 'Encrypted', { encryption: kinesis.StreamEncryption.KMS });
    new RedriveFunction(stack, 'Redrive', { stream: encrypted, failureBucket: bucket });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['kms:Decrypt', 'kms:Encrypt']),
            Resource: stack.resolve(encrypted.encryptionKey!.keyArn),
          }),
        ]),
      },
    });
  });

  test('cdk-nag AwsSolutions: nothing unacknowledged on the function, with a customer-key stream or without', () => {
    const app = createTestApp();
    addNagChecks(app);
    const nagStack = new Stack(app, 'Nag');
    const failureBucket = new s3.Bucket(nagStack, 'Failures');
    const key = new kms.Key(nagStack, 'Key', { enableKeyRotation: true });
    const streams = {
      Managed: new kinesis.Stream(nagStack, 'ManagedStream', { encryption: kinesis.StreamEncryption.MANAGED }),
      CustomerKey: new kinesis.Stream(nagStack, 'KeyStream', {
        encryption: kinesis.StreamEncryption.KMS,
        encryptionKey: key,
      }),
    };
    for (const [id, s] of Object.entries(streams)) new RedriveFunction(nagStack, id, { stream: s, failureBucket });
    const { findings } = synthWithNag(app);
    const onRedrive = findings.filter((f) => f.paths.some((p) => /^Nag\/(Managed|CustomerKey)\//.test(p)));
    expect(onRedrive).toEqual([]);
  });

  test('works with an imported stream and bucket', () => {
    const imported = kinesis.Stream.fromStreamArn(
      stack,
      'Imported',
      'arn:aws:kinesis:eu-west-1:111111111111:stream/orders',
    );
    const importedBucket = s3.Bucket.fromBucketName(stack, 'ImportedBucket', 'failures');
    new RedriveFunction(stack, 'Redrive', { stream: imported, failureBucket: importedBucket, ledgerPrefix: 'ledger/' });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          REDRIVE_STREAM_ARN: 'arn:aws:kinesis:eu-west-1:111111111111:stream/orders',
          REDRIVE_FAILURE_BUCKET: 'failures',
          REDRIVE_LEDGER_PREFIX: 'ledger/',
        }),
      },
    });
  });

  describe('validation', () => {
    test.each([
      [
        { ledgerPrefix: 'ledger' },
        /ledgerPrefix must be a non-empty prefix ending with '\/', outside aws\/ and quarantine\/. Received 'ledger'/,
      ],
      [{ ledgerPrefix: '/' }, /ledgerPrefix .* Received '\/'/],
      [
        { timeout: Duration.minutes(16) },
        /timeout must be between 1 and 900 seconds \(whole seconds\). Received 960 seconds/,
      ],
      [
        { timeout: Duration.millis(1500) },
        /timeout must be between 1 and 900 seconds \(whole seconds\). Received 1.5 seconds/,
      ],
      [{ timeout: Duration.seconds(NaN) }, /timeout must be .* Received NaN seconds/],
      [{ memorySize: 64 }, /memorySize must be between 128 and 10240 MB \(whole MB\). Received 64/],
      [{ memorySize: 10241 }, /memorySize must be between 128 and 10240 MB \(whole MB\). Received 10241/],
    ])('fails for %p', (props, error) => {
      expect(() => new RedriveFunction(stack, 'Redrive', { stream, failureBucket: bucket, ...props })).toThrow(error);
    });

    test('token values are accepted', () => {
      const memory = new CfnParameter(stack, 'Memory', { type: 'Number' }).valueAsNumber;
      const seconds = new CfnParameter(stack, 'Timeout', { type: 'Number' }).valueAsNumber;
      expect(
        () =>
          new RedriveFunction(stack, 'Redrive', {
            stream,
            failureBucket: bucket,
            memorySize: memory,
            timeout: Duration.seconds(seconds),
          }),
      ).not.toThrow();
    });

    test('a queue whose visibility timeout is below the function timeout fails (Lambda rejects the event source)', () => {
      // The default queue (30 s) and the default timeout (5 min): CreateEventSourceMapping would fail at deploy.
      const queue = new sqs.Queue(stack, 'Queue');
      expect(() => new RedriveFunction(stack, 'Redrive', { stream, failureBucket: bucket, queue })).toThrow(
        /queue's visibility timeout must be at least the function's timeout \(300 seconds\).*Received queue visibilityTimeout 30 seconds with timeout 300 seconds/,
      );
      const longer = new sqs.Queue(stack, 'Longer', { visibilityTimeout: Duration.minutes(30) });
      expect(
        () => new RedriveFunction(stack, 'Redrive2', { stream, failureBucket: bucket, queue: longer }),
      ).not.toThrow();
    });

    test("a token ledgerPrefix fails clearly: it must be checked against the consumers' prefixes", () => {
      const prefix = new CfnParameter(stack, 'Prefix').valueAsString;
      expect(
        () => new RedriveFunction(stack, 'Redrive', { stream, failureBucket: bucket, ledgerPrefix: prefix }),
      ).toThrow(/ledgerPrefix must be a literal string .* Received a token/);
    });

    test.each([Number.NaN, Infinity, 128.5])('memorySize %p fails', (memorySize) => {
      expect(() => new RedriveFunction(stack, 'Redrive', { stream, failureBucket: bucket, memorySize })).toThrow(
        new RegExp(`memorySize must be between 128 and 10240 MB \\(whole MB\\). Received ${memorySize}`),
      );
    });
  });
});
