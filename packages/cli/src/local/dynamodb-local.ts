/**
 * DynamoDB for the functions of a local run: `dynalite` (an implementation of the DynamoDB API on
 * an in-memory LevelDB) on a free 127.0.0.1 port, with every AWS::DynamoDB::Table of the app
 * created empty from its template's key schema, and stopped at the end of the run. The local AWS
 * endpoint forwards the functions' DynamoDB calls to it.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
 */
import * as http from 'node:http';
import type { LocalDynamoDbTable } from './pipeline-model';

export interface RunningDynamoDb {
  readonly endpoint: string;
  stop(): Promise<void>;
}

// dynalite has no type declarations: the part used here.
type Dynalite = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => http.Server;

export async function startDynamoDbLocal(
  tables: readonly LocalDynamoDbTable[],
  region: string,
): Promise<RunningDynamoDb> {
  const dynalite = require('dynalite') as Dynalite;
  // Tables are ACTIVE at once (dynalite keeps them CREATING for 500 ms by default).
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  try {
    for (const table of tables) {
      await dynamoDbCall(endpoint, region, 'CreateTable', { TableName: table.name, ...table.createTableInput });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

/** One DynamoDB JSON-protocol call (dynalite checks that a SigV4 header is there, not its signature). */
export async function dynamoDbCall(
  endpoint: string,
  region: string,
  operation: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const body = JSON.stringify(input);
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'x-amz-date': date,
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDLOCALRUN/${date.slice(0, 8)}/${region}/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0`,
    },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`DynamoDB ${operation} failed locally (${response.status}): ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}
