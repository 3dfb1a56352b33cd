/**
 * The lake as Athena sees it: the Glue table's location and partition projection decide which
 * objects are partitions (a file outside every projected location is invisible, as it is to
 * Athena), and DuckDB reads those with Hive partitioning and the Glue partition key types.
 * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-setting-up.html
 * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GlueColumn, LocalTable } from './pipeline-model';

export interface LakeQueryResult {
  readonly table: string;
  /** Data files under the table's location. */
  readonly files: number;
  /** Files Athena would not read (outside the projected locations), with the reason. */
  readonly invisible: readonly { file: string; reason: string }[];
  readonly rows: number;
  /** Rows per partition, e.g. { 'year=2026/month=01/day=02/hour=03': 120 }. */
  readonly rowsPerPartition: Readonly<Record<string, number>>;
  /** The summary query and its result rows. */
  readonly summarySql: string;
  readonly summary: readonly Record<string, unknown>[];
  /** A problem with the table definition itself (no projection, non-Hive template). */
  readonly warnings: readonly string[];
}

const DUCKDB_TYPES: Record<string, string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  smallint: 'SMALLINT',
  tinyint: 'TINYINT',
  double: 'DOUBLE',
  float: 'FLOAT',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
};

function duckType(glueType: string): string {
  const t = glueType.toLowerCase();
  if (t.startsWith('varchar') || t.startsWith('char')) return 'VARCHAR';
  if (t.startsWith('decimal')) return 'DOUBLE';
  return DUCKDB_TYPES[t] ?? 'VARCHAR';
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The local folder of an s3:// location. */
export function localPath(outDir: string, s3Url: string): string {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(s3Url);
  if (!m) throw new Error(`not an s3:// location: ${s3Url}`);
  return path.join(outDir, m[1], ...m[2].split('/').filter(Boolean));
}

/** Which partition keys a file belongs to, or why Athena would not read it. */
export function projectedPartition(
  table: LocalTable,
  outDir: string,
  file: string,
): { values: Record<string, string> } | { reason: string } {
  const p = table.parameters;
  const template =
    p['storage.location.template'] ??
    `${table.location.replace(/\/?$/, '/')}${table.partitionKeys.map((k) => `${k.name}=\${${k.name}}/`).join('')}`;
  // The fixed part of the template (up to the last '/' before the first ${key}) is a folder.
  const firstKey = template.indexOf('${');
  const fixedEnd = firstKey >= 0 ? template.lastIndexOf('/', firstKey) + 1 : template.length;
  const root = localPath(outDir, template.slice(0, fixedEnd));
  const rest = path.relative(root, file).split(path.sep).join('/');
  if (rest.startsWith('../')) return { reason: `outside the table's location ${template.slice(0, fixedEnd)}` };
  const templateRest = template.slice(fixedEnd);
  const names: string[] = [];
  const pattern = templateRest
    .split(/(\$\{[^}]+\})/)
    .map((part) => {
      const m = /^\$\{([^}]+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]);
      return '([^/]+)';
    })
    .join('');
  const match = new RegExp(`^${pattern}${pattern.endsWith('/') ? '' : '/'}`).exec(rest);
  if (!match) return { reason: `not under a location of storage.location.template ${template}` };
  const values: Record<string, string> = {};
  names.forEach((name, i) => (values[name] = match[i + 1]));
  if (p['projection.enabled'] !== 'true') return { values };
  for (const key of table.partitionKeys) {
    const raw = values[key.name];
    const type = p[`projection.${key.name}.type`];
    if (raw === undefined) return { reason: `the template has no \${${key.name}}` };
    if (type === 'integer') {
      const [min, max] = (p[`projection.${key.name}.range`] ?? '').split(',').map(Number);
      const digits = Number(p[`projection.${key.name}.digits`] ?? 0);
      const n = Number(raw);
      if (!/^-?\d+$/.test(raw) || n < min || n > max)
        return { reason: `${key.name}=${raw} is outside the projected range ${min}..${max}` };
      // Athena renders the projected value with `digits` and reads that location only.
      if (String(n).padStart(digits, '0') !== raw)
        return { reason: `${key.name}=${raw} is not how projection writes ${n} (digits ${digits})` };
    } else if (type === 'enum') {
      if (!(p[`projection.${key.name}.values`] ?? '').split(',').includes(raw))
        return { reason: `${key.name}=${raw} is not one of the projected values` };
    } else if (type !== 'injected' && type !== 'date') {
      return { reason: `projection type '${type}' of ${key.name} is not emulated` };
    }
  }
  return { values };
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}

/** Reads the table through its projection with DuckDB and runs the summary query. */
export async function queryLake(table: LocalTable, outDir: string): Promise<LakeQueryResult> {
  const warnings: string[] = [];
  const p = table.parameters;
  if (p['projection.enabled'] !== 'true') {
    warnings.push(
      'partition projection is off: Athena sees no partition until one is added to the Glue catalog (read here as if every partition were added)',
    );
  }
  const files = listFiles(localPath(outDir, table.location));
  const visible: { file: string; values: Record<string, string> }[] = [];
  const invisible: { file: string; reason: string }[] = [];
  for (const file of files) {
    const result = projectedPartition(table, outDir, file);
    if ('reason' in result) invisible.push({ file: path.relative(outDir, file), reason: result.reason });
    else visible.push({ file, values: result.values });
  }
  const keys = table.partitionKeys;
  const rowsPerPartition: Record<string, number> = {};
  if (visible.length === 0) {
    return {
      table: `${table.database}.${table.name}`,
      files: files.length,
      invisible,
      rows: 0,
      rowsPerPartition,
      summarySql: '',
      summary: [],
      warnings,
    };
  }

  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const fileList = `[${visible.map((v) => quoteString(v.file)).join(', ')}]`;
    const hiveTypes = `{${keys.map((k) => `${quoteString(k.name)}: ${duckType(k.type)}`).join(', ')}}`;
    const source = `read_parquet(${fileList}, hive_partitioning = true, hive_types = ${hiveTypes}, union_by_name = true)`;
    const present = new Set(
      (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`))
        .getRowObjects()
        .map((r) => String(r.column_name)),
    );
    const select = (column: GlueColumn) =>
      present.has(column.name)
        ? `CAST(${quoteIdent(column.name)} AS ${duckType(column.type)}) AS ${quoteIdent(column.name)}`
        : `NULL::${duckType(column.type)} AS ${quoteIdent(column.name)}`;
    await connection.run(
      `CREATE VIEW ${quoteIdent(table.name)} AS SELECT ${[...table.columns, ...keys].map(select).join(', ')} FROM ${source}`,
    );

    const keyList = keys.map((k) => quoteIdent(k.name)).join(', ');
    const perPartition = await connection.runAndReadAll(
      `SELECT ${keyList}, count(*) AS n FROM ${quoteIdent(table.name)} GROUP BY ALL ORDER BY ${keyList}`,
    );
    let rows = 0;
    for (const r of perPartition.getRowObjects()) {
      const label = keys.map((k) => `${k.name}=${formatKey(table, k.name, r[k.name])}`).join('/');
      rowsPerPartition[label] = Number(r.n);
      rows += Number(r.n);
    }
    const hasStatus = table.columns.some((c) => c.name === 'status');
    const summarySql =
      `SELECT ${keyList}, count(*) AS requests` +
      (hasStatus ? `, count(*) FILTER (WHERE status >= 500) AS "5xx"` : '') +
      ` FROM ${quoteIdent(table.name)} GROUP BY ALL ORDER BY ${keyList}`;
    const summary = (await connection.runAndReadAll(summarySql))
      .getRowObjects()
      .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
    return {
      table: `${table.database}.${table.name}`,
      files: files.length,
      invisible,
      rows,
      rowsPerPartition,
      summarySql,
      summary,
      warnings,
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function formatKey(table: LocalTable, key: string, value: unknown): string {
  const digits = Number(table.parameters[`projection.${key}.digits`] ?? 0);
  return String(value).padStart(digits, '0');
}
