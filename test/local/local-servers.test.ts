/**
 * The servers a local run starts listen on 127.0.0.1 only (read from the kernel's socket tables),
 * and the local run's DynamoDB: the app's tables created from their template (dynalite on 127.0.0.1),
 * reached through the one local AWS endpoint the functions call. The template is the reference
 * error-alert consumer's window table as `cdk synth` writes it; the calls are the ones its window
 * store makes (conditional UpdateItem with ADD and if_not_exists, Query).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dynamoDbCall, type RunningDynamoDb, startDynamoDbLocal } from '../../packages/cli/src/local/dynamodb-local';
import { type RunningKinesis, startKinesisLocal } from '../../packages/cli/src/local/kinesis-local';
import { type LocalAwsServer, startLocalAwsServer } from '../../packages/cli/src/local/local-aws-server';
import { buildPipelineModel } from '../../packages/cli/src/local/pipeline-model';
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
