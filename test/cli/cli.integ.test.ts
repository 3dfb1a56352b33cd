/**
 * The CLI in-process against the kinesis-local emulator (127.0.0.1, started here). Services
 * the emulator lacks (Firehose, Glue, S3, SNS) are mocked at the SDK edge for `verify`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { DescribeDeliveryStreamCommand, FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { loadSampleEvent } from '../support/fixtures';
import { startKinesisLocal, type KinesisLocal } from '../support/kinesis-local';
import { createActiveStream, readAllRecords } from '../producer/kinesis-helpers';
import { LOCAL_ENV, runCliForTest, tempDir } from './cli-harness';

// One mock per client class for the whole file: a second mockClient of the same class conflicts.
const firehoseMock = mockClient(FirehoseClient);
let local: KinesisLocal;
let endpoint: string[];
beforeAll(async () => {
  local = await startKinesisLocal();
  endpoint = ['--endpoint-url', local.endpoint];
});
afterAll(async () => {
  await local?.stop();
});

describe('produce', () => {
  test('a file: every line arrives once, byte for byte; throughput is printed', async () => {
    await createActiveStream(local.client, 'from-file', 2);
    const dir = tempDir();
    const lines = Array.from({ length: 700 }, (_, i) =>
      JSON.stringify({ n: i, text: 'é€😀'.repeat(i % 7), user: `u${i % 13}` }),
    );
    fs.writeFileSync(path.join(dir, 'events.ndjson'), `${lines.join('\n')}\n\n`);
    const run = await runCliForTest(
      [
        'produce',
        '--stream-name',
        'from-file',
        '--file',
        'events.ndjson',
        '--rate',
        '100000',
        '--partition-key',
        'field:user',
        ...endpoint,
      ],
      { env: LOCAL_ENV, dir },
    );
    expect(run.stderr).toMatch(/sending 700 records to from-file/);
    expect(run.stderr).toMatch(/100% 700\/700 records/);
    expect(run.stdout).toMatch(/records sent: +700 of 700/);
    expect(run.stdout).toMatch(/throughput: +[\d.]+ records\/s/);
    expect(run.stdout).toMatch(/throttled entries: 0/);
    expect(run.code).toBe(0);
    const back = await readAllRecords(local.client, 'from-file');
    expect(back.map((r) => Buffer.from(r.Data!).toString()).sort()).toEqual([...lines].sort());
    expect(new Set(back.map((r) => r.PartitionKey))).toEqual(new Set(Array.from({ length: 13 }, (_, i) => `u${i}`)));
  });

  test('generated Apache access lines at a rate, for a count, to the stream named in the stack outputs', async () => {
    await createActiveStream(local.client, 'from-outputs', 1);
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'outputs.json'),
      JSON.stringify({ Pipeline: { StreamNameA1B2C3D4: 'from-outputs' } }),
    );
    const started = Date.now();
    const run = await runCliForTest(
      [
        'produce',
        '--outputs-file',
        'outputs.json',
        '--sample',
        'apache-access',
        '--rate',
        '400',
        '--count',
        '200',
        '--seed',
        '3',
        ...endpoint,
      ],
      { env: LOCAL_ENV, dir },
    );
    expect(run.code).toBe(0);
    // 200 records at 400/s take about half a second: the pacer holds the rate (loosely; a busy machine only slows it)
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    const back = await readAllRecords(local.client, 'from-outputs');
    expect(back).toHaveLength(200);
    expect(Buffer.from(back[0].Data!).toString()).toMatch(/^\S+ \S+ \S+ \[.+\] "\w+ /);
  });

  test('--rate R: records arrive at R per second ±10 % (arrival times on the stream), not in one call at the end', async () => {
    // A low rate keeps the emulator (one call per record here) from being the bottleneck on a busy machine.
    await createActiveStream(local.client, 'paced', 1);
    const run = await runCliForTest(
      ['produce', '--stream-name', 'paced', '--rate', '5', '--duration', '4', ...endpoint],
      {
        env: LOCAL_ENV,
      },
    );
    expect(run.code).toBe(0);
    const arrivals = (await readAllRecords(local.client, 'paced'))
      .map((r) => r.ApproximateArrivalTimestamp!.getTime())
      .sort((a, b) => a - b);
    expect(arrivals).toHaveLength(20);
    // 20 records at 5/s: the first arrives at ~0 s, the last at ~3.8 s. The rate over the run is
    // measured from the first to the last arrival. On a machine oversubscribed many times over
    // the emulator can stall for a second or two and stretch the run; at a low rate (one call per
    // record) the emulator itself is otherwise never the bottleneck. All in one call (the old
    // behaviour) gives an infinite rate.
    const rate = (arrivals.length - 1) / ((arrivals[arrivals.length - 1] - arrivals[0]) / 1000);
    expect(rate).toBeGreaterThanOrEqual(5 * 0.9);
    expect(rate).toBeLessThanOrEqual(5 * 1.1);
  });

  test('a line Kinesis would refuse is reported with its line number; the other lines are sent; the bar counts acknowledged records', async () => {
    await createActiveStream(local.client, 'one-bad-line', 1);
    const dir = tempDir();
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ user: `u${i}`, n: i }));
    lines[11] = '{"user":"\\ud800","n":11}'; // a lone surrogate: no UTF-8 form
    fs.writeFileSync(path.join(dir, 'events.ndjson'), `${lines.join('\n')}\n`);
    const run = await runCliForTest(
      [
        'produce',
        '--stream-name',
        'one-bad-line',
        '--file',
        'events.ndjson',
        '--rate',
        '100000',
        '--partition-key',
        'field:user',
        ...endpoint,
      ],
      { env: LOCAL_ENV, dir },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/records sent: +29 of 30/);
    expect(run.stdout).toMatch(/unsent: +1 \(rejected 1, failed 0, unknown 0\)/);
    expect(run.stderr).toMatch(/rejected \(line 12\): InvalidPartitionKey: partitionKey must be well-formed Unicode/);
    expect(run.stderr).toMatch(/ 96% 29\/30 records acknowledged/);
    expect(await readAllRecords(local.client, 'one-bad-line')).toHaveLength(29);
  });

  test('unknown stream: a clear error and exit 1', async () => {
    const run = await runCliForTest(['produce', '--stream-name', 'no-such-stream', '--count', '1', ...endpoint], {
      env: LOCAL_ENV,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/stream 'no-such-stream' not found in us-east-1 \(ResourceNotFoundException\)/);
  });
});

describe('verify', () => {
  const firehose = firehoseMock;
  const glue = mockClient(GlueClient);
  const s3 = mockClient(S3Client);
  const sns = mockClient(SNSClient);
  const outputs = {
    StreamName: 'verified',
    DeliveryStreamName: 'delivery',
    DataBucketName: 'lake',
    DataPrefix: 'data/',
    GlueDatabaseName: 'weblogs',
    GlueTableName: 'access',
    TableColumns: 'host:string,status:int,bytes:bigint,ts:timestamp,amount:decimal(10,2)',
    PartitionKeys: 'year,month,day,hour',
    AlarmTopicArn: 'arn:aws:sns:us-east-1:111111111111:alarms',
    FailureBucketNames: 'failures-a,failures-b',
  };
  const table = (columns: [string, string][]) => ({
    Table: {
      Name: 'access',
      StorageDescriptor: { Columns: columns.map(([Name, Type]) => ({ Name, Type })) },
      PartitionKeys: ['year', 'month', 'day', 'hour'].map((Name) => ({ Name, Type: 'string' })),
    },
  });
  const goodColumns: [string, string][] = [
    ['host', 'string'],
    ['status', 'int'],
    ['bytes', 'bigint'],
    ['ts', 'timestamp'],
    ['amount', 'decimal(10,2)'],
  ];

  beforeAll(async () => {
    await createActiveStream(local.client, 'verified', 1);
  });
  beforeEach(() => {
    for (const mock of [firehose, glue, s3, sns]) mock.reset();
    firehose.on(DescribeDeliveryStreamCommand).resolves({
      DeliveryStreamDescription: {
        DeliveryStreamStatus: 'ACTIVE',
        DeliveryStreamType: 'KinesisStreamAsSource',
      } as never,
    });
    glue.on(GetTableCommand).resolves(table(goodColumns));
    s3.on(HeadBucketCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: 'data/year=2026/month=01/day=01/hour=00/part-1.parquet' }],
    });
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: { SubscriptionsConfirmed: '1' } });
  });

  async function verify(extra: string[] = []) {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'outputs.json'), JSON.stringify({ Pipeline: outputs }));
    return runCliForTest(['verify', '--outputs-file', 'outputs.json', ...extra, ...endpoint], { env: LOCAL_ENV, dir });
  }

  test('a healthy pipeline passes every check, reading today’s Hive prefix', async () => {
    const run = await verify(['--check-data']);
    expect(run.stdout).toMatch(/✔ stream verified is ACTIVE: ACTIVE, PROVISIONED, 1 open shards/);
    expect(run.stdout).toMatch(/✔ delivery stream delivery is ACTIVE/);
    expect(run.stdout).toMatch(
      /✔ Glue table weblogs.access has the expected schema: 5 columns, partitioned by year, month, day, hour/,
    );
    expect(run.stdout).toMatch(/✔ alarm topic .* exists/);
    expect(run.stdout).toMatch(/✔ failure bucket failures-b exists/);
    expect(run.stdout).toMatch(/all 7 checks passed/);
    expect(run.code).toBe(0);
    const now = new Date();
    const prefix = `data/year=${now.getUTCFullYear()}/month=${String(now.getUTCMonth() + 1).padStart(2, '0')}/day=${String(now.getUTCDate()).padStart(2, '0')}/`;
    expect(s3.commandCalls(ListObjectsV2Command)[0].args[0].input).toMatchObject({ Bucket: 'lake', Prefix: prefix });
    expect(glue.commandCalls(GetTableCommand)[0].args[0].input).toEqual({ DatabaseName: 'weblogs', Name: 'access' });
  });

  test('schema drift, a CREATING delivery stream and no data yet are each reported; exit 1', async () => {
    firehose
      .on(DescribeDeliveryStreamCommand)
      .resolves({ DeliveryStreamDescription: { DeliveryStreamStatus: 'CREATING' } as never });
    glue.on(GetTableCommand).resolves(
      table([
        ['host', 'string'],
        ['status', 'string'],
        ['extra', 'int'],
      ]),
    );
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    const run = await verify(['--check-data']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✘ delivery stream delivery is ACTIVE: CREATING/);
    expect(run.stdout).toMatch(
      /✘ Glue table .*: missing columns status:int, bytes:bigint, ts:timestamp, amount:decimal\(10,2\); unexpected columns status:string, extra:int/,
    );
    expect(run.stdout).toMatch(/✘ objects under s3:\/\/lake\/data\/year=.*: none yet/);
    expect(run.stdout).toMatch(/✔ stream verified is ACTIVE/);
    expect(run.stdout).toMatch(/3 of 7 checks failed/);
  });

  test('a missing stream or table is a failed check, not a crash', async () => {
    glue
      .on(GetTableCommand)
      .rejects(Object.assign(new Error('Table access not found.'), { name: 'EntityNotFoundException' }));
    outputs.StreamName = 'gone';
    const run = await verify();
    outputs.StreamName = 'verified';
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✘ stream gone is ACTIVE: ResourceNotFoundException/);
    expect(run.stdout).toMatch(/✘ Glue table weblogs.access .*: EntityNotFoundException: Table access not found./);
  });
});

describe('produce --firehose', () => {
  const firehose = firehoseMock;
  beforeEach(() => firehose.reset());

  test('JSON events straight into a delivery stream with PutRecordBatch, one per line', async () => {
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedPutCount: 0,
      RequestResponses: input.Records.map((_, i) => ({ RecordId: String(i) })),
    }));
    const run = await runCliForTest(
      ['produce', '--firehose', 'direct', '--count', '600', '--rate', '100000', ...endpoint],
      {
        env: LOCAL_ENV,
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/records sent: +600 of 600/);
    const calls = firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Records!.length)).toEqual([500, 100]);
    expect(calls[0].DeliveryStreamName).toBe('direct');
    const first = Buffer.from(calls[0].Records![0].Data!).toString();
    expect(first.endsWith('}\n')).toBe(true);
    expect(JSON.parse(first)).toMatchObject({ eventId: 'evt-1-0' });
  });
});

describe('redrive', () => {
  test('an SQS on-failure message (metadata only): read back, re-put, then nothing left; dry run and file target', async () => {
    await createActiveStream(local.client, 'failed-source', 1);
    await createActiveStream(local.client, 'redriven', 1);
    const produced = await runCliForTest(
      ['produce', '--stream-name', 'failed-source', '--count', '20', '--rate', '100000', ...endpoint],
      {
        env: LOCAL_ENV,
      },
    );
    expect(produced.code).toBe(0);
    const { ShardIterator } = await local.client.send(
      new GetShardIteratorCommand({
        StreamName: 'failed-source',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const records = (await local.client.send(new GetRecordsCommand({ ShardIterator }))).Records!;
    const arn = (await local.client.send(new DescribeStreamSummaryCommand({ StreamName: 'failed-source' })))
      .StreamDescriptionSummary!.StreamARN!;
    const message = loadSampleEvent<{ KinesisBatchInfo: Record<string, unknown> }>(
      'localstack-snapshot-EXTRACTED__kinesis-onfailure__sqs-body-RetryAttemptsExhausted.json',
    );
    Object.assign(message.KinesisBatchInfo, {
      streamArn: arn,
      shardId: 'shardId-000000000000',
      startSequenceNumber: records[5].SequenceNumber,
      endSequenceNumber: records[14].SequenceNumber,
      batchSize: 10,
    });
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'failure.json'), JSON.stringify(message));

    // The failed batch is on another stream than the target: reading it back must be allowed explicitly.
    const notAllowed = await runCliForTest(['redrive', '--source', 'failure.json', '--dry-run', ...endpoint], {
      env: LOCAL_ENV,
      dir,
    });
    expect(notAllowed.code).toBe(1);
    expect(notAllowed.stderr).toContain(
      `missing: shardId-000000000000 ${records[5].SequenceNumber}..${records[14].SequenceNumber}: reading back from ${arn} is not allowed`,
    );
    const readBack = ['--read-back-from', arn];
    const dry = await runCliForTest(['redrive', '--source', 'failure.json', '--dry-run', ...readBack, ...endpoint], {
      env: LOCAL_ENV,
      dir,
    });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would replay +10/);
    expect(dry.stdout).toContain(`${arn}/shardId-000000000000/${records[5].SequenceNumber}`);
    expect(await readAllRecords(local.client, 'redriven')).toHaveLength(0);

    const first = await runCliForTest(
      ['redrive', '--source', 'failure.json', '--stream-name', 'redriven', ...readBack, ...endpoint],
      { env: LOCAL_ENV, dir },
    );
    expect(first.stdout).toMatch(/replayed +10/);
    expect(first.code).toBe(0);
    const replayed = await readAllRecords(local.client, 'redriven');
    expect(replayed.map((r) => [r.PartitionKey, Buffer.from(r.Data!).toString()])).toEqual(
      records.slice(5, 15).map((r) => [r.PartitionKey, Buffer.from(r.Data!).toString()]),
    );
    const ledger = fs.readFileSync(path.join(dir, 'failure.json.redrive-ledger'), 'utf8').trim().split('\n');
    expect(ledger.filter((l) => l.startsWith('claim\t'))).toHaveLength(10);
    expect(ledger.filter((l) => l.startsWith('done\t'))).toHaveLength(10);

    const second = await runCliForTest(
      ['redrive', '--source', 'failure.json', '--stream-name', 'redriven', ...readBack, ...endpoint],
      { env: LOCAL_ENV, dir },
    );
    expect(second.stdout).toMatch(/already replayed: +10/);
    expect(second.stdout).toMatch(/replayed +0/);
    expect(await readAllRecords(local.client, 'redriven')).toHaveLength(10);

    const toFile = await runCliForTest(
      ['redrive', '--source', 'failure.json', '--to-file', 'out.ndjson', '--no-ledger', ...readBack, ...endpoint],
      { env: LOCAL_ENV, dir },
    );
    expect(toFile.code).toBe(0);
    const lines = fs
      .readFileSync(path.join(dir, 'out.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { data: string });
    expect(lines.map((l) => Buffer.from(l.data, 'base64').toString())).toEqual(
      records.slice(5, 15).map((r) => Buffer.from(r.Data!).toString()),
    );
  });

  test('a range no longer retained exits 1 and says so', async () => {
    const dir = tempDir();
    const message = loadSampleEvent<{ KinesisBatchInfo: Record<string, unknown> }>(
      'localstack-snapshot-EXTRACTED__kinesis-onfailure__sns-message-RetryAttemptsExhausted.json',
    );
    Object.assign(message.KinesisBatchInfo, {
      streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/deleted',
      startSequenceNumber: '1',
      endSequenceNumber: '2',
    });
    fs.writeFileSync(
      path.join(dir, 'sns.json'),
      JSON.stringify({ Type: 'Notification', Message: JSON.stringify(message) }),
    );
    const deleted = ['--read-back-from', 'arn:aws:kinesis:us-east-1:000000000000:stream/deleted'];
    const run = await runCliForTest(
      ['redrive', '--source', 'sns.json', '--to-file', 'out.ndjson', ...deleted, ...endpoint],
      {
        env: LOCAL_ENV,
        dir,
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/missing: shardId-000000000000 1..2: ResourceNotFoundException/);
  });
});
