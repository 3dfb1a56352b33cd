/** The redrive handler's logic with a real Kinesis API (kinesis-local on 127.0.0.1) and a mocked S3. */
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mockClient } from 'aws-sdk-client-mock';
import {
  isMessagingEvent,
  redriveEnvironment,
  runRedrive,
  type RedriveEnvironment,
} from '../../packages/runtime/src/redrive';
import { readFixture } from '../support/fixtures';
import { startKinesisLocal, type KinesisLocal } from '../support/kinesis-local';
import { createActiveStream, readAllRecords } from '../producer/kinesis-helpers';

const S3_FORM = 'localstack-snapshot-EXTRACTED__kinesis-onfailure__s3-object-RetryAttemptsExhausted-with-payload.json';
const s3Mock = mockClient(S3Client);
let local: KinesisLocal;
let env: RedriveEnvironment;
const markers = new Set<string>();

beforeAll(async () => {
  local = await startKinesisLocal();
  await createActiveStream(local.client, 'target', 1);
  const summary = await local.client.send(new DescribeStreamSummaryCommand({ StreamName: 'target' }));
  env = {
    streamArn: summary.StreamDescriptionSummary!.StreamARN!,
    failureBucketName: 'failures',
    ledgerPrefix: 'redrive-ledger/',
    sourcePrefix: '',
  };
});
afterAll(async () => {
  await local?.stop();
});
beforeEach(() => {
  s3Mock.reset();
  s3Mock
    .on(ListObjectsV2Command)
    .resolves({ Contents: [{ Key: 'aws/lambda/esm/shardId-000000000000/2024/01/01/a' }, { Key: 'redrive-ledger/x' }] });
  s3Mock
    .on(GetObjectCommand)
    .resolves({ Body: { transformToString: async () => readFixture('aws-sample-events', S3_FORM) } as never });
  s3Mock.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    if (markers.has(input.Key)) return {};
    throw Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
  });
  s3Mock.on(PutObjectCommand).callsFake((input: { Key: string }) => void markers.add(input.Key));
});

test('direct invocation: dry run, then replay the bucket, then nothing left to replay', async () => {
  const clients = { kinesis: local.client, s3: new S3Client({}) };
  const dry = await runRedrive({ dryRun: true }, env, clients);
  expect(dry).toMatchObject({ dryRun: true, found: 1, replayed: 1 });
  expect(await readAllRecords(local.client, 'target')).toHaveLength(0);

  const first = await runRedrive({}, env, clients);
  expect(first).toMatchObject({ dryRun: false, found: 1, replayed: 1, failed: [] });
  expect(s3Mock.commandCalls(ListObjectsV2Command)[0].args[0].input).toMatchObject({ Bucket: 'failures', Prefix: '' });
  expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(2); // the ledger marker was not read (dry + real run)
  const [record] = await readAllRecords(local.client, 'target');
  expect(Buffer.from(record.Data!).toString()).toBe('{"input": "hello", "value": "world", "raise_error": 1}');
  expect(record.PartitionKey).toBe('custom');

  const again = await runRedrive({ prefix: 'aws/lambda/' }, env, clients);
  expect(again).toMatchObject({ found: 1, alreadyReplayed: 1, replayed: 0 });
  expect(await readAllRecords(local.client, 'target')).toHaveLength(1);
});

test('SQS event whose records cannot be put: the invocation fails so the messages come back', async () => {
  const failing = new KinesisClient({ ...local.clientConfig, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
  failing.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutRecordsCommand') {
        throw Object.assign(new Error('User: x is not authorized to perform: kinesis:PutRecords'), {
          name: 'AccessDeniedException',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'deny' },
  );
  const quarantined = {
    version: 1,
    reason: 'PoisonRecordError',
    error: { name: 'Error', message: 'bad' },
    streamArn: env.streamArn,
    shardId: 'shardId-000000000000',
    sequenceNumber: '123',
    partitionKey: 'k',
    approximateArrivalTimestamp: '2024-01-01T00:00:00Z',
    quarantinedAt: '2024-01-01T00:00:00Z',
    data: Buffer.from('again').toString('base64'),
  };
  const event = { Records: [{ eventSource: 'aws:sqs', messageId: 'm', body: JSON.stringify(quarantined) }] };
  expect(isMessagingEvent(event)).toBe(true);
  await expect(runRedrive(event, env, { kinesis: failing, s3: new S3Client({}) })).rejects.toThrow(
    /1 records could not be put back \(first: AccessDeniedException\)/,
  );
  expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  failing.destroy();
});

test('SQS event whose range cannot be read back: the invocation fails so the message is not deleted', async () => {
  const body = readFixture(
    'aws-sample-events',
    'localstack-snapshot-EXTRACTED__kinesis-onfailure__sqs-body-RetryAttemptsExhausted.json',
  );
  // The recorded message's sequence numbers are placeholders: the range is missing, not a crash.
  const event = { Records: [{ eventSource: 'aws:sqs', messageId: 'm', body }] };
  await expect(runRedrive(event, env, { kinesis: local.client, s3: new S3Client({}) })).rejects.toThrow(
    /1 ranges could not be read back \(first: SyntaxError: Cannot convert .+\); the messages will be retried/,
  );
  // A readable-looking range of a shard that does not exist: missing too.
  const range = { ...JSON.parse(body).KinesisBatchInfo, streamArn: env.streamArn, shardId: 'shardId-000000000009' };
  const gone = JSON.stringify({
    ...JSON.parse(body),
    KinesisBatchInfo: { ...range, startSequenceNumber: '1', endSequenceNumber: '2' },
  });
  await expect(
    runRedrive({ Records: [{ eventSource: 'aws:sqs', messageId: 'n', body: gone }] }, env, {
      kinesis: local.client,
      s3: new S3Client({}),
    }),
  ).rejects.toThrow(/1 ranges could not be read back/);
});

test('environment: both the stream and the bucket are required', () => {
  expect(() => redriveEnvironment({ REDRIVE_STREAM_ARN: 'arn' })).toThrow(
    /REDRIVE_FAILURE_BUCKET must be set. Received arn and nothing/,
  );
  expect(redriveEnvironment({ REDRIVE_STREAM_ARN: 'arn', REDRIVE_FAILURE_BUCKET: 'b' })).toEqual({
    streamArn: 'arn',
    failureBucketName: 'b',
    ledgerPrefix: 'redrive-ledger/',
    sourcePrefix: '',
  });
});
