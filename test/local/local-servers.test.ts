/**
 * The servers a local run starts listen on 127.0.0.1 only (read from the kernel's socket tables),
 * and the local run's DynamoDB: the app's tables created from their template (dynalite on 127.0.0.1),
 * reached through the one local AWS endpoint the functions call. The template is the reference
 * error-alert consumer's window table as `cdk synth` writes it; the calls are the ones its window
 * store makes (conditional UpdateItem with ADD and if_not_exists, Query).
 * The stream on kinesis-local: records put in segments, each into its own copy of the stream.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dynamoDbCall, type RunningDynamoDb, startDynamoDbLocal } from '../../packages/cli/src/local/dynamodb-local';
import { type RunningKinesis, startKinesisLocal } from '../../packages/cli/src/local/kinesis-local';
import { type LocalAwsServer, startLocalAwsServer } from '../../packages/cli/src/local/local-aws-server';
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { buildPipelineModel, type LocalStream } from '../../packages/cli/src/local/pipeline-model';
import { putAndReadBack, segmentStreamName } from '../../packages/cli/src/local/stream-io';
import { startKinesisLocal as startTestKinesisLocal } from '../support/kinesis-local';

const WINDOW_TABLE = {
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    AttributeDefinitions: [
      { AttributeName: 'windowStart', AttributeType: 'N' },
      { AttributeName: 'stream', AttributeType: 'S' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'windowStart', KeyType: 'HASH' },
      { AttributeName: 'stream', KeyType: 'RANGE' },
    ],
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
  },
};

const model = buildPipelineModel(
  [{ stackName: 'Alerts', resources: { AlertWindows0E034367: WINDOW_TABLE }, assets: new Map() }],
  'us-east-1',
);

let dir: string;
let dynamoDb: RunningDynamoDb;
let server: LocalAwsServer;
let withoutDynamoDb: LocalAwsServer;
let kinesis: RunningKinesis;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-dynamodb-'));
  dynamoDb = await startDynamoDbLocal(model.dynamoDbTables, 'us-east-1');
  server = await startLocalAwsServer({ root: dir, buckets: [], dynamoDbEndpoint: dynamoDb.endpoint });
  withoutDynamoDb = await startLocalAwsServer({ root: dir, buckets: [] });
  kinesis = await startKinesisLocal('us-east-1');
}, 60_000);

afterAll(async () => {
  await kinesis?.stop();
  await server?.stop();
  await withoutDynamoDb?.stop();
  await dynamoDb?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const [table] = model.dynamoDbTables;
const add = (endpoint: string, lines: number) =>
  dynamoDbCall(endpoint, 'us-east-1', 'UpdateItem', {
    TableName: table.name,
    Key: { windowStart: { N: '1700000000000' }, stream: { S: 'orders' } },
    UpdateExpression: 'ADD errorLines :n SET firstLine = if_not_exists(firstLine, :first), lastLine = :last',
    ConditionExpression: 'attribute_not_exists(sentAt)',
    ExpressionAttributeValues: {
      ':n': { N: String(lines) },
      ':first': { S: `first ${lines}` },
      ':last': { S: `last ${lines}` },
    },
  });

test('the template table is read with its key schema and a local name', () => {
  expect(model.notEmulated).toEqual([]);
  expect(table.name).toMatch(/AlertWindows/);
  expect(table.createTableInput).toEqual({
    KeySchema: WINDOW_TABLE.Properties.KeySchema,
    AttributeDefinitions: WINDOW_TABLE.Properties.AttributeDefinitions,
    BillingMode: 'PAY_PER_REQUEST',
  });
});

test('conditional updates through the local AWS endpoint add up, and fail once the window is sent', async () => {
  await add(server.endpoint, 2);
  await add(server.endpoint, 3);
  const { Items } = (await dynamoDbCall(server.endpoint, 'us-east-1', 'Query', {
    TableName: table.name,
    KeyConditionExpression: 'windowStart = :w',
    ExpressionAttributeValues: { ':w': { N: '1700000000000' } },
  })) as { Items: Record<string, Record<string, string>>[] };
  expect(Items).toEqual([
    expect.objectContaining({ errorLines: { N: '5' }, firstLine: { S: 'first 2' }, lastLine: { S: 'last 3' } }),
  ]);
  await dynamoDbCall(server.endpoint, 'us-east-1', 'UpdateItem', {
    TableName: table.name,
    Key: { windowStart: { N: '1700000000000' }, stream: { S: 'orders' } },
    UpdateExpression: 'SET sentAt = :now',
    ExpressionAttributeValues: { ':now': { N: '1' } },
  });
  await expect(add(server.endpoint, 1)).rejects.toThrow(/ConditionalCheckFailedException/);
  expect(server.unsupportedCalls.size).toBe(0);
});

test('without a local DynamoDB the call is refused and recorded, so the run cannot pass', async () => {
  await expect(add(withoutDynamoDb.endpoint, 1)).rejects.toThrow(/failed locally/);
  expect([...withoutDynamoDb.unsupportedCalls]).toEqual([['dynamodb.DynamoDB_20120810.UpdateItem', 1]]);
});

/** Local addresses of the sockets listening on `port` (Linux /proc/net/tcp and tcp6; state 0A is LISTEN). */
function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || !local) continue;
      const [address, hexPort] = local.split(':');
      if (parseInt(hexPort, 16) === port) addresses.push(address);
    }
  }
  return addresses;
}

const LOOPBACK = '0100007F'; // 127.0.0.1, little-endian as /proc/net/tcp writes it

test('kinesis-local, the local AWS endpoint and DynamoDB listen on 127.0.0.1 only', () => {
  const ports = [...kinesis.ports, ...[server, dynamoDb].map((s) => Number(new URL(s.endpoint).port))];
  expect(ports).toHaveLength(4);
  for (const port of ports)
    expect({ port, addresses: listeningAddresses(port) }).toEqual({ port, addresses: [LOOPBACK] });
});

test("the test suite's own kinesis-local listens on 127.0.0.1 only", async () => {
  const emulator = await startTestKinesisLocal();
  try {
    for (const port of emulator.ports)
      expect({ port, addresses: listeningAddresses(port) }).toEqual({ port, addresses: [LOOPBACK] });
  } finally {
    await emulator.stop();
  }
}, 60_000);

describe('the stream on kinesis-local', () => {
  const stream = { name: 'segments-test', shardCount: 2 } as LocalStream;
  const records = Array.from({ length: 9 }, (_, i) => ({
    partitionKey: `line-${i}`,
    data: Buffer.from(`record ${i}`),
  }));
  // Kinesis maps a record to the shard whose hash key range holds the MD5 of its partition key, as a 128-bit integer.
  const hashKey = (partitionKey: string) => BigInt(`0x${createHash('md5').update(partitionKey).digest('hex')}`);

  test('records go in segments (3 per shard here), each into a copy of the stream, and come back as from one stream', async () => {
    const segments: number[] = [];
    const shards = await putAndReadBack(kinesis.client, stream, records, {
      efoConsumers: [],
      segmentRecordsPerShard: 3,
      onSegment: (_segment, _segments, count) => segments.push(count),
    });
    expect(segments).toEqual([6, 3]);
    const ranges = (await kinesis.client.send(new ListShardsCommand({ StreamName: stream.name }))).Shards!;
    expect(shards.map((shard) => shard[0]?.shardId)).toEqual(ranges.map((r) => r.ShardId));
    for (const [index, shard] of shards.entries()) {
      const range = ranges[index].HashKeyRange!;
      const expected = records.filter((r) => {
        const key = hashKey(r.partitionKey);
        return key >= BigInt(range.StartingHashKey!) && key <= BigInt(range.EndingHashKey!);
      });
      // Every record once, on its hash key's shard, in the order it was put.
      expect(shard.map((r) => r.data.toString())).toEqual(expected.map((r) => r.data.toString()));
      // Sequence numbers increase along the shard across segments (each copy created in a later second).
      const numbers = shard.map((r) => BigInt(r.sequenceNumber));
      expect(numbers).toEqual([...numbers].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(new Set(numbers).size).toBe(numbers.length);
    }
  }, 60_000);

  test.each([0, NaN, 1.5])('a segment size of %p is refused before anything is put', async (size) => {
    const unused = { send: () => Promise.reject(new Error('no call expected')) } as unknown as typeof kinesis.client;
    await expect(
      putAndReadBack(unused, stream, records, { efoConsumers: [], segmentRecordsPerShard: size }),
    ).rejects.toThrow(`segmentRecordsPerShard must be a whole number, 1 or more. Received ${size}`);
  });

  test("a copy's name stays within Kinesis' 128 characters", () => {
    expect(segmentStreamName('orders', 0)).toBe('orders');
    expect(segmentStreamName('orders', 12)).toBe('orders-12');
    expect(segmentStreamName('x'.repeat(128), 3)).toBe(`${'x'.repeat(126)}-3`);
  });
});
