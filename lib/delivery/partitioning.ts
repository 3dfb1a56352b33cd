import * as glue from 'aws-cdk-lib/aws-glue';
import { Token } from 'aws-cdk-lib';
import { bothResolved, checkNumber } from '../private/validation';

/** Options of a partition key taken from Firehose's arrival timestamp. */
export interface TimestampPartitionKeyOptions {
  /** Lowest value Athena projects. @default - 0 for hours, 1 for days and months, 2020 for years */
  readonly min?: number;
  /** Highest value Athena projects. @default - 23, 31, 12, or 2099 for years */
  readonly max?: number;
}

/** Options of a partition key taken from a field of the record (dynamic partitioning). */
export interface RecordFieldPartitionKeyOptions {
  /**
   * The row field (a column of the schema) the reference transform and the runtime toolkit's
   * `partitionKeyFields` take the value from. It cannot share the key's name: Glue partition keys
   * and columns must differ.
   * @default - the key's name (then your transform sets the value with ok(rows, partitionKeys))
   */
  readonly field?: string;
  /**
   * The values the field takes, for Athena's `enum` projection. Without them, projection is
   * `injected`: queries must then filter on the key with `=`.
   * @default - injected projection
   */
  readonly values?: string[];
}

/** Per format: the default projection range, the values the field can take, and its width. */
const TIME_FIELDS: Record<string, { min: number; max: number; lowest: number; highest: number; digits: number }> = {
  yyyy: { min: 2020, max: 2099, lowest: 1970, highest: 9999, digits: 4 },
  MM: { min: 1, max: 12, lowest: 1, highest: 12, digits: 2 },
  dd: { min: 1, max: 31, lowest: 1, highest: 31, digits: 2 },
  HH: { min: 0, max: 23, lowest: 0, highest: 23, digits: 2 },
  mm: { min: 0, max: 59, lowest: 0, highest: 59, digits: 2 },
};

/** Characters [start, end) of 'yyyy-MM-dd HH…' (or 'yyyy-MM-ddTHH…') holding each time field. */
const EVENT_TIME_SLICES: Record<string, [number, number]> = {
  yyyy: [0, 4],
  MM: [5, 7],
  dd: [8, 10],
  HH: [11, 13],
};

/** Where a partition key's value comes from. */
export enum PartitionValueSource {
  /** Firehose's approximate arrival time (`!{timestamp:…}`). */
  ARRIVAL_TIME = 'ARRIVAL_TIME',
  /** A row field returned by the transform (`!{partitionKeyFromLambda:…}`). */
  RECORD_FIELD = 'RECORD_FIELD',
  /** The time in a row field, parsed by Firehose (`!{partitionKeyFromQuery:…}`). */
  EVENT_TIME = 'EVENT_TIME',
}

/** One Hive-style partition key: `name=<expression>/` in the prefix, a Glue partition column, a projection. */
export class PartitionKey {
  /**
   * A field of Firehose's approximate arrival timestamp (UTC): `!{timestamp:<format>}`. Firehose
   * evaluates it once per S3 object, with the approximate arrival time of the OLDEST record in the
   * object, so rows that arrive shortly after an hour (day) boundary can land in the previous
   * hour's (day's) partition. Use `PartitionKey.eventTime` to partition by a time in the row.
   * @param format one of yyyy, MM, dd, HH, mm (an int key projected as an integer range)
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
   */
  public static timestamp(name: string, format: string, options: TimestampPartitionKeyOptions = {}): PartitionKey {
    const field = TIME_FIELDS[format];
    if (!field) {
      throw new Error(
        `format of partition key '${name}' must be one of ${Object.keys(TIME_FIELDS).join(', ')}. Received '${format}'`,
      );
    }
    const min = options.min ?? field.min;
    const max = options.max ?? field.max;
    for (const [bound, value] of [
      ['min', min],
      ['max', max],
    ] as const) {
      // A projected value the timestamp never takes would list partitions that cannot exist.
      if (!Token.isUnresolved(value) && !(Number.isInteger(value) && value >= field.lowest && value <= field.highest)) {
        throw new Error(
          `${bound} of partition key '${name}' (${format}) must be an integer between ${field.lowest} and ${field.highest}. Received ${value}`,
        );
      }
    }
    if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && min > max) {
      throw new Error(`min of partition key '${name}' must not exceed max. Received min ${min} and max ${max}`);
    }
    return new PartitionKey(
      name,
      `!{timestamp:${format}}`,
      'int',
      glue.PartitionProjectionConfiguration.integer({ min, max, digits: field.digits }),
      PartitionValueSource.ARRIVAL_TIME,
      undefined,
      undefined,
      `!{timestamp:${format}}`,
    );
  }

  /**
   * A field of the time written in the row (event time), e.g. the hour of `event_time`:
   * `!{partitionKeyFromQuery:<name>}`, extracted by Firehose's inline JSON parsing (jq) from the
   * transformed row, so every row lands in the partition of its own time. Turns dynamic
   * partitioning on. The row field must hold UTC text that starts `yyyy-MM-dd` (`date`) or
   * `yyyy-MM-dd HH` / `yyyy-MM-ddTHH` (`timestamp`, as the runtime toolkit writes TIMESTAMP
   * columns); a row without it is partitioned by the time Firehose processes it.
   * @param field the row field (a column of the schema) holding the time
   * @param format one of yyyy, MM, dd, HH (an int key projected as an integer range)
   * @see https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning-partitioning-keys.html
   */
  public static eventTime(
    name: string,
    field: string,
    format: string,
    options: TimestampPartitionKeyOptions = {},
  ): PartitionKey {
    const slice = EVENT_TIME_SLICES[format];
    if (!slice) {
      throw new Error(
        `format of event-time partition key '${name}' must be one of ${Object.keys(EVENT_TIME_SLICES).join(', ')}. Received '${format}'`,
      );
    }
    if (Token.isUnresolved(field) || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(field)) {
      throw new Error(
        `field of event-time partition key '${name}' must be a column name (letters, digits, '_', '.'). Received '${field}'`,
      );
    }
    const arrival = PartitionKey.timestamp(name, format, options);
    return new PartitionKey(
      name,
      `!{partitionKeyFromQuery:${name}}`,
      'int',
      arrival.projection,
      PartitionValueSource.EVENT_TIME,
      field,
      // jq 1.6 on the transformed row: the characters of the field's text, or of the processing
      // time (`now | todate`, 'yyyy-MM-ddTHH:mm:ssZ') when the row has no time.
      `(.${JSON.stringify(field)} // (now | todate))[${slice[0]}:${slice[1]}]`,
      arrival.expression,
    );
  }

  /**
   * A value taken from the transformed record (dynamic partitioning): `!{partitionKeyFromLambda:<name>}`.
   * The transform returns it in the record's metadata: the reference transform and the runtime
   * toolkit's `partitionKeyFields` take it from `field` (all rows of one record must agree).
   */
  public static fromRecordField(name: string, options: RecordFieldPartitionKeyOptions = {}): PartitionKey {
    if (options.values !== undefined && options.values.length === 0) {
      throw new Error(`values of partition key '${name}' must not be empty. Received []`);
    }
    return new PartitionKey(
      name,
      `!{partitionKeyFromLambda:${name}}`,
      'string',
      options.values
        ? glue.PartitionProjectionConfiguration.enum({ values: options.values })
        : glue.PartitionProjectionConfiguration.injected(),
      PartitionValueSource.RECORD_FIELD,
      options.field ?? name,
    );
  }

  /** Whether the value comes from the record (dynamic partitioning). */
  public readonly fromRecord: boolean;

  private constructor(
    /** The Glue partition column and the Hive key in the prefix. */
    public readonly name: string,
    /** The Firehose expression for the value, e.g. `!{timestamp:yyyy}`. */
    public readonly expression: string,
    /** The Glue type of the partition column ('int' or 'string'). */
    public readonly columnType: string,
    /** Athena partition projection for the key. */
    public readonly projection: glue.PartitionProjectionConfiguration,
    /** Where the value comes from. */
    public readonly source: PartitionValueSource,
    /** For record-field and event-time keys: the row field the value comes from. */
    public readonly field?: string,
    /** For event-time keys: the jq 1.6 expression Firehose evaluates on the transformed row. */
    public readonly query?: string,
    /**
     * The expression of this key in the error prefix, where record values are not allowed: the
     * arrival-time expression for time keys, none for record-field keys.
     */
    public readonly errorExpression?: string,
  ) {
    this.fromRecord = source !== PartitionValueSource.ARRIVAL_TIME;
    if (!Token.isUnresolved(name) && !/^[a-z_][a-z0-9_]*$/.test(name)) {
      throw new Error(`partition key name must be lowercase letters, digits and '_'. Received '${name}'`);
    }
  }
}

/** Options of the time-based partitionings. */
export interface TimePartitioningOptions {
  /** First year Athena projects. @default 2020 */
  readonly startYear?: number;
  /** Last year Athena projects. @default 2099 */
  readonly endYear?: number;
  /**
   * Keys taken from the record, after the time keys (turns dynamic partitioning on).
   * @default - none
   */
  readonly recordFields?: PartitionKey[];
  /**
   * Partition by the time written in the row instead of Firehose's arrival time: the row field
   * (a `timestamp` or `date` column of the schema, UTC) the year/month/day/hour come from. Turns
   * dynamic partitioning on (`PartitionKey.eventTime`); rows are then split per source line
   * before the transform, so each row goes to the partition of its own time.
   * @default - the approximate arrival time of the oldest record of each S3 object
   */
  readonly eventTimeField?: string;
}

/**
 * How the data is laid out, declared once: it yields the Firehose data prefix, the Glue partition
 * keys and the Athena partition projection (with `storage.location.template`), so that new hours
 * are queryable with no crawler.
 */
export class Partitioning {
  /**
   * `year=/month=/day=/hour=` from Firehose's arrival time (UTC), or from `eventTimeField`. The
   * arrival time is that of the OLDEST record of each S3 object, so rows that arrive shortly after
   * an hour boundary land in the previous hour's partition; `eventTimeField` files each row under
   * its own time instead.
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
   */
  public static hourly(options: TimePartitioningOptions = {}): Partitioning {
    return new Partitioning(
      [...Partitioning.dateKeys(options), Partitioning.timeKey(options, 'hour', 'HH')],
      options.recordFields,
    );
  }

  /** `year=/month=/day=` from the arrival time (UTC; see `hourly`), or from `eventTimeField`. */
  public static daily(options: TimePartitioningOptions = {}): Partitioning {
    return new Partitioning(Partitioning.dateKeys(options), options.recordFields);
  }

  /** Any keys, in prefix order. */
  public static custom(keys: PartitionKey[]): Partitioning {
    return new Partitioning(keys);
  }

  private static dateKeys(options: TimePartitioningOptions): PartitionKey[] {
    // Checked under their own names (the year key's checks would name 'min'/'max' of the key).
    checkNumber('startYear', options.startYear, { min: 1970, max: 9999, integer: true });
    checkNumber('endYear', options.endYear, { min: 1970, max: 9999, integer: true });
    const start = options.startYear ?? 2020;
    const end = options.endYear ?? 2099;
    if (bothResolved(start, end) && start > end) {
      throw new Error(
        `startYear must not exceed endYear (2099 when unset). Received startYear ${start} and endYear ${end}`,
      );
    }
    return [
      Partitioning.timeKey(options, 'year', 'yyyy', { min: options.startYear, max: options.endYear }),
      Partitioning.timeKey(options, 'month', 'MM'),
      Partitioning.timeKey(options, 'day', 'dd'),
    ];
  }

  private static timeKey(
    options: TimePartitioningOptions,
    name: string,
    format: string,
    range: TimestampPartitionKeyOptions = {},
  ): PartitionKey {
    return options.eventTimeField === undefined
      ? PartitionKey.timestamp(name, format, range)
      : PartitionKey.eventTime(name, options.eventTimeField, format, range);
  }

  /** The keys in prefix order. */
  public readonly keys: PartitionKey[];

  private constructor(timeKeys: PartitionKey[], recordFields: PartitionKey[] = []) {
    this.keys = [...timeKeys, ...recordFields];
    if (this.keys.length === 0) throw new Error('partitioning must have at least one key. Received 0 keys');
    const names = new Set<string>();
    for (const key of this.keys) {
      if (names.has(key.name)) throw new Error(`partition key names must be unique. Received '${key.name}' twice`);
      names.add(key.name);
    }
  }

  /** Whether a key comes from the record, which needs Firehose dynamic partitioning. */
  public get isDynamic(): boolean {
    return this.keys.some((k) => k.fromRecord);
  }

  /** Whether a key comes from the time in the row (Firehose inline parsing). */
  public get isEventTime(): boolean {
    return this.keys.some((k) => k.source === PartitionValueSource.EVENT_TIME);
  }

  /** `year=!{timestamp:yyyy}/month=!{timestamp:MM}/…/`: what follows the data root in the prefix. */
  public get prefixLayout(): string {
    return this.keys.map((k) => `${k.name}=${k.expression}/`).join('');
  }

  /**
   * The time keys only, for the error prefix: record values are not allowed there, so event-time
   * keys take the arrival time in it.
   */
  public get errorPrefixLayout(): string {
    return this.keys
      .filter((k) => k.errorExpression !== undefined)
      .map((k) => `${k.name}=${k.errorExpression}/`)
      .join('');
  }

  /** The Glue partition columns. */
  public get glueColumns(): glue.Column[] {
    return this.keys.map((k) => ({
      name: k.name,
      type: k.columnType === 'int' ? glue.Schema.INTEGER : glue.Schema.STRING,
    }));
  }

  /** The Athena projection per key (for `glue.S3Table`'s `partitionProjection`). */
  public get projection(): glue.PartitionProjection {
    return Object.fromEntries(this.keys.map((k) => [k.name, k.projection]));
  }

  /** `storage.location.template` for a table whose data root is `location` (ends with '/'). */
  public locationTemplate(location: string): string {
    return `${location}${this.keys.map((k) => `${k.name}=\${${k.name}}/`).join('')}`;
  }
}
