import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { replayRecordsOf } from './replay-records';
import type { ReplayRecord, SequenceRange } from './types';

export interface ReadBackResult {
  readonly records: ReplayRecord[];
  /** Why some or all of the range could not be read (trimmed by retention, stream gone). */
  readonly missing: MissingRange[];
}

export interface MissingRange {
  readonly range: SequenceRange;
  readonly reason: string;
}

export interface ReadBackOptions {
  /** GetRecords pages to read at most per range; bounds the work on a busy shard. @default 50 */
  readonly maxPages?: number;
}

/**
 * Reads the records of a failed batch back from its shard by sequence number
 * (AT_SEQUENCE_NUMBER, then GetRecords until past the end sequence number). KPL aggregates are
 * unpacked into their user records (`replayRecordsOf`), each keyed with its sub-sequence number
 * like its quarantine record would be, and replayed byte for byte with its own keys.
 */
export async function readBackRange(
  client: KinesisClient,
  range: SequenceRange,
  options: ReadBackOptions = {},
): Promise<ReadBackResult> {
  const records: ReplayRecord[] = [];
  const source = range.source ?? `${range.streamArn}/${range.shardId}`;
  let index = -1;
  let iterator: string | undefined;
  // Everything inside: a bad range (e.g. a sequence number that is not a number) is reported
  // missing instead of failing the redrive of every other document.
  try {
    const start = BigInt(range.startSequenceNumber);
    const end = BigInt(range.endSequenceNumber);
    iterator = (
      await client.send(
        new GetShardIteratorCommand({
          StreamARN: range.streamArn,
          ShardId: range.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: range.startSequenceNumber,
        }),
      )
    ).ShardIterator;
    for (let page = 0; iterator && page < (options.maxPages ?? 50); page++) {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, StreamARN: range.streamArn }));
      for (const record of out.Records ?? []) {
        index++;
        const sequence = BigInt(record.SequenceNumber!);
        if (sequence < start) continue;
        if (sequence > end) return finish(range, records, true);
        records.push(
          ...replayRecordsOf(
            {
              streamArn: range.streamArn,
              shardId: range.shardId,
              sequenceNumber: record.SequenceNumber!,
              partitionKey: record.PartitionKey!,
              base64Data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
            },
            { source, index },
          ),
        );
        if (sequence === end) return finish(range, records, true);
      }
      if ((out.Records ?? []).length === 0 && out.MillisBehindLatest === 0) break;
      iterator = out.NextShardIterator;
    }
  } catch (error) {
    const e = error as Error;
    return { records, missing: [{ range, reason: `${e.name}: ${e.message}` }] };
  }
  return finish(range, records, false);
}

function finish(range: SequenceRange, records: ReplayRecord[], reachedEnd: boolean): ReadBackResult {
  const missing: MissingRange[] = [];
  if (records.length === 0 || records[0].origin?.sequenceNumber !== range.startSequenceNumber) {
    missing.push({ range, reason: `record ${range.startSequenceNumber} is no longer retained in ${range.shardId}` });
  } else if (!reachedEnd) {
    missing.push({ range, reason: `did not reach ${range.endSequenceNumber} in ${range.shardId}` });
  }
  return { records, missing };
}
