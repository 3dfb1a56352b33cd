import { isHiveType } from './hive-type';
import { tableParameters } from './projection';
import { ERROR, NOT_APPLICABLE, compliantIf, type StreamingRule } from './rule';
import { asArray, asBoolean, field, flatten, refTarget, type StackTemplate, type TemplateResource } from './template';

const TABLE = ['AWS::Glue::Table'];
const PROJECTION_TYPES = ['enum', 'integer', 'date', 'injected'];

interface Column {
  readonly name: unknown;
  readonly type: unknown;
}

const columnsOf = (table: TemplateResource): Column[] =>
  asArray(field(table.properties, 'TableInput', 'StorageDescriptor', 'Columns')).map((c) => ({
    name: field(c, 'Name'),
    type: field(c, 'Type'),
  }));
const partitionKeysOf = (table: TemplateResource): Column[] =>
  asArray(field(table.properties, 'TableInput', 'PartitionKeys')).map((c) => ({
    name: field(c, 'Name'),
    type: field(c, 'Type'),
  }));

/** Whether a delivery stream of this stack converts records through `table`'s schema. */
function usedForConversion(table: TemplateResource, template: StackTemplate): boolean {
  const tableName = field(table.properties, 'TableInput', 'Name');
  return template.ofType('AWS::KinesisFirehose::DeliveryStream').some((stream) => {
    const schema = field(
      stream.properties,
      'ExtendedS3DestinationConfiguration',
      'DataFormatConversionConfiguration',
      'SchemaConfiguration',
    );
    const name = field(schema, 'TableName');
    return refTarget(name) === table.logicalId || (typeof name === 'string' && name === tableName);
  });
}

function onConversionTable(check: (table: TemplateResource) => boolean | undefined): StreamingRule['evaluate'] {
  return (table, template) => (usedForConversion(table, template) ? compliantIf(check(table)) : NOT_APPLICABLE);
}

export const GLUE_RULES: StreamingRule[] = [
  {
    id: 'GlueColumnNames',
    level: ERROR,
    info: 'The Glue table Firehose converts with has column or partition key names that are not lowercase.',
    explanation:
      "Firehose's OpenX JSON deserializer lowercases JSON keys before matching them to columns (CaseInsensitive, on by default), and Glue and Athena treat names as lowercase: a column with capitals never receives a value, and the Parquet/ORC files hold nulls for it. See the Firehose API reference 'OpenXJsonSerDe' and the Athena documentation 'Name databases, tables, and columns'.",
    docs: 'https://docs.aws.amazon.com/firehose/latest/APIReference/API_OpenXJsonSerDe.html',
    resourceTypes: TABLE,
    evaluate: onConversionTable((table) =>
      [...columnsOf(table), ...partitionKeysOf(table)].every(
        (c) => typeof c.name !== 'string' || c.name === c.name.toLowerCase(),
      ),
    ),
  },
  {
    id: 'GlueColumnTypes',
    level: ERROR,
    info: 'The Glue table Firehose converts with has a column type that is not a Hive type.',
    explanation:
      "Firehose converts JSON to Parquet or ORC through the Glue table's column types, which must be Hive types (boolean, tinyint, smallint, int, bigint, float, double, decimal(p,s), char(n), varchar(n), string, binary, date, timestamp, array<>, map<>, struct<>). Any other name fails the conversion of every record (format-conversion-failed). See the Firehose documentation 'Convert input data format in Amazon Data Firehose' and the Athena 'Data types in Amazon Athena'.",
    docs: 'https://docs.aws.amazon.com/athena/latest/ug/data-types.html',
    resourceTypes: TABLE,
    evaluate: onConversionTable((table) =>
      [...columnsOf(table), ...partitionKeysOf(table)].every((c) => typeof c.type !== 'string' || isHiveType(c.type)),
    ),
  },
  {
    id: 'GluePartitionKeyColumns',
    level: ERROR,
    info: 'The Glue table Firehose converts with has a partition key that is also a column.',
    explanation:
      "Partition keys are not stored in the data files; a partition key with a column's name makes Athena refuse the table (duplicate column) and queries fail. See the Athena documentation 'CREATE TABLE' (PARTITIONED BY).",
    docs: 'https://docs.aws.amazon.com/athena/latest/ug/create-table.html',
    resourceTypes: TABLE,
    evaluate: onConversionTable((table) => {
      const columns = new Set(
        columnsOf(table)
          .map((c) => c.name)
          .filter((n): n is string => typeof n === 'string')
          .map((n) => n.toLowerCase()),
      );
      return partitionKeysOf(table).every((k) => typeof k.name !== 'string' || !columns.has(k.name.toLowerCase()));
    }),
  },
  {
    id: 'GlueProjectionParameters',
    level: ERROR,
    info: 'The Glue table turns partition projection on without complete projection parameters for every partition key.',
    explanation:
      "With projection.enabled, Athena needs projection.<key>.type for every partition key (enum, integer, date or injected) and that type's required parameters (integer: range; enum: values; date: range and format), and a storage.location.template, when given, must hold ${<key>} for every key; otherwise queries fail. See the Athena documentation 'Supported types for partition projection' and 'Set up partition projection'.",
    docs: 'https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html',
    resourceTypes: TABLE,
    evaluate: (table) => {
      const parameters = tableParameters(table.properties.TableInput);
      if (!parameters || asBoolean(parameters['projection.enabled']) !== true) return NOT_APPLICABLE;
      const keys = partitionKeysOf(table)
        .map((k) => k.name)
        .filter((n): n is string => typeof n === 'string');
      const template = flatten(parameters['storage.location.template']);
      return compliantIf(
        keys.length > 0 &&
          keys.every((key) => projectionComplete(parameters, key)) &&
          (template === undefined || keys.every((key) => template.includes(`\${${key}}`))),
      );
    },
  },
];

function projectionComplete(parameters: Record<string, unknown>, key: string): boolean {
  const param = (name: string): string | undefined => {
    const v = parameters[`projection.${key}.${name}`];
    return typeof v === 'string' || typeof v === 'number' ? String(v).trim() : undefined;
  };
  const type = param('type')?.toLowerCase();
  if (type === undefined || !PROJECTION_TYPES.includes(type)) return false;
  const positiveInteger = (v: string | undefined) => v === undefined || /^[1-9]\d*$/.test(v);
  switch (type) {
    case 'integer': {
      const range = /^(-?\d+)\s*,\s*(-?\d+)$/.exec(param('range') ?? '');
      return (
        range !== null &&
        Number(range[1]) <= Number(range[2]) &&
        positiveInteger(param('digits')) &&
        positiveInteger(param('interval'))
      );
    }
    case 'enum':
      return (param('values') ?? '') !== '';
    case 'date':
      return (param('range') ?? '').split(',').length === 2 && (param('format') ?? '') !== '';
    default:
      return true;
  }
}
