/**
 * The redrive handler's logic (runRedrive + redriveResponse) with a real Kinesis API
 * (kinesis-local on 127.0.0.1) and a fake S3 that honours conditional writes: which events it
 * accepts, what it replays, and what it leaves on the queue.
 */
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  RedriveIncompleteError,
  RedriveInputError,
  redriveEnvironment,
  redriveResponse,
  runRedrive,
  type RedriveEnvironment,
} from '../../packages/runtime/src/redrive';
import { loadSampleEvent, readFixture } from '../support/fixtures';
import { startKinesisLocal, type KinesisLocal } from '../support/kinesis-local';
import { createActiveStream, readAllRecords } from '../producer/kinesis-helpers';
import { FakeS3 } from './fake-s3';

const S3_FORM = 'localstack-snapshot-EXTRACTED__kinesis-onfailure__s3-object-RetryAttemptsExhausted-with-payload.json';
const SQS_FORM = 'localstack-snapshot-EXTRACTED__kinesis-onfailure__sqs-body-RetryAttemptsExhausted.json';
let local: KinesisLocal;
let env: RedriveEnvironment;
let s3: FakeS3;
let stream = 0;

beforeAll(async () => {
  local = await startKinesisLocal();
  await newTarget();
});
afterAll(async () => {
  await local?.stop();
});
beforeEach(() => {
  s3 = new FakeS3();
  s3.put(
    'aws/lambda/esm-uuid/shardId-000000000000/2024/01/01/2024-01-01T00.00.00-a',
    readFixture('aws-sample-events', S3_FORM),
  );
});

/** A new empty target stream for a test that replays (tests that only reject share the first). */
async function newTarget(): Promise<void> {
  const name = `target-${++stream}`;
  await createActiveStream(local.client, name, 1);
  const summary = await local.client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
  env = {
    streamArn: summary.StreamDescriptionSummary!.StreamARN!,
    failureBucketName: 'failures',
    ledgerPrefix: 'redrive-ledger/',
    sourcePrefix: '',
    readBackStreamArns: [],
    sqsBatchItemFailures: true,
  };
}
const targetName = () => `target-${stream}`;
const clients = () => ({ kinesis: local.client, s3: s3.client });

function quarantined(n: number, overrides: Record<string, unknown> = {}) {
  return {
    version: 1,
    reason: 'PoisonRecordError',
    error: { name: 'Error', message: 'bad' },
    streamArn: env.streamArn,
    shardId: 'shardId-000000000000',
    sequenceNumber: String(100 + n),
    partitionKey: `k${n}`,
    approximateArrivalTimestamp: '2024-01-01T00:00:00Z',
    quarantinedAt: '2024-01-01T00:00:00Z',
    data: Buffer.from(`again ${n}`).toString('base64'),
    ...overrides,
  };
}
const sqs = (...bodies: [string, string][]) => ({
  Records: bodies.map(([messageId, body]) => ({ eventSource: 'aws:sqs', messageId, body })),
});

describe('direct invocation', () => {
  test('dry run, then a replay of a prefix, then nothing left to replay', async () => {
    await newTarget();
    const dry = await runRedrive({ dryRun: true }, env, clients());
    expect(dry.report).toMatchObject({ dryRun: true, found: 1, replayed: 1, complete: true });
    expect(await readAllRecords(local.client, targetName())).toHaveLength(0);
    expect(s3.keysUnder('redrive-ledger/')).toEqual([]);

    const first = await runRedrive({ prefix: 'aws/lambda/' }, env, clients());
    expect(first.report).toMatchObject({ dryRun: false, found: 1, replayed: 1, failed: [], complete: true });
    const [record] = await readAllRecords(local.client, targetName());
    expect(Buffer.from(record.Data!).toString()).toBe('{"input": "hello", "value": "world", "raise_error": 1}');
    expect(record.PartitionKey).toBe('custom');
    expect(s3.keysUnder('redrive-ledger/')).toHaveLength(1);
    expect(JSON.parse(s3.objects.get(s3.keysUnder('redrive-ledger/')[0])!.body)).toMatchObject({
      version: 2,
      state: 'done',
    });

    const again = await runRedrive({ prefix: 'aws/lambda/' }, env, clients());
    expect(again.report).toMatchObject({ found: 1, alreadyReplayed: 1, replayed: 0, complete: true });
    expect(await readAllRecords(local.client, targetName())).toHaveLength(1);
  });

  test('a time range replays only the objects written in it', async () => {
    await newTarget();
    s3.put(
      'quarantine/s/shardId-000000000000/101.json',
      JSON.stringify(quarantined(1)),
      new Date('2024-05-01T10:00:00Z'),
    );
    s3.put(
      'quarantine/s/shardId-000000000000/102.json',
      JSON.stringify(quarantined(2)),
      new Date('2024-05-02T10:00:00Z'),
    );
    const result = await runRedrive(
      { modifiedAfter: '2024-05-02T00:00:00Z', modifiedBefore: '2024-05-03T00:00:00Z' },
      env,
      clients(),
    );
    expect(result.report).toMatchObject({ found: 1, replayed: 1 });
    expect((await readAllRecords(local.client, targetName())).map((r) => r.PartitionKey)).toEqual(['k2']);
  });

  // Each of these replayed the whole bucket before; now each is refused and nothing is read or put.
  test.each<[string, unknown, RegExp]>([
    ['an empty object', {}, /a replay needs an explicit scope: prefix, keys, or modifiedAfter\/modifiedBefore/],
    // The Lambda console's default test event ("hello-world" template).
    ['the console test event', { key1: 'value1', key2: 'value2', key3: 'value3' }, /unknown fields key1, key2, key3/],
    [
      'an S3 notification',
      loadSampleEvent('aws-lambda-go__events-testdata__s3-event.json'),
      /Received Records from aws:s3/,
    ],
    ['a bare string', 'replay everything', /Received "replay everything"/],
    ['null', null, /Received null/],
    ['dryRun as a string', { dryRun: 'true', prefix: 'quarantine/' }, /dryRun must be a boolean. Received "true"/],
    ['a prefix that is not a string', { prefix: 7 }, /prefix must be a string. Received 7/],
    ['maxObjects 0', { prefix: 'q/', maxObjects: 0 }, /maxObjects must be an integer between 1 and 100000. Received 0/],
    [
      'maxObjects -1',
      { prefix: 'q/', maxObjects: -1 },
      /maxObjects must be an integer between 1 and 100000. Received -1/,
    ],
    [
      'maxObjects NaN',
      { prefix: 'q/', maxObjects: NaN },
      /maxObjects must be an integer between 1 and 100000. Received NaN/,
    ],
    ['maxObjects 1.5', { prefix: 'q/', maxObjects: 1.5 }, /Received 1.5/],
    ['batchSize 501', { prefix: 'q/', batchSize: 501 }, /batchSize must be an integer between 1 and 500. Received 501/],
    ['empty keys', { keys: [] }, /keys must be a list of 1 to 1000 non-empty object keys. Received \[\]/],
    ['keys and a prefix', { keys: ['a'], prefix: 'q/' }, /give keys or prefix, not both/],
    ['a ledger marker as key', { keys: ['redrive-ledger/abc'] }, /keys must not name ledger markers/],
    ['a time that is not ISO-8601', { modifiedAfter: 'yesterday' }, /modifiedAfter must be an ISO-8601 date/],
    [
      'an empty time range',
      { modifiedAfter: '2024-05-02', modifiedBefore: '2024-05-01' },
      /modifiedAfter must be before modifiedBefore/,
    ],
  ])('%s is rejected, nothing replayed', async (_name, event, message) => {
    await expect(runRedrive(event, env, clients())).rejects.toThrow(RedriveInputError);
    await expect(runRedrive(event, env, clients())).rejects.toThrow(message);
    expect(s3.calls).toEqual([]);
    expect(await readAllRecords(local.client, 'target-1')).toHaveLength(0);
  });

  test('an incomplete run fails the invocation with the counts per outcome', async () => {
    await newTarget();
    s3.put('quarantine/junk.json', '{"hello":"world"}');
    const result = await runRedrive({ prefix: '' }, env, clients());
    expect(result.report.counts).toEqual({
      found: 1,
      replayed: 1,
      alreadyReplayed: 0,
      skipped: 0,
      failed: 0,
      missing: 0,
      unrecognized: 1,
    });
    expect(() => redriveResponse(result, env)).toThrow(RedriveIncompleteError);
    expect(() => redriveResponse(result, env)).toThrow(
      /^redrive incomplete: found 1, replayed 1, already replayed 0, skipped 0, failed 0, missing ranges 0, unrecognized 1 \(first: unrecognized s3:\/\/failures\/quarantine\/junk.json: neither a Kinesis on-failure record nor a quarantine record\)$/,
    );
  });
});

describe('SQS events', () => {
  test('messages that cannot be handled stay on the queue (batchItemFailures); the others are replayed', async () => {
    await newTarget();
    const event = sqs(
      ['good', JSON.stringify(quarantined(1))],
      ['junk', 'Message Body'],
      ['no-key', JSON.stringify(quarantined(2, { partitionKey: '' }))],
      ['bad-data', JSON.stringify(quarantined(3, { data: 'not base64!' }))],
    );
    const result = await runRedrive(event, env, clients());
    expect(result.failedMessageIds).toEqual(['junk', 'no-key', 'bad-data']);
    expect(redriveResponse(result, env)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'junk' }, { itemIdentifier: 'no-key' }, { itemIdentifier: 'bad-data' }],
    });
    expect(result.report.unrecognized.map((u) => u.reason)).toEqual([
      'not JSON',
      'quarantine record has no partition key',
      'quarantine record data is not base64',
    ]);
    const put = await readAllRecords(local.client, targetName());
    expect(put.map((r) => Buffer.from(r.Data!).toString())).toEqual(['again 1']);
  });

  test('the real SQS sample event: its body is no failure document, so the message stays', async () => {
    const event = loadSampleEvent('aws-lambda-go__events-testdata__sqs-event.json');
    const result = await runRedrive(event, env, clients());
    expect(redriveResponse(result, env)).toEqual({ batchItemFailures: [{ itemIdentifier: 'MessageID_1' }] });
  });

  test('without ReportBatchItemFailures on the mapping, an incomplete batch fails whole (nothing is deleted)', async () => {
    await newTarget();
    const result = await runRedrive(sqs(['good', JSON.stringify(quarantined(1))], ['junk', '{}']), env, clients());
    expect(() => redriveResponse(result, { sqsBatchItemFailures: false })).toThrow(
      /redrive incomplete: found 1, replayed 1/,
    );
  });

  test('records that cannot be put keep their message; the retry replays only what is left', async () => {
    await newTarget();
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
    const event = sqs(['m', JSON.stringify(quarantined(1))]);
    const denied = await runRedrive(event, env, { kinesis: failing, s3: s3.client });
    expect(denied.failedMessageIds).toEqual(['m']);
    expect(denied.report.failed[0].errorCode).toBe('AccessDeniedException');
    failing.destroy();
    // The failed record's claim was released: the retry replays it.
    const retried = await runRedrive(event, env, clients());
    expect(retried).toMatchObject({ failedMessageIds: [], report: { replayed: 1 } });
  });

  test('ranges are read back only from the target stream unless another is allowed', async () => {
    const body = JSON.parse(readFixture('aws-sample-events', SQS_FORM));
    body.KinesisBatchInfo = {
      ...body.KinesisBatchInfo,
      streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/someone-elses',
      startSequenceNumber: '1',
      endSequenceNumber: '2',
    };
    const event = sqs(['other', JSON.stringify(body)]);
    const result = await runRedrive(event, env, clients());
    expect(result.failedMessageIds).toEqual(['other']);
    expect(result.report.missing[0].reason).toBe(
      'reading back from arn:aws:kinesis:us-east-1:000000000000:stream/someone-elses is not allowed',
    );
    // Allowed explicitly: it is read (and here missing, as that stream does not exist).
    const allowed = await runRedrive(
      event,
      { ...env, readBackStreamArns: ['arn:aws:kinesis:us-east-1:000000000000:stream/someone-elses'] },
      clients(),
    );
    expect(allowed.report.missing[0].reason).not.toMatch(/not allowed/);
  });
});

test('environment: both the stream and the bucket are required; extra read-back streams and batch item failures are read', () => {
  expect(() => redriveEnvironment({ REDRIVE_STREAM_ARN: 'arn' })).toThrow(
    /REDRIVE_FAILURE_BUCKET must be set. Received arn and nothing/,
  );
  expect(
    redriveEnvironment({
      REDRIVE_STREAM_ARN: 'arn',
      REDRIVE_FAILURE_BUCKET: 'b',
      REDRIVE_READ_BACK_STREAM_ARNS: 'arn:a,arn:b',
      REDRIVE_SQS_BATCH_ITEM_FAILURES: 'true',
    }),
  ).toEqual({
    streamArn: 'arn',
    failureBucketName: 'b',
    ledgerPrefix: 'redrive-ledger/',
    sourcePrefix: '',
    readBackStreamArns: ['arn:a', 'arn:b'],
    sqsBatchItemFailures: true,
  });
});
