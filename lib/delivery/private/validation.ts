import * as glue from 'aws-cdk-lib/aws-glue';
import type { PartitionKey } from '../partitioning';
import type { TableSchema } from '../table-schema';
import { Token } from 'aws-cdk-lib';
import { checkNumber } from '../../private/validation';

/** Throws `<prop> must be between <min> and <max> <unit>. Received <value>`; skips tokens; NaN and ±Infinity fail. */
export function checkRange(prop: string, value: number, min: number, max: number, unit: string, context = ''): void {
  checkNumber(prop, value, { min, max, unit, context });
}

export function roundMB(value: number): number {
  return Token.isUnresolved(value) ? value : Math.round(value * 100) / 100;
}

/** The table's data root: the data prefix without the partition layout. */
export function tableRoot(dataOutputPrefix: string, layout: string): string {
  if (Token.isUnresolved(dataOutputPrefix)) {
    throw new Error('dataOutputPrefix must be a literal string (the table location derives from it). Received a token');
  }
  if (!dataOutputPrefix.endsWith(layout)) {
    throw new Error(
      `dataOutputPrefix must end with the partitioning layout '${layout}' so that Glue, Athena projection and Firehose agree. Received '${dataOutputPrefix}'`,
    );
  }
  const root = dataOutputPrefix.slice(0, dataOutputPrefix.length - layout.length);
  if (root === '' || !root.endsWith('/') || root.includes('!{')) {
    throw new Error(
      `dataOutputPrefix must start with a fixed folder such as 'data/' (the table location; it keeps errors/ and raw/ out of the table). Received '${dataOutputPrefix}'`,
    );
  }
  return root;
}

/** The Glue data format of an OutputFormat value. */
export function glueDataFormat(format: string): glue.DataFormat {
  switch (format) {
    case 'ORC':
      return glue.DataFormat.ORC;
    case 'JSON':
      return glue.DataFormat.JSON;
    default:
      return glue.DataFormat.PARQUET;
  }
}

/** Column types whose JSON text starts with the date (and the hour for timestamps), UTC. */
const EVENT_TIME_TYPES: Record<string, string[]> = {
  timestamp: ['yyyy', 'MM', 'dd', 'HH'],
  date: ['yyyy', 'MM', 'dd'],
};

/** An event-time partition key must read a timestamp (or, for dates, a date) column of the schema. */
export function checkEventTimeField(key: PartitionKey, schema: TableSchema): void {
  const column = schema.columns.find((c) => c.name === key.field);
  if (!column) {
    throw new Error(
      `event-time partition key '${key.name}' reads field '${key.field}', which is not a column of the schema: eventTimeField must name a timestamp or date column. Received '${key.field}'`,
    );
  }
  const format = /!\{timestamp:([^}]+)\}/.exec(key.errorExpression ?? '')?.[1] ?? '';
  const formats = EVENT_TIME_TYPES[column.type];
  if (!formats || !formats.includes(format)) {
    throw new Error(
      `event-time partition key '${key.name}' (${format}) needs a timestamp column${format === 'HH' ? '' : ' or a date column'}; field '${key.field}' is ${column.type}. Received '${key.field}'`,
    );
  }
}
