/**
 * npm run bench:consumer — one 10,000-record Kinesis batch (JSON, 100 partition keys), four ways:
 * - floor: a bare decode + JSON.parse loop calling the handler (no failure handling at all);
 * - processKinesisBatch (this library): per-key order, quarantine, partial batch response;
 * - Powertools BatchProcessor, sequential (processInParallel: false) and parallel (default).
 * For (a) a CPU-bound handler and (b) an I/O-bound handler (1 ms await per record).
 * Reports the median wall time, the ratio to the floor (a) or to sequential processing (b), and
 * whether two records of one key were ever in flight at once (per-key order broken).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { processKinesisBatch } from '../../packages/runtime/src/kinesis-batch';

const RECORDS = 10_000;
const KEYS = 100;
const CPU_RUNS = 41;
const IO_RUNS = 3;

// Silence Powertools' own logs during the runs.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

interface Body {
  readonly id: number;
  readonly key: string;
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
  readonly agent: string;
}

function makeEvent(): KinesisStreamEvent {
  const base = 49590338271490256608559692538361571095921575989136588898n;
  return {
    Records: Array.from({ length: RECORDS }, (_, i): KinesisStreamRecord => {
      const body: Body = {
        id: i,
        key: `client-${i % KEYS}`,
        path: `/api/v1/orders/${(i * 7919) % 100_000}?expand=items`,
        status: i % 50 === 0 ? 503 : 200,
        bytes: (i * 31) % 65_536,
        agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)',
      };
      const sequenceNumber = (base + BigInt(i) * 1_000_003n).toString();
      return {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: body.key,
          sequenceNumber,
          data: Buffer.from(JSON.stringify(body)).toString('base64'),
          approximateArrivalTimestamp: 1_700_000_000 + i / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000000:${sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/bench',
        awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/bench',
      };
    }),
  };
}

/** CPU-bound work per record: validate, normalise and hash a few fields (a few µs). */
let sink = 0;
function cpuWork(body: Body): void {
  if (typeof body.id !== 'number' || typeof body.path !== 'string') throw new Error('schema');
  const route = body.path.split('?')[0].replace(/\/\d+/g, '/:id');
  let hash = 2166136261;
  const text = `${route}|${body.status}|${body.agent}`;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  sink ^= hash + body.bytes;
}

/** Tracks, per key, whether two records were ever in flight at the same time. */
class OrderProbe {
  private readonly inFlight = new Map<string, number>();
  public overlapped = false;
  start(key: string): void {
    const n = (this.inFlight.get(key) ?? 0) + 1;
    if (n > 1) this.overlapped = true;
    this.inFlight.set(key, n);
  }
  end(key: string): void {
    this.inFlight.set(key, this.inFlight.get(key)! - 1);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const decode = (r: KinesisStreamRecord): Body =>
  JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8')) as Body;

type Mode = 'cpu' | 'io';
interface Contender {
  readonly name: string;
  /** One record at a time: ~10 s per I/O run, so it is measured once there. */
  readonly sequential?: boolean;
  run(event: KinesisStreamEvent, mode: Mode, probe: OrderProbe): Promise<unknown>;
}

const ioHandler = async (body: Body, probe: OrderProbe): Promise<void> => {
  probe.start(body.key);
  await sleep(1);
  cpuWork(body);
  probe.end(body.key);
};

/** Powertools' BatchProcessor, one record at a time or all at once. */
function powertoolsContender(processInParallel: boolean): Contender {
  return {
    name: `Powertools BatchProcessor, ${processInParallel ? 'parallel' : 'sequential'}`,
    sequential: !processInParallel,
    run(event, mode, probe) {
      const processor = new BatchProcessor(EventType.KinesisDataStreams);
      const handler =
        mode === 'cpu'
          ? async (r: KinesisStreamRecord) => cpuWork(decode(r))
          : (r: KinesisStreamRecord) => ioHandler(decode(r), probe);
      return processPartialResponse(event, handler, processor, { processInParallel });
    },
  };
}

const contenders: Contender[] = [
  {
    name: 'floor: bare decode + parse loop',
    sequential: true,
    async run(event, mode, probe) {
      for (const r of event.Records) {
        const body = decode(r);
        if (mode === 'cpu') cpuWork(body);
        else await ioHandler(body, probe);
      }
    },
  },
  {
    name: 'processKinesisBatch (this library)',
    run(event, mode, probe) {
      return processKinesisBatch<Body>(
        event,
        mode === 'cpu' ? (r) => cpuWork(r.body) : (r) => ioHandler(r.body, probe),
        { metrics: false, quarantineSink: undefined },
      );
    },
  },
  powertoolsContender(false),
  powertoolsContender(true),
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

/**
 * Runs the contenders round-robin (run i of each, then run i+1 of each), so that load from
 * other processes on the machine hits all of them alike; returns each one's median.
 */
async function measureAll(
  event: KinesisStreamEvent,
  mode: Mode,
  runs: (c: Contender) => number,
): Promise<Array<{ ms: number; overlapped: boolean }>> {
  const times = contenders.map(() => [] as number[]);
  const overlapped = contenders.map(() => false);
  const maxRuns = Math.max(...contenders.map(runs));
  for (let i = 0; i < maxRuns; i++) {
    for (const [index, contender] of contenders.entries()) {
      if (i >= runs(contender)) continue;
      const probe = new OrderProbe();
      const t0 = process.hrtime.bigint();
      await contender.run(event, mode, probe);
      times[index].push(Number(process.hrtime.bigint() - t0) / 1e6);
      overlapped[index] ||= probe.overlapped;
    }
  }
  return contenders.map((_, index) => ({ ms: median(times[index]), overlapped: overlapped[index] }));
}

async function main(): Promise<void> {
  const event = makeEvent();
  // Warm up every path (JIT) before measuring.
  for (const c of contenders) await c.run({ Records: event.Records.slice(0, 500) }, 'cpu', new OrderProbe());

  const rows: string[] = [];
  for (const mode of ['cpu', 'io'] as const) {
    const measured = await measureAll(event, mode, (c) => (mode === 'cpu' ? CPU_RUNS : c.sequential ? 1 : IO_RUNS));
    const results = measured.map((m, index) => ({ name: contenders[index].name, ...m }));
    const floor = results[0].ms;
    const sequential = results[2].ms;
    for (const r of results) {
      const vs =
        mode === 'cpu'
          ? `${(r.ms / floor).toFixed(2)}x the floor`
          : `${(sequential / r.ms).toFixed(1)}x faster than sequential`;
      const order = mode === 'io' ? (r.overlapped ? 'no (keys overlapped)' : 'yes') : 'yes (sync)';
      rows.push(
        `| ${mode === 'cpu' ? '(a) CPU-bound' : '(b) I/O-bound, 1 ms/record'} | ${r.name} | ${fmt(r.ms)} | ${vs} | ${order} |`,
      );
    }
  }
  console.log(
    `\nConsumer benchmark: ${RECORDS.toLocaleString('en-US')} records, ${KEYS} partition keys, JSON payloads; median of ${CPU_RUNS} runs (a), of ${IO_RUNS} runs (b; 1 run for the sequential ones); Node ${process.version}\n`,
  );
  console.log('| handler | processor | median ms | ratio | per-key order kept |');
  console.log('|---|---|---:|---|---|');
  for (const row of rows) console.log(row);
  if (sink === 42) console.log(''); // keep cpuWork observable
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
