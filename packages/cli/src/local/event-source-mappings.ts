/**
 * Each Kinesis event source mapping of the app, emulated with its template settings over the
 * records the stream holds, invoking the function's bundled asset. The delivery semantics
 * (batching, retries, bisecting, partial batch responses, record age, on-failure) are the runtime
 * toolkit's event source mapping simulator (`cdk-kinesis-pipeline-runtime/testing`); this file only
 * plugs the local run into it: records from kinesis-local in, the function host as the handler,
 * on-failure documents written where Lambda writes them.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FunctionHost } from './function-host';
import { LOCAL_RECORDS_DIR } from './local-aws-server';
import type { LocalMapping, PipelineModel } from './pipeline-model';
import type { StreamRecord } from './stream-io';

/** What happened to the records of one mapping. */
export interface MappingReport {
  readonly mapping: LocalMapping;
  readonly records: number;
  readonly processed: number;
  readonly quarantined: number;
  readonly sentToOnFailure: number;
  /** Records Lambda moved past after a successful invocation without the handler reporting them (no toolkit hooks). */
  readonly checkpointedUnreported: number;
  /** Records lost (none kept them), by reason. */
  readonly lost: Readonly<Record<string, number>>;
  readonly invocations: number;
  readonly functionErrors: number;
  readonly timeouts: number;
  /** Keys written to the on-failure destination. */
  readonly onFailureObjects: readonly string[];
}

/** The seam: how a mapping's records are delivered to its function. */
export interface EventSourceMappingEmulator {
  run(mapping: LocalMapping, shards: readonly StreamRecord[][], host: FunctionHost): Promise<MappingReport>;
}

// The parts of cdk-kinesis-pipeline-runtime/testing the local run uses.
interface SimulatorModule {
  settingsFromTemplate(
    template: unknown,
    options: { mapping: string },
  ): Record<string, unknown> & { reportBatchItemFailures?: boolean };
  simulateEventSourceMapping(
    shards: { shardId: string; records: { partitionKey: string; data: Uint8Array; arrivalTimeMs: number }[] }[],
    handler: (event: unknown, context: SimulatedContextLike) => Promise<unknown>,
    options: Record<string, unknown>,
  ): Promise<{
    records: readonly {
      processed: number;
      quarantined: number;
      sentToOnFailure: number;
      lost: boolean;
      lostBecause?: string;
    }[];
    totals: { invocations: number; functionErrors: number; timeouts: number };
  }>;
}

interface SimulatedContextLike {
  spend(ms: number): void;
  [key: symbol]: unknown;
}

interface HooksLike {
  recordProcessed(record: unknown): void;
  recordQuarantined(record: unknown): void;
}

const HOOKS_KEY = Symbol.for('cdk-kinesis-pipeline.simulation-hooks');

/** The simulator, when this version of the runtime toolkit has it. */
export function loadSimulator(): SimulatorModule | undefined {
  try {
    return require('cdk-kinesis-pipeline-runtime/testing') as SimulatorModule;
  } catch {
    return undefined;
  }
}

export interface SimulatedMappingsOptions {
  readonly model: PipelineModel;
  readonly outDir: string;
}

/** Event source mappings driven by the runtime toolkit's simulator. */
export function simulatedMappings(
  simulator: SimulatorModule,
  options: SimulatedMappingsOptions,
): EventSourceMappingEmulator {
  return {
    async run(mapping, shards, host) {
      const template = options.model.templates[options.model.mappingStacks.get(mapping)!];
      const settings = {
        ...simulator.settingsFromTemplate(template, { mapping: mapping.logicalId }),
        streamArn: mapping.stream.arn,
        functionArn: mapping.function.arn,
      };
      const onFailureObjects: string[] = [];
      const startTimeMs = Math.min(...shards.flat().map((r) => r.arrivalMs));
      const report = await simulator.simulateEventSourceMapping(
        shards.map((records, index) => ({
          shardId: records[0]?.shardId ?? `shardId-${String(index).padStart(12, '0')}`,
          records: records.map((r) => ({ partitionKey: r.partitionKey, data: r.data, arrivalTimeMs: r.arrivalMs })),
        })),
        async (event, context) => {
          const result = await host.invoke(event, {
            reportBatchItemFailures: settings.reportBatchItemFailures === true,
          });
          const hooks = context[HOOKS_KEY] as HooksLike;
          for (const record of result.processed) hooks.recordProcessed(record);
          for (const record of result.quarantined) hooks.recordQuarantined(record);
          context.spend(result.elapsedMs);
          if (!result.ok) throw new Error(`${result.error?.name}: ${result.error?.message}`);
          return result.response;
        },
        {
          settings,
          startTimeMs,
          onFailure: (document: { KinesisBatchInfo: { shardId: string }; timestamp: string }, destination: string) => {
            onFailureObjects.push(writeOnFailure(document, destination, mapping, options.outDir));
          },
        },
      );
      const lost: Record<string, number> = {};
      let processed = 0;
      let quarantined = 0;
      let sentToOnFailure = 0;
      let checkpointedUnreported = 0;
      for (const r of report.records) {
        if (r.processed > 0) processed++;
        else if (r.quarantined > 0) quarantined++;
        else if (r.sentToOnFailure > 0 && !r.lost) sentToOnFailure++;
        else if (r.lostBecause === 'checkpointed-unprocessed') checkpointedUnreported++;
        else lost[r.lostBecause ?? 'unknown'] = (lost[r.lostBecause ?? 'unknown'] ?? 0) + 1;
      }
      return {
        mapping,
        records: report.records.length,
        processed,
        quarantined,
        sentToOnFailure,
        checkpointedUnreported,
        lost,
        invocations: report.totals.invocations,
        functionErrors: report.totals.functionErrors,
        timeouts: report.totals.timeouts,
        onFailureObjects,
      };
    },
  };
}

/**
 * An on-failure document where Lambda puts it: for an S3 destination the object
 * `aws/lambda/<mapping UUID>/<shard id>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>` in the bucket;
 * SQS and SNS destinations are recorded under `_local/`.
 */
function writeOnFailure(
  document: { KinesisBatchInfo: { shardId: string }; timestamp: string },
  destination: string,
  mapping: LocalMapping,
  outDir: string,
): string {
  if (destination === 's3' && mapping.onFailureBucket) {
    const t = document.timestamp; // ISO 8601
    const key = `aws/lambda/${mapping.uuid}/${document.KinesisBatchInfo.shardId}/${t.slice(0, 4)}/${t.slice(5, 7)}/${t.slice(8, 10)}/${t.slice(0, 19).replace(/:/g, '.')}-${randomUUID()}`;
    const file = path.join(outDir, mapping.onFailureBucket, ...key.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(document));
    return `s3://${mapping.onFailureBucket}/${key}`;
  }
  const dir = path.join(outDir, LOCAL_RECORDS_DIR, `on-failure-${destination}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, `${mapping.uuid}.ndjson`), `${JSON.stringify(document)}\n`);
  return `${destination}:${mapping.uuid}`;
}
