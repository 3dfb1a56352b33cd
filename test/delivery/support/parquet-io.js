// Runs outside jest (hyparquet and hyparquet-writer are ES modules; Node >= 20.19 can require them,
// jest's module system cannot). Reads a JSON job on stdin:
//   { write: [{ file, columns: [{ name, type, data }] }], read: [file] }
// writes each Parquet file, then reads the listed files back and prints
//   { schemas: { file: [[name, type, convertedType]] }, rows: { file: [row] } } as JSON (bigints and dates tagged).
const fs = require('node:fs');
const path = require('node:path');
const { parquetWriteBuffer } = require('hyparquet-writer');
const { parquetMetadata, parquetReadObjects } = require('hyparquet');

const revive = (_key, value) => {
  if (value && typeof value === 'object' && '$bigint' in value) return BigInt(value.$bigint);
  if (value && typeof value === 'object' && '$date' in value)
    return value.$date === null ? null : new Date(value.$date);
  return value;
};
const replace = (_key, value) => (typeof value === 'bigint' ? { $bigint: value.toString() } : value);

(async () => {
  const job = JSON.parse(fs.readFileSync(0, 'utf8'), revive);
  for (const { file, columns } of job.write) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.from(parquetWriteBuffer({ columnData: columns })));
  }
  const out = { schemas: {}, rows: {} };
  for (const file of job.read) {
    const buffer = fs.readFileSync(file);
    const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    out.schemas[file] = parquetMetadata(arrayBuffer)
      .schema.slice(1)
      .map((s) => [s.name, s.type, s.converted_type ?? null]);
    const rows = await parquetReadObjects({ file: arrayBuffer });
    out.rows[file] = rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? { $date: v.getTime() } : v])),
    );
  }
  process.stdout.write(JSON.stringify(out, replace));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
