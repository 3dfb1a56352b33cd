/**
 * The alert windows in DynamoDB: one item per (window start, stream). Batches of every shard add
 * to it; the flush claims it with a conditional write, so that at most one message is sent per
 * window and stream, whichever invocation gets there.
 * Key: windowStart (N, partition), stream (S, sort). TTL attribute: expiresAt (epoch seconds).
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AlertWindow, WindowContribution } from './alert-window';

export class AlertWindowStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    /** How long items are kept (DynamoDB TTL), in seconds. */
    private readonly retentionSeconds: number,
  ) {}

  /**
   * Adds a batch's lines to a window not sent yet: counts add up, the first line stays the first
   * written, the last line is the last written. Returns false when the window was already sent.
   */
  public async add(windowStart: number, stream: string, contribution: WindowContribution): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { windowStart: { N: String(windowStart) }, stream: { S: stream } },
          UpdateExpression:
            'ADD errorLines :n, http5xx :h, errorLog :e SET firstLine = if_not_exists(firstLine, :first), lastLine = :last, expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(sentAt)',
          ExpressionAttributeValues: {
            ':n': { N: String(contribution.errorLines) },
            ':h': { N: String(contribution.http5xx) },
            ':e': { N: String(contribution.errorLog) },
            ':first': { S: contribution.firstLine },
            ':last': { S: contribution.lastLine },
            ':expires': { N: String(Math.floor(windowStart / 1000) + this.retentionSeconds) },
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The windows starting at `windowStart` (one per stream) that no flush has sent. */
  public async unsent(windowStart: number): Promise<AlertWindow[]> {
    const windows: AlertWindow[] = [];
    let startKey: QueryCommand['input']['ExclusiveStartKey'];
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'windowStart = :w',
          FilterExpression: 'attribute_not_exists(sentAt)',
          ExpressionAttributeValues: { ':w': { N: String(windowStart) } },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        windows.push({
          windowStart,
          stream: item.stream?.S ?? 'unknown',
          errorLines: Number(item.errorLines?.N ?? 0),
          http5xx: Number(item.http5xx?.N ?? 0),
          errorLog: Number(item.errorLog?.N ?? 0),
          firstLine: item.firstLine?.S ?? '',
          lastLine: item.lastLine?.S ?? '',
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return windows;
  }

  /**
   * Marks the window sent; false when another flush did first, or when lines were added since
   * `window` was read (the next flush sends the window with them).
   */
  public async claim(window: AlertWindow, claimId: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { windowStart: { N: String(window.windowStart) }, stream: { S: window.stream } },
          UpdateExpression: 'SET sentAt = :claim',
          ConditionExpression: 'attribute_not_exists(sentAt) AND errorLines = :n',
          ExpressionAttributeValues: { ':claim': { S: claimId }, ':n': { N: String(window.errorLines) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Gives a claimed window back (its message could not be sent), for a later flush. */
  public async release(window: AlertWindow, claimId: string): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { windowStart: { N: String(window.windowStart) }, stream: { S: window.stream } },
        UpdateExpression: 'REMOVE sentAt',
        ConditionExpression: 'sentAt = :claim',
        ExpressionAttributeValues: { ':claim': { S: claimId } },
      }),
    );
  }
}
