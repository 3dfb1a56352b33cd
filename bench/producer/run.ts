/**
 * Producer benchmark against the kinesis-local emulator (started here on 127.0.0.1):
 * records/s of the batching KinesisProducer, plain and with shard-aware KPL aggregation, vs. one
 * PutRecord call per record, same run, same records (seeded Apache access lines, a random
 * partition key each). Each run's stream is read back and de-aggregated with the KCL's rule, to
 * show that a KCL consumer reads every record. Absolute numbers measure the emulator and this
 * machine; the ratio between rows is what carries over.
 *
 *   npm run bench:producer [-- --records 2000 --rounds 3]
 */
import { parseArgs } from 'node:util';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { KinesisProducer, sampleLines } from '../../packages/runtime/src/producer';
import { startKinesisLocal } from '../../test/support/kinesis-local';
import { kclDeaggregate } from '../../test/producer/kcl-deaggregate';
import { readRecordsByShard } from '../../test/producer/kinesis-helpers';

interface Row {
  readonly name: string;
  readonly calls: number;
  readonly seconds: number[];
  /** Records a KCL consumer reads back, lowest over the rounds. */
  readonly kclRead: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { records: { type: 'string' }, rounds: { type: 'string' } } });
  const count = Number(values.records ?? 2000);
  const rounds = Number(values.rounds ?? 3);
  const lines = take(count);
  const bytes = lines.reduce((sum, l) => sum + Buffer.byteLength(l), 0);
  const local = await startKinesisLocal({ shardLimit: 200 });
  try {
    const variants: [string, (client: KinesisClient, stream: string) => Promise<number>][] = [
      ['PutRecord, one call per record, sequential', (c, s) => putRecordEach(c, s, lines, 1)],
      ['PutRecord, one call per record, 4 in flight', (c, s) => putRecordEach(c, s, lines, 4)],
      ['KinesisProducer (PutRecords), 1 call in flight', (c, s) => produce(c, s, lines, 1, false)],
      ['KinesisProducer (PutRecords), 4 calls in flight', (c, s) => produce(c, s, lines, 4, false)],
      ['KinesisProducer + shard-aware KPL aggregation, 1 call in flight', (c, s) => produce(c, s, lines, 1, true)],
      ['KinesisProducer + shard-aware KPL aggregation, 4 calls in flight', (c, s) => produce(c, s, lines, 4, true)],
    ];
    const rows: Row[] = variants.map(([name]) => ({ name, calls: 0, seconds: [], kclRead: Infinity }));
    let streamNo = 0;
    // Rounds interleave the variants so that a slow moment of the machine hits all of them.
    for (let round = 0; round < rounds; round++) {
      for (const [i, [, run]] of variants.entries()) {
        const stream = `bench-${streamNo++}`;
        await createStream(local.client, stream, 4);
        const started = process.hrtime.bigint();
        const calls = await run(local.client, stream);
        (rows[i].seconds as number[]).push(Number(process.hrtime.bigint() - started) / 1e9);
        (rows[i] as { calls: number }).calls = calls;
        const shards = await readRecordsByShard(local.client, stream);
        const read = shards.reduce((n, shard) => n + kclDeaggregate(shard.records, shard).length, 0);
        (rows[i] as { kclRead: number }).kclRead = Math.min(rows[i].kclRead, read);
      }
    }
    const baseline = median(rows[0].seconds);
    console.log(
      `\n${count} records (${(bytes / count).toFixed(0)} bytes on average), 4 shards, median of ${rounds} rounds, kinesis-local on 127.0.0.1\n`,
    );
    console.log(
      '| variant | API calls | records/s (median) | min–max records/s | speed-up vs. PutRecord sequential | read by a KCL consumer |',
    );
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const row of rows) {
      const med = median(row.seconds);
      const best = Math.min(...row.seconds);
      const worst = Math.max(...row.seconds);
      console.log(
        `| ${row.name} | ${row.calls} | ${fmt(count / med)} | ${fmt(count / worst)}–${fmt(count / best)} | ${(baseline / med).toFixed(1)}× | ${fmt(row.kclRead)} of ${fmt(count)} |`,
      );
    }
    console.log(`\nnode ${process.version}, ${new Date().toISOString()}`);
  } finally {
    await local.stop();
  }
}

async function putRecordEach(
  client: KinesisClient,
  stream: string,
  lines: string[],
  concurrency: number,
): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < lines.length) {
      const i = next++;
      await client.send(
        new PutRecordCommand({ StreamName: stream, Data: Buffer.from(lines[i]), PartitionKey: `k${i}` }),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return lines.length;
}

async function produce(
  client: KinesisClient,
  stream: string,
  lines: string[],
  concurrency: number,
  aggregate: boolean,
): Promise<number> {
  const producer = new KinesisProducer({ client, streamName: stream, maxConcurrentRequests: concurrency, aggregate });
  for (const line of lines) await producer.put({ data: line }); // a random partition key each
  const report = await producer.flush();
  if (report.unsent.length > 0 || report.recordsSent !== lines.length) {
    throw new Error(`producer lost records: sent ${report.recordsSent}, unsent ${report.unsent.length}`);
  }
  return report.requests;
}

async function createStream(client: KinesisClient, name: string, shards: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (;;) {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function take(count: number): string[] {
  const out: string[] = [];
  for (const line of sampleLines('apache-access', { seed: 42 })) {
    out.push(line);
    if (out.length === count) break;
  }
  return out;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
