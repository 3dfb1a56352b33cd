/**
 * The account of a local run: where every record went, per consumer and per delivery stream,
 * what the lake holds, and the checks that fail the run when a record is unaccounted for or
 * when two parts of the pipeline disagree (a prefix the projection does not read, quarantine
 * records written somewhere else than the function's environment says).
 */
import * as path from 'node:path';
import type { MappingReport } from './event-source-mappings';
import type { DeliveryReport } from './firehose/delivery-stream';
import { type LakeQueryResult, projectedPartition } from './lake-query';
import { listKeys } from './local-aws-server';
import type { LocalDelivery, LocalStream } from './pipeline-model';
import type { StreamRecord } from './stream-io';

/** A consumer's line of the account: its event source mapping's counts, and where it wrote. */
export interface ConsumerAccount extends Pick<
  MappingReport,
  | 'records'
  | 'processed'
  | 'quarantined'
  | 'sentToOnFailure'
  | 'checkpointedUnreported'
  | 'lost'
  | 'invocations'
  | 'functionErrors'
> {
  readonly function: string;
  readonly type: string;
  /** Objects under the function's QUARANTINE_BUCKET_NAME / QUARANTINE_PREFIX. */
  readonly quarantineObjects?: { readonly location: string; readonly count: number };
  readonly onFailureObjects: number;
}

/** A delivery stream's line of the account: its report, with objects summarised. */
export interface DeliveryAccount extends Pick<
  DeliveryReport,
  | 'name'
  | 'sourceRecords'
  | 'invocations'
  | 'transformOk'
  | 'ok'
  | 'dropped'
  | 'failed'
  | 'rowsDelivered'
  | 'errorObjects'
> {
  readonly dataObjects: readonly { key: string; rows: number; oldestArrivalMs: number }[];
  readonly rowsPerObjectPartition: Readonly<Record<string, number>>;
  readonly backupObjects: number;
}

export interface Check {
  readonly ok: boolean;
  readonly text: string;
}

export interface LocalAccount {
  readonly produced: number;
  readonly poisonKinds: readonly string[];
  readonly stream: { readonly name: string; readonly shards: number; readonly perShard: readonly number[] };
  /** Distinct UTC hours (yyyy-MM-ddTHH) in which the records arrived. */
  readonly arrivalHours: readonly string[];
  readonly consumers: readonly ConsumerAccount[];
  readonly deliveries: readonly DeliveryAccount[];
  readonly lake: readonly LakeQueryResult[];
  readonly notEmulated: readonly string[];
  readonly checks: readonly Check[];
  readonly ok: boolean;
}

export interface AccountInput {
  readonly produced: number;
  readonly poisonKinds: readonly string[];
  readonly stream: LocalStream;
  readonly shards: readonly StreamRecord[][];
  readonly mappings: readonly MappingReport[];
  readonly deliveries: readonly DeliveryReport[];
  readonly deliveryModels: readonly LocalDelivery[];
  readonly lake: readonly LakeQueryResult[];
  readonly outDir: string;
  readonly notEmulated: readonly string[];
  /** Calls of the functions the local AWS endpoint refused (not emulated), by `service.Action`. */
  readonly refusedCalls?: ReadonlyMap<string, number>;
}

export function buildAccount(input: AccountInput): LocalAccount {
  const checks: Check[] = [];
  const check = (ok: boolean, text: string) => checks.push({ ok, text });
  const read = input.shards.reduce((n, s) => n + s.length, 0);
  check(read === input.produced, `stream: ${read} of ${input.produced} record(s) read back`);

  const consumers = input.mappings.map((m): ConsumerAccount => {
    const env = m.mapping.function.environment;
    const bucket = env.QUARANTINE_BUCKET_NAME;
    const prefix = env.QUARANTINE_PREFIX ?? 'quarantine/';
    const quarantineObjects = bucket
      ? {
          location: `s3://${bucket}/${prefix}`,
          count: listKeys(path.join(input.outDir, bucket)).filter((k) => k.startsWith(prefix)).length,
        }
      : undefined;
    const lost = Object.values(m.lost).reduce((a, b) => a + b, 0);
    const name = m.mapping.function.name;
    // A handler that does not pass its context to processKinesisBatch reports nothing per record:
    // its quarantined records are then counted from the objects it wrote.
    const reports = m.processed + m.quarantined > 0 || m.checkpointedUnreported === 0;
    const quarantined = reports ? m.quarantined : Math.min(quarantineObjects?.count ?? 0, m.checkpointedUnreported);
    const deliveredUnreported = reports ? m.checkpointedUnreported : m.checkpointedUnreported - quarantined;
    const accounted = m.processed + quarantined + m.sentToOnFailure + deliveredUnreported;
    check(
      lost === 0 && accounted === m.records,
      `${name}: ${accounted} of ${m.records} record(s) processed, quarantined or sent to on-failure${lost ? `; LOST ${JSON.stringify(m.lost)}` : ''}`,
    );
    if (quarantineObjects && reports) {
      check(
        quarantineObjects.count === m.quarantined,
        `${name}: ${m.quarantined} record(s) quarantined, ${quarantineObjects.count} object(s) under ${quarantineObjects.location} (the function's QUARANTINE_BUCKET_NAME and QUARANTINE_PREFIX)`,
      );
    }
    if (!reports) {
      check(
        true,
        `${name}: the handler reports no record to the simulator (it does not pass its context to processKinesisBatch): ${deliveredUnreported} record(s) of successful invocations counted as processed, ${quarantined} as quarantined from the objects under ${quarantineObjects?.location ?? 'its quarantine prefix'}`,
      );
    }
    return {
      function: name,
      type: m.mapping.efoConsumerName ? `enhanced fan-out (${m.mapping.efoConsumerName})` : 'standard',
      records: m.records,
      processed: m.processed,
      quarantined,
      sentToOnFailure: m.sentToOnFailure,
      checkpointedUnreported: deliveredUnreported,
      lost: m.lost,
      invocations: m.invocations,
      functionErrors: m.functionErrors,
      quarantineObjects,
      onFailureObjects: m.onFailureObjects.length,
    };
  });

  const deliveries = input.deliveries.map((d, index): DeliveryAccount => {
    const model = input.deliveryModels[index];
    const failed = Object.values(d.failed).reduce((a, b) => a + b, 0);
    check(
      d.ok + d.dropped + failed === d.sourceRecords,
      `${d.name}: ${d.ok} delivered + ${d.dropped} dropped + ${failed} under the error prefix = ${d.ok + d.dropped + failed} of ${d.sourceRecords} source record(s)`,
    );
    const inErrorObjects = d.errorObjects.reduce((n, o) => n + o.records, 0);
    check(
      inErrorObjects === failed,
      `${d.name}: ${inErrorObjects} error record(s) written for ${failed} failed record(s)`,
    );
    const rowsPerObjectPartition: Record<string, number> = {};
    for (const object of d.dataObjects) {
      const label = partitionLabel(model, object.key, input.outDir);
      rowsPerObjectPartition[label] = (rowsPerObjectPartition[label] ?? 0) + object.rows;
    }
    return {
      name: d.name,
      sourceRecords: d.sourceRecords,
      invocations: d.invocations,
      transformOk: d.transformOk,
      ok: d.ok,
      dropped: d.dropped,
      failed: d.failed,
      rowsDelivered: d.rowsDelivered,
      dataObjects: d.dataObjects.map(({ key, rows, oldestArrivalMs }) => ({ key, rows, oldestArrivalMs })),
      rowsPerObjectPartition,
      errorObjects: d.errorObjects,
      backupObjects: d.backupObjects.length,
    };
  });

  for (const lake of input.lake) {
    const delivery = deliveries.find(
      (_, i) => input.deliveryModels[i].conversion?.table.name === lake.table.split('.').pop(),
    );
    for (const warning of lake.warnings) check(false, `${lake.table}: ${warning}`);
    check(
      lake.invisible.length === 0,
      `${lake.table}: ${lake.files - lake.invisible.length} of ${lake.files} file(s) readable through the partition projection${lake.invisible.length ? `; not readable: ${lake.invisible.map((f) => `${f.file} (${f.reason})`).join('; ')}` : ''}`,
    );
    if (delivery) {
      check(
        lake.rows === delivery.rowsDelivered,
        `${lake.table}: DuckDB reads ${lake.rows} row(s), Firehose wrote ${delivery.rowsDelivered}`,
      );
      const same =
        JSON.stringify(sortKeys(lake.rowsPerPartition)) === JSON.stringify(sortKeys(delivery.rowsPerObjectPartition));
      check(
        same,
        `${lake.table}: rows per partition in DuckDB ${same ? 'equal' : 'DIFFER FROM'} the rows Firehose wrote under each prefix`,
      );
    }
  }

  // A refused call made a handler fail where AWS would have answered it: the run did not show what
  // the pipeline does in AWS, so it cannot pass.
  const refused = [...(input.refusedCalls ?? new Map<string, number>())];
  check(
    refused.length === 0,
    refused.length === 0
      ? 'no AWS call of the functions was refused by the local endpoint'
      : `AWS calls the local run does not emulate were refused: ${refused.map(([call, n]) => `${call} x${n}`).join(', ')}`,
  );

  const arrivalHours = [
    ...new Set(input.shards.flat().map((r) => new Date(r.arrivalMs).toISOString().slice(0, 13))),
  ].sort();
  return {
    produced: input.produced,
    poisonKinds: input.poisonKinds,
    stream: { name: input.stream.name, shards: input.shards.length, perShard: input.shards.map((s) => s.length) },
    arrivalHours,
    consumers,
    deliveries,
    lake: input.lake,
    notEmulated: input.notEmulated,
    checks,
    ok: checks.every((c) => c.ok),
  };
}

/** `key=value/...` of an object key, read with the Glue table's template when there is one. */
function partitionLabel(delivery: LocalDelivery, key: string, outDir: string): string {
  const table = delivery.conversion?.table;
  if (table) {
    const result = projectedPartition(table, outDir, path.join(outDir, delivery.bucket, ...key.split('/')));
    if ('values' in result) return table.partitionKeys.map((k) => `${k.name}=${result.values[k.name]}`).join('/');
  }
  return key.slice(0, key.lastIndexOf('/') + 1);
}

function sortKeys(record: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The account as the command prints it. */
export function formatAccount(account: LocalAccount, elapsedMs: number): string {
  const lines: string[] = [];
  const table = (rows: readonly Record<string, unknown>[]) => {
    if (rows.length === 0) return ['    (no rows)'];
    const columns = Object.keys(rows[0]);
    const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
    const line = (values: string[]) => `    ${values.map((v, i) => v.padStart(widths[i])).join('  ')}`;
    return [line(columns), ...rows.map((r) => line(columns.map((c) => String(r[c]))))];
  };
  lines.push('', '=== Account of the local run ===');
  lines.push(
    `records produced: ${account.produced}${account.poisonKinds.length ? ` (including ${account.poisonKinds.length} poison: ${account.poisonKinds.join(', ')})` : ''}`,
  );
  lines.push(
    `stream ${account.stream.name}: ${account.stream.shards} shard(s), records per shard ${account.stream.perShard.join(' / ')}; arrival hours (UTC) ${account.arrivalHours.join(', ')}`,
  );
  for (const c of account.consumers) {
    lines.push(
      `consumer ${c.function} [${c.type}]: ${c.records} record(s), ${c.invocations} invocation(s), ${c.functionErrors} function error(s)`,
    );
    lines.push(
      `    processed ${c.processed}, quarantined ${c.quarantined}${c.quarantineObjects ? ` (${c.quarantineObjects.count} object(s) under ${c.quarantineObjects.location})` : ''}, sent to on-failure ${c.sentToOnFailure} (${c.onFailureObjects} object(s))${c.checkpointedUnreported ? `, delivered without a per-record report ${c.checkpointedUnreported}` : ''}${Object.keys(c.lost).length ? `, LOST ${JSON.stringify(c.lost)}` : ''}`,
    );
  }
  for (const d of account.deliveries) {
    lines.push(
      `delivery stream ${d.name}: ${d.sourceRecords} source record(s), ${d.invocations} transform invocation(s)`,
    );
    lines.push(
      `    delivered ${d.ok} record(s) as ${d.rowsDelivered} row(s), dropped ${d.dropped}, under the error prefix ${JSON.stringify(d.failed)}; ${d.backupObjects} source backup object(s)`,
    );
    for (const [partition, rows] of Object.entries(d.rowsPerObjectPartition))
      lines.push(`    rows in ${partition}: ${rows}`);
    for (const o of d.errorObjects) lines.push(`    error object (${o.type}, ${o.records} record(s)): ${o.key}`);
  }
  for (const lake of account.lake) {
    lines.push(
      `lake ${lake.table}: ${lake.files} file(s), ${lake.rows} row(s) read by DuckDB through the partition projection`,
    );
    if (lake.summarySql) {
      lines.push(`    ${lake.summarySql}`);
      lines.push(...table(lake.summary));
    }
  }
  for (const reason of account.notEmulated) lines.push(`not emulated: ${reason}`);
  lines.push('checks:');
  for (const c of account.checks) lines.push(`    ${c.ok ? 'ok  ' : 'FAIL'} ${c.text}`);
  lines.push(
    `${account.ok ? 'every record is accounted for' : 'THE RUN FAILED: see the checks above'} (${(elapsedMs / 1000).toFixed(1)} s)`,
  );
  return `${lines.join('\n')}\n`;
}
