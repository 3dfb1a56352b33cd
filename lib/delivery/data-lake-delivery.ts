import { Construct } from 'constructs';
import { Duration, RemovalPolicy, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { OutputPrefixes } from './output-prefixes';
import { PartitionValueSource, Partitioning } from './partitioning';
import { withoutUnusedCidrMapping } from './private/firehose-cidr-mapping';
import { FirehoseServiceRole, addFirehoseTrustConditions } from './private/firehose-role';
import { type PrefixExpiration, createLakeBucket } from './private/lake-bucket';
import { createReferenceTransform } from './private/reference-transform';
import { TransformProcessor } from './private/transform-processor';
import { checkEventTimeField, glueDataFormat, roundMB, tableRoot } from './private/validation';
import { TableSchema } from './table-schema';
import { acknowledge, acknowledgeBucketObjectsGrant } from '../private/acknowledge';
import { NAME_RULES, checkDurationRange, checkName, checkSizeRange } from '../private/validation';

/** The format of the files Firehose writes. */
export enum OutputFormat {
  /** Apache Parquet (Snappy), converted by Firehose through the Glue table's schema. */
  PARQUET = 'PARQUET',
  /** Apache ORC (Snappy), converted by Firehose through the Glue table's schema. */
  ORC = 'ORC',
  /** Newline-delimited JSON as the transform writes it: no conversion, compression allowed. */
  JSON = 'JSON',
}

/** The SerDe Firehose reads the transform's JSON with before converting it. */
export enum JsonDeserializer {
  /** OpenX JSON SerDe: case-insensitive keys; maps '.' in keys to '_'. */
  OPENX = 'OPENX',
  /** Hive (HCatalog) JSON SerDe: no dotted keys. */
  HIVE = 'HIVE',
}

/** Everything of DataLakeDeliveryProps but the stream (for constructs that supply the stream). */
export interface DataLakeDeliveryOptions {
  /**
   * The table's columns. With a schema the construct creates a Glue database and table and, by
   * default, Firehose converts each record (a JSON object with these columns, as the producer or
   * `transform` writes it) to Parquet through that table. Without one there is no Glue table and
   * the records are delivered as they arrive, as GZIP-compressed JSON lines.
   * @default - TableSchema.WEB_LOG with `referenceTransform`; otherwise no schema (no Glue table, no conversion)
   */
  readonly schema?: TableSchema;
  /** The partition layout. @default Partitioning.hourly() */
  readonly partitioning?: Partitioning;
  /**
   * The bucket for data/, errors/ (and raw/ unless `backupBucket` is given).
   * @default - a new bucket: SSE-S3 (or SSE-KMS with `bucketEncryptionKey`), SSL only, public access blocked, versioned, access logs, retained on delete
   */
  readonly bucket?: s3.IBucket;
  /**
   * A customer-managed KMS key to encrypt the bucket the construct creates with (SSE-KMS, S3 Bucket
   * Keys on); not with `bucket`. The Firehose role gets kms:Decrypt and kms:GenerateDataKey on it
   * through S3 for that bucket only, as the Firehose guide's S3 policy lists them; readers (Athena,
   * your jobs) need kms:Decrypt on it. Its server access log bucket stays SSE-S3: S3 supports no
   * other default encryption on a log destination bucket.
   * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3
   * @default - SSE-S3 (S3-managed keys)
   */
  readonly bucketEncryptionKey?: kms.IKey;
  /** The bucket for the source record backup. @default - `bucket`, under raw/ */
  readonly backupBucket?: s3.IBucket;
  /**
   * Move the raw/ backup to S3 Glacier Flexible Retrieval after this long. Only when this
   * construct creates the bucket holding raw/ (neither `bucket` nor `backupBucket` given).
   * @default Duration.days(30)
   */
  readonly rawBackupGlacierTransitionAfter?: Duration;
  /**
   * Expire the data files (the objects under the table location, e.g. `data/`) this long after
   * they are written: a whole number of days, at least 1 (S3 lifecycle `ExpirationInDays`). Only
   * when this construct creates `bucket`. With versioning, an expired file stays recoverable as a
   * noncurrent version for 30 more days.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html
   * @default - the data never expires: it is the lake's content
   */
  readonly dataExpiration?: Duration;
  /**
   * Expire the objects under the fixed part of `errorOutputPrefix` (by default `errors/`) this
   * long after they are written: a whole number of days, at least 1. Only when this construct
   * creates `bucket`. By default no rule is added when the error prefix has no fixed folder of its
   * own (it starts with an expression, or is a prefix of the data or `raw/` prefix), as it would
   * also expire those.
   * @default Duration.days(90)
   */
  readonly errorExpiration?: Duration;
  /**
   * The Firehose transform: it must write newline-delimited JSON rows of `schema` (see the runtime
   * toolkit's `transformFirehoseRecords`). Not with `referenceTransform`.
   * @default - no transform: records are delivered (or converted) as the producers wrote them
   */
  readonly transform?: lambda.IFunction;
  /**
   * Deploy the reference Apache web-log transform (Apache access and error lines to
   * `TableSchema.WEB_LOG` rows) as the Firehose transform. Not with `transform`; `schema` must be
   * `TableSchema.WEB_LOG` (its default then).
   * @default false
   */
  readonly referenceTransform?: boolean;
  /** An existing Glue database, for the table of `schema`. @default - a new database when there is a schema */
  readonly database?: glue.IDatabase;
  /**
   * Name of the new Glue database: 1 to 255 characters of a-z, 0-9 and '_' (what Athena reads);
   * not with `database`; needs `schema`.
   * @default - generated
   */
  readonly databaseName?: string;
  /**
   * Name of the Glue table: 1 to 255 characters of a-z, 0-9 and '_' (what Athena reads); needs `schema`.
   * @default - generated
   */
  readonly tableName?: string;
  /**
   * How long Firehose buffers before writing a file: 0..900 s (60..900 s with dynamic partitioning).
   * @default Duration.seconds(300)
   */
  readonly bufferingInterval?: Duration;
  /**
   * How much Firehose buffers before writing a file, in whole MiB: 64..128 MiB with Parquet/ORC (or
   * dynamic partitioning), 1..128 MiB with JSON.
   * @default - Size.mebibytes(128) with Parquet/ORC or dynamic partitioning, Size.mebibytes(5) with JSON
   */
  readonly bufferingSize?: Size;
  /**
   * The format of the data files. PARQUET and ORC need a `schema` (Firehose converts through its
   * Glue table).
   * @default - OutputFormat.PARQUET with a schema, OutputFormat.JSON without
   */
  readonly outputFormat?: OutputFormat;
  /** @default JsonDeserializer.OPENX */
  readonly jsonDeserializer?: JsonDeserializer;
  /**
   * File compression, for OutputFormat.JSON only (Parquet and ORC files are Snappy-compressed inside).
   * Firehose appends the extension (`.gz`), which Athena and DuckDB read by.
   * @default - Compression.GZIP with OutputFormat.JSON
   */
  readonly compression?: firehose.Compression;
  /**
   * The Firehose data prefix (a literal, at most 1,024 characters). It must end with the
   * partitioning's layout; what comes before it is the table's location.
   * @default - 'data/' + the layout, e.g. data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/
   */
  readonly dataOutputPrefix?: string;
  /**
   * The Firehose error prefix, at most 1,024 characters. Use '' for none (then the data prefix may
   * not use expressions).
   * @default - 'errors/!{firehose:error-output-type}/' + the time keys of the layout
   */
  readonly errorOutputPrefix?: string;
  /**
   * How much Firehose buffers before invoking the transform: 0.2..3 MB. Keep it small enough for
   * the transformed response to fit Lambda's 6 MB (the toolkit fails the overflow, never drops it).
   * @default Size.mebibytes(1)
   */
  readonly transformBufferSize?: Size;
  /** How long Firehose buffers before invoking the transform: 0..900 s. @default Duration.seconds(60) */
  readonly transformBufferInterval?: Duration;
  /** Delivery error log group. @default - a new log group, retained for one month */
  readonly logGroup?: logs.ILogGroup;
  /** Removal policy of the buckets this construct creates. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export interface DataLakeDeliveryProps extends DataLakeDeliveryOptions {
  /** The source stream (an imported one too; give its `encryptionKey` so Firehose may decrypt). */
  readonly stream: kinesis.IStream;
}

const MAX_BUFFERING_INTERVAL_SECONDS = 900;

/**
 * Kinesis stream → Firehose → S3 under Hive-style prefixes, with an error prefix and source record
 * backup. Without a schema the records land as GZIP-compressed JSON lines; with a schema Firehose
 * converts them to Parquet through a Glue table with partition projection. An optional Lambda
 * transform (yours, or the reference web-log one) rewrites records first.
 */
export class DataLakeDelivery extends Construct {
  /** The Firehose delivery stream (id 'Resource'). */
  public readonly deliveryStream: firehose.DeliveryStream;
  /**
   * The role Firehose delivers with (S3, logs, Glue, the transform). Its S3 grants are the actions
   * Firehose documents, without delete.
   */
  public readonly destinationRole: iam.IRole;
  /** The bucket of data/ and errors/ (yours, or the one created). */
  public readonly bucket: s3.IBucket;
  /** The bucket of the source record backup (`bucket` unless you gave `backupBucket`). */
  public readonly backupBucket: s3.IBucket;
  /** The Glue database of the table, when there is a schema. */
  public readonly database?: glue.IDatabase;
  /** The Glue table, when there is a schema: the schema Firehose converts with, and what Athena queries. */
  public readonly table?: glue.S3Table;
  /** The Firehose transform (yours, or the reference web-log transform), when there is one. */
  public readonly transformFunction?: lambda.IFunction;
  /** Where Firehose logs delivery and backup errors. */
  public readonly logGroup: logs.ILogGroup;
  /** The table's columns, when there is a schema. */
  public readonly schema?: TableSchema;
  /** The partition layout of the prefixes, the Glue keys and the projection. */
  public readonly partitioning: Partitioning;
  /** The format of the data files. */
  public readonly outputFormat: OutputFormat;
  /** Whether a Lambda transform processes the records (`transform` or `referenceTransform`). */
  public readonly lambdaProcessing: boolean;
  /** 'Parquet' or 'ORC' when Firehose converts the records' JSON; undefined for JSON output. */
  public readonly conversionFormat?: string;
  /** How long Firehose buffers before writing a file. */
  public readonly bufferingInterval: Duration;
  /** How much Firehose buffers before writing a file. */
  public readonly bufferingSize: Size;
  /** The Firehose data prefix (the table location plus the partition layout). */
  public readonly dataOutputPrefix: string;
  /** The Firehose error prefix; '' for none. */
  public readonly errorOutputPrefix: string;
  /** Prefix of the source record backup in `backupBucket`. */
  public readonly backupPrefix: string = 'raw/';
  /** The table's data root, e.g. 'data/'. */
  public readonly tableLocationPrefix: string;

  constructor(scope: Construct, id: string, props: DataLakeDeliveryProps) {
    super(scope, id);
    const referenceTransform = props.referenceTransform ?? false;
    this.schema = props.schema ?? (referenceTransform ? TableSchema.WEB_LOG : undefined);
    this.partitioning = props.partitioning ?? Partitioning.hourly();
    this.outputFormat = props.outputFormat ?? (this.schema ? OutputFormat.PARQUET : OutputFormat.JSON);
    const converting = this.outputFormat !== OutputFormat.JSON;
    this.conversionFormat = converting ? (this.outputFormat === OutputFormat.ORC ? 'ORC' : 'Parquet') : undefined;
    const deserializer = props.jsonDeserializer ?? JsonDeserializer.OPENX;
    const dynamic = this.partitioning.isDynamic;

    // --- validation: every rule names the prop, the value and the allowed range ---
    if (referenceTransform && props.transform) {
      throw new Error(
        'provide transform or referenceTransform, not both. Received a transform function and referenceTransform true',
      );
    }
    if (referenceTransform && this.schema !== TableSchema.WEB_LOG) {
      throw new Error(
        'referenceTransform writes TableSchema.WEB_LOG rows only: schema must be TableSchema.WEB_LOG. Received a custom schema',
      );
    }
    if (!this.schema && converting) {
      throw new Error(
        `outputFormat ${this.outputFormat} needs a schema: Firehose converts records through the Glue table of the schema. Received outputFormat ${this.outputFormat} and no schema`,
      );
    }
    if (!this.schema) {
      const catalogProp = (['database', 'databaseName', 'tableName'] as const).find((p) => props[p] !== undefined);
      if (catalogProp) {
        throw new Error(
          `${catalogProp} needs a schema: the Glue database and table are created only for a schema. Received ${catalogProp} and no schema`,
        );
      }
    }
    const transforms = referenceTransform || props.transform !== undefined;
    for (const key of this.partitioning.keys) {
      if (key.source === PartitionValueSource.EVENT_TIME) {
        if (!this.schema) {
          throw new Error(
            `event-time partition key '${key.name}' reads field '${key.field}' of the schema's rows: eventTimeField needs a schema with that timestamp column. Received eventTimeField '${key.field}' and no schema`,
          );
        }
        checkEventTimeField(key, this.schema);
      }
      // Record-field keys are returned by the transform (!{partitionKeyFromLambda:…}).
      if (key.source === PartitionValueSource.RECORD_FIELD && !transforms) {
        throw new Error(
          `partition key '${key.name}' takes its value from the transform (!{partitionKeyFromLambda:${key.name}}): give transform or referenceTransform. Received no transform`,
        );
      }
      if (
        referenceTransform &&
        key.source === PartitionValueSource.RECORD_FIELD &&
        !this.schema!.columnNames.includes(key.field ?? '')
      ) {
        throw new Error(
          `partition key '${key.name}' takes its value from field '${key.field}', which the reference transform does not write: field must be a column of TableSchema.WEB_LOG. Received '${key.field}'`,
        );
      }
      if (this.schema?.columnNames.includes(key.name)) {
        throw new Error(
          `partition key '${key.name}' is also a column of the schema: Glue partition keys and columns must differ. Received '${key.name}'`,
        );
      }
    }
    if (deserializer === JsonDeserializer.HIVE && converting && this.schema?.hasDottedColumnNames) {
      const dotted = this.schema.columns.filter((c) => c.name.includes('.')).map((c) => c.name);
      throw new Error(
        `jsonDeserializer HIVE cannot read dotted keys; use OPENX (it maps '.' to '_'). Received column names ${dotted.join(', ')}`,
      );
    }
    if (props.compression && converting) {
      throw new Error(
        `compression can only be set with outputFormat JSON; ${this.outputFormat} files are compressed inside (Snappy). Received compression ${props.compression.value} with outputFormat ${this.outputFormat}`,
      );
    }
    // Props that only shape resources the construct creates would be ignored silently otherwise.
    if (props.rawBackupGlacierTransitionAfter && (props.bucket || props.backupBucket)) {
      throw new Error(
        `rawBackupGlacierTransitionAfter only applies when the construct creates the bucket holding raw/; add the lifecycle rule to your bucket. Received rawBackupGlacierTransitionAfter ${props.rawBackupGlacierTransitionAfter.toHumanString()} with ${props.backupBucket ? 'backupBucket' : 'bucket'}`,
      );
    }
    if (props.bucketEncryptionKey && props.bucket) {
      throw new Error(
        `bucketEncryptionKey encrypts the bucket the construct creates; set the encryption of your bucket instead. Received bucketEncryptionKey ${props.bucketEncryptionKey.node.path} with bucket`,
      );
    }
    checkName('databaseName', props.databaseName, NAME_RULES.glue);
    checkName('tableName', props.tableName, NAME_RULES.glue);
    if (props.database && props.databaseName !== undefined) {
      throw new Error(
        `databaseName names the database the construct creates, not an existing one. Received databaseName '${props.databaseName}' with database`,
      );
    }
    // Firehose takes whole seconds (IntervalInSeconds, 0..900; 60..900 with dynamic partitioning).
    this.bufferingInterval = props.bufferingInterval ?? Duration.seconds(300);
    checkDurationRange('bufferingInterval', this.bufferingInterval, {
      unit: 'seconds',
      min: dynamic ? 60 : 0,
      max: MAX_BUFFERING_INTERVAL_SECONDS,
      integral: true,
      context: dynamic ? ' with dynamic partitioning' : '',
    });
    this.bufferingSize = props.bufferingSize ?? Size.mebibytes(converting || dynamic ? 128 : 5);
    // SizeInMBs is a whole number of MiB: 1-128, at least 64 with conversion or dynamic partitioning.
    checkSizeRange('bufferingSize', this.bufferingSize, {
      min: converting || dynamic ? 64 : 1,
      max: 128,
      integer: true,
      context: converting ? ` with ${this.outputFormat} conversion` : dynamic ? ' with dynamic partitioning' : '',
    });
    const transformBufferSize = props.transformBufferSize ?? Size.mebibytes(1);
    checkSizeRange('transformBufferSize', transformBufferSize, { min: 0.2, max: 3, unit: 'MB' });
    const transformBufferMB = transformBufferSize.isUnresolved()
      ? transformBufferSize.toMebibytes()
      : transformBufferSize.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    const transformInterval = props.transformBufferInterval ?? Duration.seconds(60);
    checkDurationRange('transformBufferInterval', transformInterval, {
      unit: 'seconds',
      min: 0,
      max: MAX_BUFFERING_INTERVAL_SECONDS,
      integral: true,
    });
    const transformIntervalSeconds = transformInterval.toSeconds();

    this.dataOutputPrefix = props.dataOutputPrefix ?? `data/${this.partitioning.prefixLayout}`;
    this.errorOutputPrefix =
      props.errorOutputPrefix ?? `errors/!{firehose:error-output-type}/${this.partitioning.errorPrefixLayout}`;
    checkName('dataOutputPrefix', this.dataOutputPrefix, NAME_RULES.s3Prefix);
    checkName('errorOutputPrefix', this.errorOutputPrefix, NAME_RULES.s3Prefix);
    OutputPrefixes.validate(this.dataOutputPrefix, this.errorOutputPrefix, dynamic);
    this.tableLocationPrefix = tableRoot(this.dataOutputPrefix, this.partitioning.prefixLayout);

    // --- storage ---
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const glacierAfter = props.rawBackupGlacierTransitionAfter ?? Duration.days(30);
    // An S3 lifecycle transition is a whole number of days (TransitionInDays).
    checkDurationRange('rawBackupGlacierTransitionAfter', glacierAfter, { unit: 'days', min: 0, integral: true });
    const expirations = this.expirationRules(props);
    this.bucket =
      props.bucket ??
      createLakeBucket(this, 'Bucket', {
        removalPolicy,
        rawBackupPrefix: this.backupPrefix,
        glacierAfter: props.backupBucket ? undefined : glacierAfter,
        expirations,
        encryptionKey: props.bucketEncryptionKey,
      });
    this.backupBucket = props.backupBucket ?? this.bucket;

    // --- catalog (only for a schema: a Glue table needs columns) ---
    if (this.schema) {
      this.database = props.database ?? new glue.Database(this, 'Database', { databaseName: props.databaseName });
      this.table = this.createTable(this.database, this.schema, props.tableName);
    }

    // --- transform ---
    this.transformFunction =
      props.transform ??
      (referenceTransform ? createReferenceTransform(this, 'Transform', this.partitioning) : undefined);

    this.lambdaProcessing = this.transformFunction !== undefined;

    // --- delivery ---
    this.logGroup =
      props.logGroup ??
      new logs.LogGroup(this, 'DeliveryLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    // The destination role is ours rather than the L2's: its S3 grants are the documented actions,
    // no delete (the L2 grants bucket.grantReadWrite), and its trust policy carries the documented
    // sts:ExternalId condition (see private/firehose-role.ts).
    const destinationRole = new FirehoseServiceRole(this, 'DestinationRole');
    // Before the destination binds: the grants on the buckets' KMS keys become the documented ones.
    for (const bucket of new Set([this.bucket, this.backupBucket])) destinationRole.writesToBucket(bucket);
    this.destinationRole = destinationRole;
    const destination = new firehose.S3Bucket(this.bucket, {
      role: this.destinationRole,
      dataOutputPrefix: this.dataOutputPrefix,
      errorOutputPrefix: this.errorOutputPrefix === '' ? undefined : this.errorOutputPrefix,
      bufferingInterval: this.bufferingInterval,
      bufferingSize: this.bufferingSize,
      // With conversion the L2 refuses any compression; UNCOMPRESSED is written below instead.
      compression: converting ? undefined : (props.compression ?? firehose.Compression.GZIP),
      loggingConfig: new firehose.EnableLogging(this.logGroup),
      processors: deliveryProcessors(
        this.partitioning,
        this.transformFunction
          ? new TransformProcessor(this.transformFunction, roundMB(transformBufferMB), transformIntervalSeconds)
          : undefined,
        !converting,
      ),
      dataFormatConversion: converting
        ? {
            schemaConfiguration: firehose.SchemaConfiguration.fromCfnTable(
              this.table!.node.defaultChild as glue.CfnTable,
            ),
            inputFormat:
              deserializer === JsonDeserializer.HIVE
                ? new firehose.HiveJsonInputFormat()
                : new firehose.OpenXJsonInputFormat({
                    convertDotsInJsonKeysToUnderscores: this.schema!.hasDottedColumnNames || undefined,
                  }),
            outputFormat:
              this.outputFormat === OutputFormat.ORC
                ? new firehose.OrcOutputFormat()
                : new firehose.ParquetOutputFormat(),
          }
        : undefined,
      dynamicPartitioning: dynamic ? { enabled: true } : undefined,
      s3Backup: {
        mode: firehose.BackupMode.ALL,
        bucket: this.backupBucket,
        dataOutputPrefix: this.backupPrefix,
        loggingConfig: new firehose.EnableLogging(this.logGroup),
      },
    });
    // Without aws-cdk-lib's Firehose CIDR-block mapping unless `deliveryStream.connections` is used:
    // an S3 destination never uses it, and an unused mapping is a cfn-lint warning (W7001) in the
    // user's stack (see private/firehose-cidr-mapping.ts).
    this.deliveryStream = withoutUnusedCidrMapping(
      this,
      () =>
        new firehose.DeliveryStream(this, 'Resource', {
          source: new firehose.KinesisStreamSource(props.stream),
          destination,
        }),
    );
    const sourceRole = addFirehoseTrustConditions(this.deliveryStream.grantPrincipal);
    // Firehose checks at creation that its role may read the stream ("not authorized to perform
    // kinesis:DescribeStream"). The L2 makes the delivery stream depend on the read grant, but a
    // grant on a stream that may be in another account (cross-account, or a literal ARN in an
    // environment-agnostic stack) carries only its resource-policy half, so the dependency on the
    // role's policy is lost. Depend on the source role's policy in every import mode (the role
    // itself is already a dependency through the RoleARN attribute).
    const sourcePolicy = sourceRole.node.tryFindChild('DefaultPolicy');
    if (sourcePolicy) {
      (this.deliveryStream.node.defaultChild as firehose.CfnDeliveryStream).node.addDependency(sourcePolicy);
    }
    this.acknowledgeAcceptedFindings();
    if (converting) {
      // Explicit, so that nobody "optimises" it to GZIP: Firehose rejects compression with conversion.
      (this.deliveryStream.node.defaultChild as firehose.CfnDeliveryStream).addPropertyOverride(
        'ExtendedS3DestinationConfiguration.CompressionFormat',
        'UNCOMPRESSED',
      );
    }
  }

  /**
   * The expiry rules of data/ and errors/ in the bucket the construct creates. A rule's prefix may
   * not be a prefix of another content's (raw/, data/, errors/): S3 would expire that too.
   */
  private expirationRules(props: DataLakeDeliveryOptions): PrefixExpiration[] {
    // An S3 lifecycle expiration is a whole, non-zero number of days (ExpirationInDays).
    const days = { unit: 'days', min: 1, integral: true } as const;
    checkDurationRange('dataExpiration', props.dataExpiration, days);
    checkDurationRange('errorExpiration', props.errorExpiration, days);
    for (const prop of ['dataExpiration', 'errorExpiration'] as const) {
      if (props[prop] && props.bucket) {
        throw new Error(
          `${prop} only applies when the construct creates the bucket; add the lifecycle rule to your bucket. Received ${prop} ${props[prop].toHumanString()} with bucket`,
        );
      }
    }
    if (props.bucket) return [];
    // The folder of the error prefix's literal start: 'errors/!{...}' is 'errors/', but
    // 'failed!{...}' has none ('' below), since a rule on 'failed' would expire any key starting so.
    const literalStart = this.errorOutputPrefix.split('!{')[0];
    const errorRoot = literalStart.slice(0, literalStart.lastIndexOf('/') + 1);
    const contents: Array<[string, string]> = [
      ['the data', this.tableLocationPrefix],
      ['the error', errorRoot],
      ...(props.backupBucket ? [] : [['the raw backup', this.backupPrefix] as [string, string]]),
    ];
    /** The content (other than its own) whose keys a rule on `prefix` would also expire. */
    const covered = (prefix: string, own: string) =>
      contents.find(([name, other]) => name !== own && other.startsWith(prefix));
    const rules: PrefixExpiration[] = [];
    if (props.dataExpiration) {
      const clash = covered(this.tableLocationPrefix, 'the data');
      if (clash) {
        throw new Error(
          `dataExpiration would also expire ${clash[0]} prefix '${clash[1]}', which starts with the data prefix '${this.tableLocationPrefix}'; give the data its own folder. Received dataOutputPrefix '${this.dataOutputPrefix}'`,
        );
      }
      rules.push({ id: 'ExpireData', prefix: this.tableLocationPrefix, expiration: props.dataExpiration });
    }
    // Only a literal folder at the start of the error prefix names what to expire.
    const errorClash = covered(errorRoot, 'the error');
    const noRule = Token.isUnresolved(this.errorOutputPrefix)
      ? 'errorOutputPrefix is a token'
      : errorRoot === ''
        ? `errorOutputPrefix has no literal folder before its first expression: a rule on '${literalStart}' would expire every key starting so`
        : errorClash && `a rule on '${errorRoot}' would also expire ${errorClash[0]} prefix '${errorClash[1]}'`;
    if (!noRule) {
      rules.push({ id: 'ExpireErrors', prefix: errorRoot, expiration: props.errorExpiration ?? Duration.days(90) });
    } else if (props.errorExpiration) {
      throw new Error(
        `errorExpiration cannot be applied: ${noRule}. Start errorOutputPrefix with a literal folder of its own (e.g. 'errors/'). Received errorOutputPrefix '${this.errorOutputPrefix}'`,
      );
    }
    return rules;
  }

  /** The Glue table of `schema` under the data root, its partitions found by projection. */
  private createTable(database: glue.IDatabase, schema: TableSchema, tableName?: string): glue.S3Table {
    const location = `s3://${this.bucket.bucketName}/${this.tableLocationPrefix}`;
    return new glue.S3Table(this, 'Table', {
      database,
      tableName,
      description: 'Written by Firehose (DataLakeDelivery); partitions found by projection, no crawler needed.',
      columns: schema.toGlueColumns(),
      partitionKeys: this.partitioning.glueColumns,
      dataFormat: glueDataFormat(this.outputFormat),
      storage: glue.S3TableStorage.fromBucket(this.bucket),
      s3Prefix: this.tableLocationPrefix,
      partitionProjection: this.partitioning.projection,
      // has_encrypted_data tells Athena the objects are client-side (CSE-KMS) encrypted; Firehose
      // only writes server-side encrypted objects (SSE-S3/SSE-KMS), which S3 decrypts for any
      // reader, so it is false whatever the bucket's encryption. Athena: "Create tables based on
      // encrypted datasets in Amazon S3" (creating-tables-based-on-encrypted-datasets-in-s3.html).
      hasEncryptedData: false,
      parameters: {
        'storage.location.template': this.partitioning.locationTemplate(location),
        classification: this.outputFormat.toLowerCase(),
      },
    });
  }

  /** The cdk-nag findings this design accepts, with their reasons (see docs/delivery.md). */
  private acknowledgeAcceptedFindings(): void {
    acknowledge(
      this.deliveryStream,
      'AwsSolutions-KDF1',
      'Firehose rejects server-side encryption when its source is a Kinesis stream; the records are encrypted at rest in the stream and in S3.',
    );
    for (const bucket of new Set([this.bucket, this.backupBucket])) {
      acknowledgeBucketObjectsGrant(
        this.destinationRole,
        bucket,
        '*',
        'Firehose writes objects under generated keys (prefix, time, random suffix) in this one bucket.',
      );
    }
    // Only with conversion: without it no statement on * exists, and the reason would be untrue.
    if (this.conversionFormat) {
      acknowledge(
        this.destinationRole,
        'AwsSolutions-IAM5[Resource::*]',
        "aws-cdk-lib's SchemaConfiguration grants glue:GetSchemaVersion on *: schema versions have no ARN to scope to.",
      );
    }
  }

  /** AWS/Firehose DeliveryToS3.DataFreshness: age in seconds of the oldest record not yet in S3. Maximum over 5 minutes. */
  public metricDataFreshness(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('DeliveryToS3.DataFreshness', { statistic: 'Maximum', ...props });
  }

  /** AWS/Firehose DeliveryToS3.Success: ratio of successful S3 puts (0..1). Average over 5 minutes. */
  public metricDeliveryToS3Success(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('DeliveryToS3.Success', { statistic: 'Average', ...props });
  }

  /** AWS/Firehose ExecuteProcessing.Success: ratio of successful transform invocations (0..1). Average over 5 minutes. */
  public metricExecuteProcessingSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('ExecuteProcessing.Success', { statistic: 'Average', ...props });
  }

  /** AWS/Firehose FailedConversion.Records: records that failed Parquet/ORC conversion. Sum over 5 minutes. */
  public metricFailedConversionRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('FailedConversion.Records', { statistic: 'Sum', ...props });
  }

  /** AWS/Firehose ThrottledGetRecords: throttled reads of the source stream. Sum over 5 minutes. */
  public metricThrottledGetRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('ThrottledGetRecords', { statistic: 'Sum', ...props });
  }

  /** AWS/Firehose KinesisMillisBehindLatest: how far behind the stream Firehose reads (ms). Maximum over 5 minutes. */
  public metricKinesisMillisBehindLatest(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('KinesisMillisBehindLatest', { statistic: 'Maximum', ...props });
  }
}

/**
 * The Firehose processors in the order Firehose runs them (record deaggregation, Lambda, then the
 * partition keys). Event-time keys need each transformed record to be one row, so source records
 * are first split into lines, and their values are parsed from the row by jq.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning-multirecord-deaggergation.html
 *
 * Records written as they arrive (JSON output, no transform) get a newline appended, so that each
 * object holds one record per line (JSON Lines, which Athena and DuckDB read); a transform writes
 * its own newline-delimited rows, and conversion reads concatenated objects as they are.
 * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_Processor.html (AppendDelimiterToRecord)
 */
function deliveryProcessors(
  partitioning: Partitioning,
  transform: firehose.IDataProcessor | undefined,
  jsonOutput: boolean,
): firehose.IDataProcessor[] {
  const eventTimeKeys = partitioning.keys.filter((k) => k.source === PartitionValueSource.EVENT_TIME);
  const processors: firehose.IDataProcessor[] = [];
  if (eventTimeKeys.length > 0) processors.push(firehose.RecordDeAggregationProcessor.delimited('\n'));
  if (transform) processors.push(transform);
  if (eventTimeKeys.length > 0) {
    processors.push(
      firehose.MetadataExtractionProcessor.jq16(Object.fromEntries(eventTimeKeys.map((k) => [k.name, k.query!]))),
    );
  }
  if (!transform && jsonOutput) processors.push(new firehose.AppendDelimiterToRecordProcessor());
  return processors;
}
