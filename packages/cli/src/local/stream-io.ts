/**
 * The app's streams on kinesis-local: created with the template's shard count, enhanced fan-out
 * consumers registered, records put with the runtime toolkit's producer (PutRecords), and read
 * back shard by shard (GetRecords from TRIM_HORIZON) with the sequence numbers and arrival
 * timestamps Kinesis gave them: what every consumer of the stream then receives.
 */
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  RegisterStreamConsumerCommand,
} from '@aws-sdk/client-kinesis';
import { KinesisProducer, PartitionKey } from 'cdk-kinesis-pipeline-runtime';
import { CliError } from '../cli-io';
import type { LocalStream } from './pipeline-model';

export interface InputRecord {
  readonly partitionKey: string;
  readonly data: Buffer;
}

export interface StreamRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Buffer;
  readonly arrivalMs: number;
}

export async function createStream(
  client: KinesisClient,
  stream: LocalStream,
  efoConsumers: readonly string[],
): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: stream.name, ShardCount: stream.shardCount }));
  await waitActive(client, stream.name);
  for (const consumerName of new Set(efoConsumers)) {
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream.name }));
    await client.send(
      new RegisterStreamConsumerCommand({
        StreamARN: summary.StreamDescriptionSummary!.StreamARN!,
        ConsumerName: consumerName,
      }),
    );
  }
}

async function waitActive(client: KinesisClient, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new CliError(`stream ${name} did not become ACTIVE on kinesis-local`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Puts every record; throws if any could not be sent. */
export async function putRecords(
  client: KinesisClient,
  stream: LocalStream,
  records: readonly InputRecord[],
): Promise<void> {
  const producer = new KinesisProducer({ client, streamName: stream.name, partitionKey: PartitionKey.random() });
  for (const record of records) await producer.put({ data: record.data, partitionKey: record.partitionKey });
  const report = await producer.flush();
  if (report.unsent.length > 0) {
    const first = report.unsent[0];
    throw new CliError(
      `${report.unsent.length} record(s) could not be put into ${stream.name}: ${first.errorCode} ${first.errorMessage}`,
    );
  }
}

/** Every record of every shard, in shard order then stream order. */
export async function readAllShards(
  client: KinesisClient,
  stream: LocalStream,
  expected: number,
): Promise<StreamRecord[][]> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: stream.name }))).Shards ?? [];
  const out: StreamRecord[][] = [];
  for (const shard of shards) {
    const records: StreamRecord[] = [];
    let iterator = (
      await client.send(
        new GetShardIteratorCommand({
          StreamName: stream.name,
          ShardId: shard.ShardId!,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const r of page.Records ?? []) {
        records.push({
          shardId: shard.ShardId!,
          sequenceNumber: r.SequenceNumber!,
          partitionKey: r.PartitionKey!,
          data: Buffer.from(r.Data ?? new Uint8Array()),
          arrivalMs: (r.ApproximateArrivalTimestamp ?? new Date()).getTime(),
        });
      }
      // Everything was put before reading: an empty page at the tip means the shard is read.
      if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
      iterator = page.NextShardIterator;
    }
    out.push(records);
  }
  const read = out.reduce((n, s) => n + s.length, 0);
  if (read !== expected) throw new CliError(`read ${read} record(s) back from ${stream.name}, expected ${expected}`);
  return out;
}
