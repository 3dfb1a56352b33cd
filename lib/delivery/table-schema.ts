import * as glue from 'aws-cdk-lib/aws-glue';
import { Token } from 'aws-cdk-lib';
import {
  formatColumnType,
  parseColumnType,
  type ColumnType as ParsedColumnType,
} from '../private/generated/column-type';
import { WEB_LOG_COLUMNS } from '../private/generated/web-log-columns';

/** A column of the table, declared once for the Glue table and the transform's row shape. */
export interface Column {
  /** Lowercase name; also the JSON key the transform writes. A '.' becomes '_' in Glue (OpenX SerDe). */
  readonly name: string;
  /**
   * The Glue type string. Build it with `ColumnType`, e.g. `ColumnType.decimalOf(10, 2)`.
   *
   * @jsii suppress reserved-word the name of aws-cdk-lib glue.Column.type and of the runtime toolkit column definitions (schema.columns are passed to it); Go bindings export it as Type which is not reserved
   */
  readonly type: string;
  /** @default - no comment */
  readonly comment?: string;
}

/**
 * Glue column types, as the type strings Glue and the transform runtime share
 * (`string`, `decimal(10,2)`, `array<string>`, `struct<a:int>`...).
 */
export class ColumnType {
  public static readonly STRING = 'string';
  /** 32-bit signed integer. */
  public static readonly INT = 'int';
  /** 64-bit signed integer. */
  public static readonly BIGINT = 'bigint';
  public static readonly DOUBLE = 'double';
  public static readonly BOOLEAN = 'boolean';
  /** Written by the transform as 'yyyy-MM-dd HH:mm:ss.SSS' (UTC). */
  public static readonly TIMESTAMP = 'timestamp';
  /** 'yyyy-MM-dd'. */
  public static readonly DATE = 'date';

  // The builders end in 'Of': decimal, map and struct are reserved words in C# or Go.

  /** `decimal(precision,scale)`. @param precision 1..38 @param scale 0..precision */
  public static decimalOf(precision: number, scale: number = 0): string {
    return ColumnType.checked(`decimal(${precision},${scale})`);
  }

  /** `array<itemType>`. */
  public static arrayOf(itemType: string): string {
    return ColumnType.checked(`array<${itemType}>`);
  }

  /** `map<keyType,valueType>`. @param keyType a primitive type */
  public static mapOf(keyType: string, valueType: string): string {
    return ColumnType.checked(`map<${keyType},${valueType}>`);
  }

  /** `struct<name:type,...>`. */
  public static structOf(fields: Column[]): string {
    return ColumnType.checked(`struct<${fields.map((f) => `${f.name}:${f.type}`).join(',')}>`);
  }

  private static checked(typeString: string): string {
    return formatColumnType(parseColumnType(typeString));
  }

  private constructor() {}
}

/**
 * The table's columns, declared once: they yield the Glue table columns and the row shape the
 * transform must produce (pass `schema.columns` to the runtime's `transformFirehoseRecords`).
 */
export class TableSchema {
  /**
   * The reference web-log table: Apache access and error lines in one table, told apart by
   * `log_type` ('access', 'error', 'unparsed'). The reference transform writes exactly these rows.
   */
  public static readonly WEB_LOG: TableSchema = TableSchema.fromColumns(WEB_LOG_COLUMNS.map((c) => ({ ...c })));

  /**
   * Validates the columns: at least one; names non-empty, lowercase, unique (also after '.' → '_');
   * type strings valid Glue types.
   */
  public static fromColumns(columns: Column[]): TableSchema {
    return new TableSchema(columns);
  }

  /** The columns as declared. */
  public readonly columns: Column[];

  private constructor(columns: Column[]) {
    validateColumns(columns);
    this.columns = columns.map((c) => ({ ...c }));
  }

  /** A new schema with these columns added, e.g. to write extra fields from an enrich hook. */
  public withColumns(columns: Column[]): TableSchema {
    return new TableSchema([...this.columns, ...columns]);
  }

  /** Whether a column name holds a '.', which needs the OpenX SerDe (it maps '.' to '_'). */
  public get hasDottedColumnNames(): boolean {
    return this.columns.some((c) => c.name.includes('.'));
  }

  /** The Glue columns (L2 types); a '.' in a name becomes '_'. */
  public toGlueColumns(): glue.Column[] {
    return this.columns.map((c) => ({
      name: glueColumnName(c.name),
      type: toGlueType(parseColumnType(c.type)),
      comment: c.comment,
    }));
  }

  /** The lowercase Glue column names. */
  public get columnNames(): string[] {
    return this.columns.map((c) => glueColumnName(c.name));
  }
}

/** The Glue column name of a schema column: '.' becomes '_' (what the OpenX SerDe maps it to). */
function glueColumnName(name: string): string {
  return name.replace(/\./g, '_');
}

function validateColumns(columns: Column[]): void {
  if (columns.length === 0) {
    throw new Error('schema must have at least one column. Received 0 columns');
  }
  const seen = new Map<string, string>();
  columns.forEach((column, index) => {
    const name = column.name;
    if (Token.isUnresolved(name)) return;
    if (name.length === 0) {
      throw new Error(`column name must not be empty. Received '' (column ${index})`);
    }
    if (name !== name.toLowerCase()) {
      throw new Error(`column name must be lowercase (Glue stores column names in lowercase). Received '${name}'`);
    }
    if (!/^[a-z0-9_.]+$/.test(name)) {
      throw new Error(`column name may only contain a-z, 0-9, '_' and '.'. Received '${name}'`);
    }
    const glueName = glueColumnName(name);
    const previous = seen.get(glueName);
    if (previous !== undefined) {
      throw new Error(
        `column names must be unique (a '.' counts as '_'). Received '${name}' and '${previous}' (both '${glueName}')`,
      );
    }
    seen.set(glueName, name);
    try {
      parseColumnType(column.type);
    } catch (error) {
      throw new Error(`column '${name}' has an invalid type. Received '${column.type}': ${(error as Error).message}`);
    }
  });
}

function toGlueType(type: ParsedColumnType): glue.Type {
  switch (type.kind) {
    case 'string':
      return glue.Schema.STRING;
    case 'int':
      return glue.Schema.INTEGER;
    case 'bigint':
      return glue.Schema.BIG_INT;
    case 'double':
      return glue.Schema.DOUBLE;
    case 'boolean':
      return glue.Schema.BOOLEAN;
    case 'timestamp':
      return glue.Schema.TIMESTAMP;
    case 'date':
      return glue.Schema.DATE;
    case 'decimal':
      return glue.Schema.decimal(type.precision, type.scale);
    case 'array':
      return glue.Schema.array(toGlueType(type.item));
    case 'map':
      return glue.Schema.map(toGlueType(type.key), toGlueType(type.value));
    case 'struct':
      return glue.Schema.struct(type.fields.map((f) => ({ name: f.name, type: toGlueType(f.type) })));
  }
}
