/**
 * The app's stream on kinesis-local: created with the template's shard count, enhanced fan-out
 * consumers registered, records put with the runtime toolkit's producer (PutRecords), and read
 * back shard by shard (GetRecords from TRIM_HORIZON) with the sequence numbers and arrival
 * timestamps Kinesis gave them: what every consumer of the stream then receives.
 *
 * Segments: kinesis-local's PutRecords costs, for every entry, a pass over every record the
 * entry's shard already holds (kinesis-mock `PutRecordsRequest.putRecords` groups the entries by
 * `(shard, the shard's records)`, which hashes that whole record vector per entry), so putting n
 * records into one shard costs O(n²): 10,000 records took minutes. The run therefore puts the
 * records in segments of `SEGMENT_RECORDS_PER_SHARD` × shard count records (that many per shard
 * when the keys spread evenly; a hot key puts more into its shard), each segment into
 * its own copy of the stream on kinesis-local, created from the same template properties (same
 * shard count, so the same shard ids and hash key ranges: every record lands on the shard it
 * would in AWS), and joins the segments' shards in order. kinesis-mock's sequence numbers begin
 * with the second their shard was created (`SequenceNumber.create`), so each copy is created in a
 * later second than the one before: sequence numbers keep increasing along a shard across
 * segments, as Kinesis documents ("sequence numbers generally increase over time", PutRecord), and
 * this file checks that they strictly increase along every shard.
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html
 */
import {
  CreateStreamCommand,
  DeleteStreamCommand,
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

/**
 * Records per shard put into one copy of the stream: two PutRecords calls of 500 per shard. The
 * first call into an empty shard costs kinesis-local no pass over earlier records, the second one
 * pass over 500; larger segments cost a pass per call over everything before, smaller ones a
 * CreateStream (and a wait for the next second) per call.
 */
export const SEGMENT_RECORDS_PER_SHARD = 1000;

export interface PutAndReadOptions {
  /** Enhanced fan-out consumers to register on the stream (as the template does). */
  readonly efoConsumers: readonly string[];
  /** @default SEGMENT_RECORDS_PER_SHARD */
  readonly segmentRecordsPerShard?: number;
  /** Called after each segment, for progress. */
  readonly onSegment?: (segment: number, segments: number, records: number) => void;
}

/**
 * Puts every record into the stream on kinesis-local and reads them back: every record of every
 * shard, in shard order then stream order. Throws if any record could not be put or read back.
 */
export async function putAndReadBack(
  client: KinesisClient,
  stream: Pick<LocalStream, 'name' | 'shardCount'>,
  records: readonly InputRecord[],
  options: PutAndReadOptions,
): Promise<StreamRecord[][]> {
  const perShard = options.segmentRecordsPerShard ?? SEGMENT_RECORDS_PER_SHARD;
  // 0 would never advance below, NaN would put nothing and report nothing.
  if (!Number.isInteger(perShard) || perShard < 1) {
    throw new RangeError(`segmentRecordsPerShard must be a whole number, 1 or more. Received ${perShard}`);
  }
  const perSegment = perShard * stream.shardCount;
  const segments: (readonly InputRecord[])[] = [];
  for (let i = 0; i < records.length; i += perSegment) segments.push(records.slice(i, i + perSegment));
  if (segments.length === 0) segments.push([]);

  const shards = new Map<string, StreamRecord[]>();
  let previousSecond = -1;
  const create = async (index: number): Promise<string> => {
    const name = segmentStreamName(stream.name, index);
    // A later second than the previous copy's creation, which kinesis-mock stamped before answering.
    while (Math.floor(Date.now() / 1000) <= previousSecond) await sleep(1000 - (Date.now() % 1000) + 5);
    await createStream(client, name, stream.shardCount, index === 0 ? options.efoConsumers : []);
    previousSecond = Math.floor(Date.now() / 1000);
    return name;
  };
  let next: Promise<string> = create(0);
  for (let index = 0; index < segments.length; index++) {
    const name = await next;
    // The next copy is created while this segment is put (it may have to wait for the next second).
    if (index + 1 < segments.length) {
      next = create(index + 1);
      next.catch(() => undefined); // awaited in the next round; no unhandled rejection meanwhile
    }
    await putRecords(client, name, segments[index]);
    for (const shard of await readAllShards(client, name, segments[index].length)) {
      const joined = shards.get(shard.shardId) ?? [];
      for (const record of shard.records) joined.push(record);
      shards.set(shard.shardId, joined);
    }
    // The first copy (the template's name, with its consumers) stays; the others only held a segment.
    if (index > 0) await client.send(new DeleteStreamCommand({ StreamName: name }));
    options.onSegment?.(index + 1, segments.length, segments[index].length);
  }
  const out = [...shards.values()];
  for (const shard of out) assertIncreasing(shard);
  return out;
}

/** Records the emulator is warmed up with (see warmUp). */
export const WARM_UP_RECORDS = 3000;

/**
 * Puts the first records of the input into a scratch stream (in segments, as the run does) and
 * reads them back, then deletes it: run while the app synthesizes, so that the emulator's code
 * (kinesis-mock compiled to JavaScript) is compiled and optimized by the time the real stream is
 * put. The first 5,000 records into a cold kinesis-local took 16 s, after 1,000 such records 9 s;
 * in the 10,000-record benchmark, putting took 23 s after a warm-up of 3,000 records and 30 s after
 * one of 1,000, and the warm-up did not lengthen synthesis. The scratch stream is nothing the run
 * or its account sees.
 */
export async function warmUp(client: KinesisClient, records: readonly InputRecord[]): Promise<void> {
  const name = 'cdk-kinesis-pipeline-local-warm-up';
  const scratch = records.slice(0, WARM_UP_RECORDS);
  if (scratch.length === 0) return;
  await putAndReadBack(client, { name, shardCount: 1 }, scratch, { efoConsumers: [] });
  await client.send(new DeleteStreamCommand({ StreamName: name }));
}

/** `<name>` for the first segment, `<name>-<index>` (within Kinesis' 128 characters) after it. */
export function segmentStreamName(name: string, index: number): string {
  if (index === 0) return name;
  const suffix = `-${index}`;
  return `${name.slice(0, 128 - suffix.length)}${suffix}`;
}

function assertIncreasing(shard: readonly StreamRecord[]): void {
  for (let i = 1; i < shard.length; i++) {
    if (BigInt(shard[i].sequenceNumber) <= BigInt(shard[i - 1].sequenceNumber)) {
      throw new CliError(
        `sequence numbers on ${shard[i].shardId} do not increase: ${shard[i - 1].sequenceNumber} then ${shard[i].sequenceNumber}`,
      );
    }
  }
}

async function createStream(
  client: KinesisClient,
  name: string,
  shardCount: number,
  efoConsumers: readonly string[],
): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  await waitActive(client, name);
  for (const consumerName of new Set(efoConsumers)) {
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
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
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Puts every record; throws if any could not be sent. */
async function putRecords(client: KinesisClient, streamName: string, records: readonly InputRecord[]): Promise<void> {
  const producer = new KinesisProducer({ client, streamName, partitionKey: PartitionKey.random() });
  for (const record of records) await producer.put({ data: record.data, partitionKey: record.partitionKey });
  const report = await producer.flush();
  if (report.unsent.length > 0) {
    const first = report.unsent[0];
    throw new CliError(
      `${report.unsent.length} record(s) could not be put into ${streamName}: ${first.errorCode} ${first.errorMessage}`,
    );
  }
}

/** Every record of every shard of one stream, in shard order then stream order. */
async function readAllShards(
  client: KinesisClient,
  streamName: string,
  expected: number,
): Promise<{ shardId: string; records: StreamRecord[] }[]> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const out: { shardId: string; records: StreamRecord[] }[] = [];
  for (const shard of shards) {
    const records: StreamRecord[] = [];
    let iterator = (
      await client.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
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
    out.push({ shardId: shard.ShardId!, records });
  }
  const read = out.reduce((n, s) => n + s.records.length, 0);
  if (read !== expected) throw new CliError(`read ${read} record(s) back from ${streamName}, expected ${expected}`);
  return out;
}
