/**
 * One Firehose delivery stream (Kinesis stream source → Lambda transform → JSON-to-Parquet
 * conversion → S3), emulated from its template on the records the stream holds. Time is the
 * records' own arrival time (virtual): a buffer opens with its first record and closes when the
 * next record would overflow its size hint or arrives after its interval, or at the end of the
 * input, so a 300 s interval costs no wall-clock time (docs/local.md).
 * @see https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 * @see https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html
 * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { KinesisStreamRecord } from 'aws-lambda';
import { userRecordsOf } from 'cdk-kinesis-pipeline-runtime';
import type { FunctionHost } from '../function-host';
import type { LocalDelivery } from '../pipeline-model';
import type { StreamRecord } from '../stream-io';
import { ConversionError, deserializeRow, splitJsonObjects, type TableRow } from './json-deserializer';
import { compileMetadataQuery, type MetadataQuery } from './metadata-extraction';
import { writeParquet } from './parquet-writer';
import { evaluateDataPrefix, evaluateErrorPrefix, formatTimestamp, PrefixError } from './prefix';

const MIB = 1024 * 1024;

/** A user record as Firehose reads it (KPL aggregates are de-aggregated first). */
interface SourceRecord {
  readonly recordId: string;
  readonly data: Buffer;
  readonly arrivalMs: number;
  readonly shardId: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
}

interface Delivered {
  readonly source: SourceRecord;
  readonly data: Buffer;
  readonly rows?: TableRow[];
  readonly partitionKeysFromLambda?: Record<string, string>;
  readonly partitionKeysFromQuery?: Record<string, string>;
}

interface Failed {
  readonly source: SourceRecord;
  readonly type: 'processing-failed' | 'format-conversion-failed' | 'partitioning-failed';
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attemptsMade: number;
  /** What the error record holds: the source data, or the transformed data for conversion failures. */
  readonly rawData: Buffer;
}

export interface DeliveredObject {
  readonly key: string;
  readonly rows: number;
  readonly records: number;
  readonly oldestArrivalMs: number;
}

export interface DeliveryReport {
  readonly name: string;
  readonly sourceRecords: number;
  readonly invocations: number;
  /** Records the transform answered Ok (all records when there is no transform). */
  readonly transformOk: number;
  readonly ok: number;
  readonly dropped: number;
  readonly failed: Readonly<Record<string, number>>;
  readonly rowsDelivered: number;
  readonly dataObjects: readonly DeliveredObject[];
  readonly errorObjects: readonly { key: string; type: string; records: number }[];
  readonly backupObjects: readonly { key: string; records: number }[];
  /** Source record ids by outcome, for the account. */
  readonly outcomes: ReadonlyMap<string, 'ok' | 'dropped' | 'failed'>;
}

export interface DeliveryStreamOptions {
  readonly delivery: LocalDelivery;
  /** The transform's execution environment, when the delivery stream has a Lambda processor. */
  readonly transform?: FunctionHost;
  /** `<out>`: objects go to `<out>/<bucket>/<key>`. */
  readonly outDir: string;
  readonly region: string;
}

/** Runs the delivery stream over every record of its source stream. */
export async function runDeliveryStream(
  shards: readonly StreamRecord[][],
  options: DeliveryStreamOptions,
): Promise<DeliveryReport> {
  const { delivery } = options;
  const sources = sourceRecords(shards, delivery);
  const query: MetadataQuery | undefined = delivery.metadataExtractionQuery
    ? compileMetadataQuery(delivery.metadataExtractionQuery)
    : undefined;
  const state = {
    invocations: 0,
    transformOk: 0,
    ok: 0,
    dropped: 0,
    failed: {} as Record<string, number>,
    rowsDelivered: 0,
    dataObjects: [] as DeliveredObject[],
    errorObjects: [] as { key: string; type: string; records: number }[],
    backupObjects: [] as { key: string; records: number }[],
    outcomes: new Map<string, 'ok' | 'dropped' | 'failed'>(),
  };
  const writeObject = (bucket: string, key: string, body: Buffer): void => {
    const file = path.join(options.outDir, bucket, ...key.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, body);
  };
  const objectName = (closeMs: number): string =>
    `${delivery.name}-1-${formatTimestamp('yyyy-MM-dd-HH-mm-ss', closeMs)}-${randomUUID()}`;

  // Source record backup: every record as read from the stream, concatenated, under the backup prefix.
  if (delivery.backup) {
    const backup = delivery.backup;
    for (const batch of buffered(
      sources,
      backup.buffering.sizeInMBs * MIB,
      backup.buffering.intervalInSeconds * 1000,
      (r) => r.data.length,
    )) {
      const oldest = batch.records[0].arrivalMs;
      const key = `${evaluateDataPrefix(backup.prefix, { timestampMs: oldest }, false)}${objectName(batch.closeMs)}`;
      writeObject(backup.bucket, key, Buffer.concat(batch.records.map((r) => r.data)));
      state.backupObjects.push({ key, records: batch.records.length });
    }
  }

  // The transform: batches by the processor's own buffer hints.
  const delivered: Delivered[] = [];
  const failed: Failed[] = [];
  const processor = delivery.processor;
  const batches = processor
    ? buffered(
        sources,
        Math.min(processor.bufferSizeInMBs, 3) * MIB,
        processor.bufferIntervalInSeconds * 1000,
        (r) => r.data.length,
      )
    : [{ records: sources, closeMs: 0 }];
  for (const batch of batches) {
    if (!processor || !options.transform) {
      for (const source of batch.records) delivered.push({ source, data: source.data });
      continue;
    }
    const results = await transformBatch(batch.records, options, processor.numberOfRetries, () => state.invocations++);
    for (const result of results) {
      if ('type' in result) failed.push(result);
      else if (result.data === undefined) {
        state.dropped++;
        state.outcomes.set(result.source.recordId, 'dropped');
      } else delivered.push(result as Delivered);
    }
  }

  state.transformOk = delivered.length;

  // Conversion and dynamic partitioning, per record.
  const ready: Delivered[] = [];
  for (const record of delivered) {
    let current = record;
    if (delivery.conversion) {
      try {
        const rows = splitJsonObjects(record.data.toString('utf8')).map((json) =>
          deserializeRow(json, delivery.conversion!.table.columns, delivery.conversion!),
        );
        current = { ...current, rows };
      } catch (error) {
        if (!(error instanceof ConversionError)) throw error;
        failed.push({
          source: record.source,
          type: 'format-conversion-failed',
          errorCode: 'DataFormatConversion.InvalidSchema',
          errorMessage: error.message,
          attemptsMade: 1,
          rawData: record.data,
        });
        continue;
      }
    }
    if (query) {
      try {
        const firstRow = JSON.parse(splitJsonObjects(record.data.toString('utf8'))[0] ?? 'null') as unknown;
        current = { ...current, partitionKeysFromQuery: query(firstRow) };
      } catch (error) {
        failed.push({
          source: record.source,
          type: 'partitioning-failed',
          errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
          errorMessage: (error as Error).message,
          attemptsMade: 1,
          rawData: record.data,
        });
        continue;
      }
    }
    ready.push(current);
  }

  // Destination buffers: one per partition (dynamic partitioning), else one; the prefix's
  // timestamp is the arrival of the oldest record in the object.
  const partitions = new Map<string, Delivered[]>();
  for (const record of ready) {
    const id = delivery.dynamicPartitioning
      ? JSON.stringify([record.partitionKeysFromLambda ?? {}, record.partitionKeysFromQuery ?? {}])
      : '';
    let list = partitions.get(id);
    if (!list) partitions.set(id, (list = []));
    list.push(record);
  }
  for (const records of partitions.values()) {
    records.sort((a, b) => a.source.arrivalMs - b.source.arrivalMs);
    const sizeOf = (r: Delivered) => r.data.length;
    for (const batch of buffered(
      records,
      delivery.buffering.sizeInMBs * MIB,
      delivery.buffering.intervalInSeconds * 1000,
      sizeOf,
      (r) => r.source.arrivalMs,
    )) {
      const oldest = batch.records[0];
      let prefix: string;
      try {
        prefix = evaluateDataPrefix(
          delivery.prefix,
          {
            timestampMs: oldest.source.arrivalMs,
            partitionKeysFromLambda: oldest.partitionKeysFromLambda,
            partitionKeysFromQuery: oldest.partitionKeysFromQuery,
          },
          delivery.dynamicPartitioning,
        );
      } catch (error) {
        if (!(error instanceof PrefixError)) throw error;
        for (const r of batch.records) {
          failed.push({
            source: r.source,
            type: 'partitioning-failed',
            errorCode: 'DynamicPartitioning.PrefixEvaluationFailed',
            errorMessage: error.message,
            attemptsMade: 1,
            rawData: r.data,
          });
        }
        continue;
      }
      const key = `${prefix}${objectName(batch.closeMs)}${extension(delivery)}`;
      let body: Buffer;
      let rows = 0;
      if (delivery.conversion) {
        const all = batch.records.flatMap((r) => r.rows ?? []);
        rows = all.length;
        body = await writeParquet(all, delivery.conversion.table.columns, delivery.conversion.compression);
      } else {
        // Without an AppendDelimiterToRecord processor Firehose writes the records back to back.
        const delimiter = delivery.recordDelimiter === undefined ? undefined : Buffer.from(delivery.recordDelimiter);
        body = Buffer.concat(batch.records.flatMap((r) => (delimiter ? [r.data, delimiter] : [r.data])));
        rows = batch.records.length;
        if (delivery.compression === 'GZIP') body = gzipSync(body);
      }
      writeObject(delivery.bucket, key, body);
      state.dataObjects.push({ key, rows, records: batch.records.length, oldestArrivalMs: oldest.source.arrivalMs });
      state.rowsDelivered += rows;
      for (const r of batch.records) {
        state.ok++;
        state.outcomes.set(r.source.recordId, 'ok');
      }
    }
  }

  // Error output: one object per error type and evaluated prefix.
  const errorGroups = new Map<string, Failed[]>();
  for (const f of failed) {
    const prefix = evaluateErrorPrefix(delivery.errorOutputPrefix, delivery.prefix, {
      timestampMs: f.source.arrivalMs,
      errorOutputType: f.type,
    });
    const list = errorGroups.get(prefix) ?? [];
    list.push(f);
    errorGroups.set(prefix, list);
    state.failed[f.type] = (state.failed[f.type] ?? 0) + 1;
    state.outcomes.set(f.source.recordId, 'failed');
  }
  for (const [prefix, records] of errorGroups) {
    const oldest = Math.min(...records.map((r) => r.source.arrivalMs));
    const key = `${prefix}${objectName(oldest)}`;
    writeObject(
      delivery.bucket,
      key,
      Buffer.from(records.map((r) => JSON.stringify(errorDocument(r, delivery, options))).join('\n') + '\n'),
    );
    state.errorObjects.push({ key, type: records[0].type, records: records.length });
  }

  return { name: delivery.name, sourceRecords: sources.length, ...state };
}

/** The stream's records as Firehose reads them: KPL aggregates de-aggregated, in arrival order. */
function sourceRecords(shards: readonly StreamRecord[][], delivery: LocalDelivery): SourceRecord[] {
  const out: SourceRecord[] = [];
  for (const shard of shards) {
    for (const r of shard) {
      const event = {
        eventID: `${r.shardId}:${r.sequenceNumber}`,
        eventSourceARN: delivery.stream.arn,
        kinesis: {
          data: r.data.toString('base64'),
          partitionKey: r.partitionKey,
          sequenceNumber: r.sequenceNumber,
          approximateArrivalTimestamp: r.arrivalMs / 1000,
        },
      } as unknown as KinesisStreamRecord;
      for (const user of userRecordsOf(event)) {
        out.push({
          recordId: `${r.sequenceNumber}${String(user.subSequenceNumber ?? 0).padStart(6, '0')}`,
          data: user.data,
          arrivalMs: r.arrivalMs,
          shardId: r.shardId,
          partitionKey: user.partitionKey,
          sequenceNumber: r.sequenceNumber,
          subSequenceNumber: user.subSequenceNumber,
        });
      }
    }
  }
  return out.sort((a, b) => a.arrivalMs - b.arrivalMs);
}

/** Splits records (in arrival order) into buffers closed by size or interval, as Firehose's buffering hints do. */
function buffered<T>(
  records: readonly T[],
  maxBytes: number,
  intervalMs: number,
  sizeOf: (r: T) => number,
  arrivalOf: (r: T) => number = (r) => (r as unknown as SourceRecord).arrivalMs,
): { records: T[]; closeMs: number }[] {
  const batches: { records: T[]; closeMs: number }[] = [];
  let current: T[] = [];
  let bytes = 0;
  let openedMs = 0;
  for (const r of records) {
    const size = sizeOf(r);
    const at = arrivalOf(r);
    if (current.length > 0 && (bytes + size > maxBytes || at >= openedMs + intervalMs)) {
      batches.push({ records: current, closeMs: Math.min(at, openedMs + intervalMs) });
      current = [];
      bytes = 0;
    }
    if (current.length === 0) openedMs = at;
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) batches.push({ records: current, closeMs: openedMs + intervalMs });
  return batches;
}

type TransformResult = Failed | (Omit<Delivered, 'data'> & { data: Buffer | undefined });

/**
 * Invokes the transform with a Firehose transformation event and checks the response as Firehose
 * does: every recordId answered once, result Ok | Dropped | ProcessingFailed, data base64. A failed
 * invocation or an invalid response is retried NumberOfRetries times, then every record of the
 * batch goes to processing-failed.
 */
async function transformBatch(
  records: readonly SourceRecord[],
  options: DeliveryStreamOptions,
  retries: number,
  countInvocation: () => void,
): Promise<TransformResult[]> {
  const { delivery } = options;
  const event = {
    invocationId: randomUUID(),
    deliveryStreamArn: delivery.arn,
    sourceKinesisStreamArn: delivery.stream.arn,
    region: options.region,
    records: records.map((r) => ({
      recordId: r.recordId,
      approximateArrivalTimestamp: r.arrivalMs,
      data: r.data.toString('base64'),
      kinesisRecordMetadata: {
        shardId: r.shardId,
        partitionKey: r.partitionKey,
        approximateArrivalTimestamp: r.arrivalMs,
        sequenceNumber: r.sequenceNumber,
        subsequenceNumber: r.subSequenceNumber ?? 0,
      },
    })),
  };
  let lastError = { code: 'Lambda.FunctionError', message: '' };
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    countInvocation();
    const result = await options.transform!.invoke(event);
    if (!result.ok) {
      lastError = result.timedOut
        ? { code: 'Lambda.FunctionTimedOut', message: result.error?.message ?? 'timed out' }
        : { code: 'Lambda.FunctionError', message: `${result.error?.name}: ${result.error?.message}` };
      continue;
    }
    const checked = checkResponse(result.response, records);
    if (typeof checked === 'string') {
      lastError = { code: 'Lambda.InvalidReturnFormat', message: checked };
      continue;
    }
    return records.map((source) => {
      const answer = checked.get(source.recordId)!;
      if (answer.result === 'ProcessingFailed') {
        return {
          source,
          type: 'processing-failed',
          errorCode: 'Lambda.ProcessingFailedStatus',
          errorMessage: 'ProcessingFailed status set for record',
          attemptsMade: attempt,
          rawData: source.data,
        } satisfies Failed;
      }
      if (answer.result === 'Dropped') return { source, data: undefined };
      return {
        source,
        data: Buffer.from(answer.data ?? '', 'base64'),
        partitionKeysFromLambda: answer.metadata?.partitionKeys,
      };
    });
  }
  return records.map((source) => ({
    source,
    type: 'processing-failed' as const,
    errorCode: lastError.code,
    errorMessage: lastError.message,
    attemptsMade: retries + 1,
    rawData: source.data,
  }));
}

interface Answer {
  result: string;
  data?: string;
  metadata?: { partitionKeys?: Record<string, string> };
}

function checkResponse(response: unknown, records: readonly SourceRecord[]): Map<string, Answer> | string {
  const answers = (response as { records?: unknown } | null)?.records;
  if (!Array.isArray(answers)) return 'the response has no records array';
  const expected = new Set(records.map((r) => r.recordId));
  const byId = new Map<string, Answer>();
  for (const a of answers as Answer[] & { recordId?: unknown }[]) {
    const id = (a as { recordId?: unknown }).recordId;
    if (typeof id !== 'string' || !expected.has(id))
      return `the response has an unknown recordId ${JSON.stringify(id)}`;
    if (byId.has(id)) return `the response answers recordId ${id} twice`;
    if (!['Ok', 'Dropped', 'ProcessingFailed'].includes(a.result))
      return `record ${id} has result ${JSON.stringify(a.result)}`;
    if (a.result === 'Ok' && (typeof a.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(a.data)))
      return `record ${id} has no base64 data`;
    byId.set(id, a);
  }
  if (byId.size !== expected.size) return `the response answers ${byId.size} of ${expected.size} records`;
  return byId;
}

/** The error record Firehose writes (processing failures and conversion failures have different shapes). */
function errorDocument(f: Failed, delivery: LocalDelivery, options: DeliveryStreamOptions): Record<string, unknown> {
  if (f.type === 'format-conversion-failed') {
    const table = delivery.conversion!.table;
    return {
      attemptsMade: f.attemptsMade,
      arrivalTimestamp: f.source.arrivalMs,
      lastErrorCode: f.errorCode,
      lastErrorMessage: f.errorMessage,
      attemptEndingTimestamp: f.source.arrivalMs,
      rawData: f.rawData.toString('base64'),
      sequenceNumber: f.source.sequenceNumber,
      subSequenceNumber: f.source.subSequenceNumber ?? 0,
      dataCatalogTable: {
        catalogId: null,
        databaseName: table.database,
        tableName: table.name,
        region: options.region,
        versionId: 'LATEST',
        catalogArn: null,
      },
    };
  }
  return {
    attemptsMade: f.attemptsMade,
    arrivalTimestamp: f.source.arrivalMs,
    errorCode: f.errorCode,
    errorMessage: f.errorMessage,
    attemptEndingTimestamp: f.source.arrivalMs,
    rawData: f.rawData.toString('base64'),
    ...(delivery.processor ? { lambdaArn: delivery.processor.function.arn } : {}),
  };
}

function extension(delivery: LocalDelivery): string {
  if (delivery.fileExtension !== undefined) return delivery.fileExtension;
  if (delivery.conversion) return '';
  return delivery.compression === 'GZIP' ? '.gz' : '';
}
