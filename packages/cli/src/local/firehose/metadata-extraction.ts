/**
 * Firehose's inline parsing for dynamic partitioning (`!{partitionKeyFromQuery:key}`): the
 * MetadataExtractionQuery is a jq program. The local run evaluates the form Firehose's examples
 * use, an object of plain paths (`{customer_id: .customer_id, device: .type.device}`); any other
 * jq is reported as not emulated.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html
 */
export type MetadataQuery = (record: unknown) => Record<string, string>;

export class UnsupportedQueryError extends Error {}

export function compileMetadataQuery(query: string): MetadataQuery {
  const body = /^\s*\{(.*)\}\s*$/s.exec(query)?.[1];
  if (body === undefined)
    throw new UnsupportedQueryError(`MetadataExtractionQuery '${query}' is not an object of paths`);
  const keys = body.split(',').map((part) => {
    const m = /^\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*:\s*((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*$/.exec(part);
    if (!m) throw new UnsupportedQueryError(`'${part.trim()}' in MetadataExtractionQuery is not 'key: .path'`);
    return { key: m[1], path: m[2].slice(1).split('.') };
  });
  return (record) => {
    const out: Record<string, string> = {};
    for (const { key, path } of keys) {
      let value: unknown = record;
      for (const step of path)
        value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
      // jq yields null for a missing path; Firehose then cannot build the prefix.
      if (value !== undefined && value !== null) out[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    return out;
  };
}
