import { numericTimeField, parsePrefix, type PrefixToken } from './firehose-prefix';
import { flatten, isObject } from './template';

/**
 * Compares where Athena looks for a projected table's partitions (`storage.location.template`, or
 * the table location with Hive-style `key=value/` folders when there is no template) with where
 * Firehose writes (its S3 prefix), token by token, and returns the mismatches in words.
 * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-setting-up.html
 * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
 */
export function layoutMismatches(options: {
  readonly parameters: Record<string, unknown>;
  readonly partitionKeys: readonly string[];
  /** The table's StorageDescriptor.Location. */
  readonly location: unknown;
  /** The Firehose prefix (intrinsics flattened). */
  readonly prefix: string;
  /** The Firehose bucket: «logicalId» or the bucket name, when known. */
  readonly bucket?: string;
}): string[] | undefined {
  const { parameters, partitionKeys } = options;
  const template =
    flatten(parameters['storage.location.template']) ?? defaultTemplate(flatten(options.location), partitionKeys);
  if (template === undefined || !template.startsWith('s3://')) return undefined;
  const afterScheme = template.slice('s3://'.length);
  const slash = afterScheme.indexOf('/');
  const templateBucket = slash < 0 ? afterScheme : afterScheme.slice(0, slash);
  const templatePath = slash < 0 ? '' : afterScheme.slice(slash + 1);
  if (templatePath.includes('«')) return undefined; // an intrinsic inside the path: cannot compare

  const problems: string[] = [];
  if (options.bucket !== undefined && !templateBucket.includes('«?»') && templateBucket !== options.bucket) {
    problems.push(`the table is in bucket ${templateBucket}, Firehose writes to ${options.bucket}`);
  }
  const expected = templateTokens(trimSlash(templatePath));
  const actual = mergeText(parsePrefix(trimSlash(options.prefix)).tokens);
  if (expected.length !== actual.length) {
    problems.push(`the template '${templatePath}' and the prefix '${options.prefix}' have different layouts`);
    return problems;
  }
  expected.forEach((want, i) => {
    const got = actual[i];
    if (want.text !== undefined || got.text !== undefined) {
      if (want.text !== got.text)
        problems.push(`'${want.text ?? '${…}'}' in the template, '${got.text ?? '!{…}'}' in the prefix`);
      return;
    }
    problems.push(...keyMismatches(want.value!, got, parameters, partitionKeys));
  });
  return problems;
}

function defaultTemplate(location: string | undefined, keys: readonly string[]): string | undefined {
  if (location === undefined) return undefined;
  return `${location.endsWith('/') ? location : `${location}/`}${keys.map((k) => `${k}=\${${k}}/`).join('')}`;
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

/** The template as literal text and `${key}` placeholders (value = key). */
function templateTokens(template: string): PrefixToken[] {
  const tokens: PrefixToken[] = [];
  let last = 0;
  for (const m of template.matchAll(/\$\{([^}]*)\}/g)) {
    if (m.index! > last) tokens.push({ text: template.slice(last, m.index) });
    tokens.push({ namespace: 'template', value: m[1] });
    last = m.index! + m[0].length;
  }
  if (last < template.length) tokens.push({ text: template.slice(last) });
  return tokens;
}

function mergeText(tokens: PrefixToken[]): PrefixToken[] {
  const merged: PrefixToken[] = [];
  for (const t of tokens) {
    const previous = merged[merged.length - 1];
    if (t.text !== undefined && previous?.text !== undefined)
      merged[merged.length - 1] = { text: previous.text + t.text };
    else merged.push(t);
  }
  return merged;
}

/** Whether the values Firehose writes for `expression` are the values Athena projects for `key`. */
function keyMismatches(
  key: string,
  expression: PrefixToken,
  parameters: Record<string, unknown>,
  partitionKeys: readonly string[],
): string[] {
  if (!partitionKeys.includes(key)) return [`\${${key}} is not a partition key`];
  const param = (name: string): string | undefined => {
    const v = parameters[`projection.${key}.${name}`];
    return typeof v === 'string' || typeof v === 'number' ? String(v).trim() : undefined;
  };
  const type = param('type')?.toLowerCase();
  const { namespace, value = '' } = expression;
  if (namespace === 'firehose') return [`${key} is projected but the prefix writes !{firehose:${value}} there`];
  if (namespace !== 'timestamp') return []; // a partition key from the record: any projection type can hold it
  if (type === 'date') {
    return param('format') === value
      ? []
      : [`${key}: date format '${param('format')}' but the prefix writes '${value}'`];
  }
  if (type !== 'integer') return [];
  const field = numericTimeField(value);
  if (!field) return [`${key} is an integer but the prefix writes the timestamp '${value}'`];
  const problems: string[] = [];
  const digits = param('digits');
  const width = field.width;
  if (width !== undefined && !(field.isYear && digits === undefined && width === 4) && digits !== String(width)) {
    problems.push(
      `${key}: the prefix writes ${width} digits ('${value}'), the projection ${digits ?? 'no fixed'} digits`,
    );
  }
  if (width === undefined && digits !== undefined && digits !== '1') {
    problems.push(`${key}: the prefix writes unpadded values ('${value}'), the projection ${digits} digits`);
  }
  const range = /^\s*(-?\d+)\s*,\s*(-?\d+)\s*$/.exec(param('range') ?? '');
  if (range && !field.isYear) {
    const [min, max] = [Number(range[1]), Number(range[2])];
    if (min > field.lowest || max < field.highest) {
      problems.push(
        `${key}: the projection covers ${min}..${max}, the prefix writes ${field.lowest}..${field.highest}`,
      );
    }
  }
  return problems;
}

/** The table parameters as an object, when they are one. */
export function tableParameters(tableInput: unknown): Record<string, unknown> | undefined {
  const parameters = isObject(tableInput) ? tableInput.Parameters : undefined;
  return isObject(parameters) ? parameters : undefined;
}
