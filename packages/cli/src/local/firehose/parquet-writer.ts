/**
 * The serializing step of Firehose's record format conversion, with an independent writer
 * (hyparquet-writer), so that DuckDB reading the files back is a real cross-check: one Parquet
 * file per S3 object, the Glue table's columns in order, the SerDe's compression (SNAPPY by default).
 * Types: string → BYTE_ARRAY UTF8, tinyint/smallint/int → INT32, bigint → INT64, float → FLOAT,
 * double and decimal → DOUBLE (decimal: a difference, see docs/local.md), boolean → BOOLEAN,
 * timestamp → INT64 TIMESTAMP_MILLIS, date → INT32 DATE.
 * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_ParquetSerDe.html
 */
import { gzipSync } from 'node:zlib';
import type { GlueColumn } from '../pipeline-model';
import type { TableRow } from './json-deserializer';

type SchemaElement = {
  name: string;
  type?: 'BOOLEAN' | 'INT32' | 'INT64' | 'FLOAT' | 'DOUBLE' | 'BYTE_ARRAY';
  converted_type?: 'UTF8' | 'TIMESTAMP_MILLIS' | 'DATE' | 'INT_8' | 'INT_16';
  repetition_type?: 'OPTIONAL' | 'REQUIRED';
  num_children?: number;
};

function element(column: GlueColumn): SchemaElement {
  const type = column.type.toLowerCase();
  const base = { name: column.name, repetition_type: 'OPTIONAL' as const };
  if (type === 'tinyint') return { ...base, type: 'INT32', converted_type: 'INT_8' };
  if (type === 'smallint') return { ...base, type: 'INT32', converted_type: 'INT_16' };
  if (type === 'int' || type === 'integer') return { ...base, type: 'INT32' };
  if (type === 'bigint') return { ...base, type: 'INT64' };
  if (type === 'float') return { ...base, type: 'FLOAT' };
  if (type === 'double' || type.startsWith('decimal')) return { ...base, type: 'DOUBLE' };
  if (type === 'boolean') return { ...base, type: 'BOOLEAN' };
  if (type === 'timestamp') return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' };
  if (type === 'date') return { ...base, type: 'INT32', converted_type: 'DATE' };
  return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
}

/** Rows of `columns` as one Parquet file. */
export async function writeParquet(
  rows: readonly TableRow[],
  columns: readonly GlueColumn[],
  compression: string,
): Promise<Buffer> {
  // hyparquet-writer is an ES module: loaded with import() from this CommonJS package.
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }, ...columns.map(element)];
  const columnData = columns.map((column) => {
    const date = column.type.toLowerCase() === 'date';
    return {
      name: column.name,
      // DATE is days since the epoch.
      data: rows.map((row) => {
        const value = row[column.name] ?? null;
        return date && value instanceof Date ? Math.floor(value.getTime() / 86_400_000) : value;
      }),
    };
  });
  const codec = compression === 'UNCOMPRESSED' ? 'UNCOMPRESSED' : compression === 'GZIP' ? 'GZIP' : 'SNAPPY';
  const buffer = parquetWriteBuffer({
    columnData,
    schema,
    codec,
    compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)) },
    createdBy: 'cdk-kinesis-pipeline local (hyparquet-writer)',
  } as unknown as Parameters<typeof parquetWriteBuffer>[0]);
  return Buffer.from(buffer);
}
