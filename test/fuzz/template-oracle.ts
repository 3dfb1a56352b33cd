/**
 * A fast structural check of a synthesized template, for every template the fuzz test accepts
 * (cfn-lint runs once, over a sample): no value CloudFormation would reject or misread, and the
 * numeric and name properties our constructs write within the ranges the AWS API references give.
 */

type Json = unknown;

/** Values that are never valid in a template we write: what NaN, Infinity and undefined become. */
const SUSPICIOUS_TEXT = /\bNaN\b|Infinity|\bundefined\b|\[object Object\]/;

/** Every path in `value` holding null/undefined, a non-finite number or a NaN/Infinity/undefined text. */
export function badValues(value: Json, at = ''): string[] {
  if (value === null || value === undefined) return [`${at}: ${value}`];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${at}: ${value}`];
  if (typeof value === 'string') return SUSPICIOUS_TEXT.test(value) ? [`${at}: '${value.slice(0, 120)}'`] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => badValues(v, `${at}/${i}`));
  if (typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => badValues(v, `${at}/${k}`));
  return [];
}

interface IntRange {
  readonly min: number;
  readonly max?: number;
  /** A set of allowed values instead of a range. */
  readonly oneOf?: readonly number[];
  /** Other allowed values besides the range (e.g. -1). */
  readonly also?: readonly number[];
  /** Whole numbers only. @default true */
  readonly integer?: boolean;
}

/** A literal number (or a numeric string, as Firehose processor parameters are) outside `range`, or undefined. */
function outOfRange(value: Json, range: IntRange): string | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^-?[\d.]+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number') return undefined; // a token: Ref, Fn::GetAtt...
  if (range.also?.includes(n)) return undefined;
  if (range.oneOf) return range.oneOf.includes(n) ? undefined : `${n} is not one of ${range.oneOf.join(', ')}`;
  const integer = range.integer ?? true;
  if ((integer && !Number.isInteger(n)) || n < range.min || (range.max !== undefined && n > range.max)) {
    return `${n} is outside ${range.min}..${range.max ?? '∞'}${integer ? ' (integer)' : ''}`;
  }
  return undefined;
}

interface NameRule {
  readonly pattern: RegExp;
  readonly maxLength: number;
}

function badName(value: Json, rule: NameRule): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length > rule.maxLength)
    return `'${value.slice(0, 40)}…' is ${value.length} characters (max ${rule.maxLength})`;
  return rule.pattern.test(value) ? undefined : `'${value}' does not match ${rule.pattern}`;
}

/** @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const get = (obj: Json, ...keys: string[]): Json =>
  keys.reduce<Json>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, Json>)[k] : undefined), obj);

type Check = (props: Record<string, Json>) => Array<string | undefined>;

/**
 * Per resource type, the properties our constructs set from props, with the range its AWS
 * reference gives. Sources, per type:
 * - Kinesis: CreateStream, IncreaseStreamRetentionPeriod, RegisterStreamConsumer (API reference)
 * - Lambda: CreateFunction (MemorySize 128-10240, Timeout 1-900), CreateEventSourceMapping,
 *   PutFunctionEventInvokeConfig
 * - S3: LifecycleRule, LifecycleExpiration, NoncurrentVersionExpiration, Transition (API reference)
 * - Firehose: BufferingHints, ExtendedS3DestinationConfiguration (Prefix 0-1024), ProcessorParameter
 *   (BufferSizeInMBs 0.2-3, BufferIntervalInSeconds 0-900)
 * - CloudWatch: PutMetricAlarm (EvaluationPeriods ≥ 1, DatapointsToAlarm ≤ EvaluationPeriods,
 *   Period 10/20/30 or a multiple of 60, Period × EvaluationPeriods ≤ 1 day below 1 h periods
 *   else 7 days), PutDashboard (name 1-255 of A-Za-z0-9_-)
 * - Glue: DatabaseInput/TableInput Name 1-255; Athena needs lowercase names of a-z0-9_
 *   (athena/latest/ug/tables-databases-columns-names.html)
 * - EventBridge: ScheduleExpression rate(value unit), value a positive integer
 */
const CHECKS: Record<string, Check> = {
  'AWS::Kinesis::Stream': (p) => [
    outOfRange(p.ShardCount, { min: 1, max: 10_000 }),
    outOfRange(p.RetentionPeriodHours, { min: 24, max: 8760 }),
    badName(p.Name, { pattern: /^[a-zA-Z0-9_.-]+$/, maxLength: 128 }),
  ],
  'AWS::Kinesis::StreamConsumer': (p) => [badName(p.ConsumerName, { pattern: /^[a-zA-Z0-9_.-]+$/, maxLength: 128 })],
  'AWS::Lambda::Function': (p) => [
    outOfRange(p.MemorySize, { min: 128, max: 10_240 }),
    outOfRange(p.Timeout, { min: 1, max: 900 }),
    outOfRange(p.ReservedConcurrentExecutions, { min: 0 }),
  ],
  'AWS::Lambda::EventSourceMapping': (p) => [
    outOfRange(p.BatchSize, { min: 1, max: 10_000 }),
    outOfRange(p.MaximumBatchingWindowInSeconds, { min: 0, max: 300 }),
    outOfRange(p.ParallelizationFactor, { min: 1, max: 10 }),
    outOfRange(p.MaximumRetryAttempts, { min: -1, max: 10_000 }),
    outOfRange(p.MaximumRecordAgeInSeconds, { min: 60, max: 604_800, also: [-1] }),
    outOfRange(p.StartingPositionTimestamp, { min: 0, integer: false }),
  ],
  'AWS::Lambda::EventInvokeConfig': (p) => [
    outOfRange(p.MaximumEventAgeInSeconds, { min: 60, max: 21_600 }),
    outOfRange(p.MaximumRetryAttempts, { min: 0, max: 2 }),
  ],
  'AWS::Logs::LogGroup': (p) => [outOfRange(p.RetentionInDays, { min: 1, oneOf: LOG_RETENTION_DAYS })],
  'AWS::S3::Bucket': (p) =>
    ((get(p, 'LifecycleConfiguration', 'Rules') as Array<Record<string, Json>> | undefined) ?? []).flatMap((r) => [
      outOfRange(r.ExpirationInDays, { min: 1 }),
      outOfRange(get(r, 'NoncurrentVersionExpiration', 'NoncurrentDays'), { min: 1 }),
      outOfRange(get(r, 'AbortIncompleteMultipartUpload', 'DaysAfterInitiation'), { min: 1 }),
      ...((r.Transitions as Array<Record<string, Json>> | undefined) ?? []).map((t) =>
        outOfRange(t.TransitionInDays, { min: 0 }),
      ),
      badName(r.Prefix, { pattern: /^[\s\S]*$/, maxLength: 1024 }),
    ]),
  'AWS::KinesisFirehose::DeliveryStream': (p) => {
    const s3 = get(p, 'ExtendedS3DestinationConfiguration') as Record<string, Json> | undefined;
    if (!s3) return [];
    const processors = (get(s3, 'ProcessingConfiguration', 'Processors') as Array<Record<string, Json>>) ?? [];
    const parameters = processors.flatMap((x) => (x.Parameters as Array<Record<string, Json>>) ?? []);
    const param = (name: string) => parameters.find((q) => q.ParameterName === name)?.ParameterValue;
    const prefix = { pattern: /^[\s\S]*$/, maxLength: 1024 };
    return [
      outOfRange(get(s3, 'BufferingHints', 'IntervalInSeconds'), { min: 0, max: 900 }),
      outOfRange(get(s3, 'BufferingHints', 'SizeInMBs'), { min: 1, max: 128 }),
      outOfRange(param('BufferSizeInMBs'), { min: 0.2, max: 3, integer: false }),
      outOfRange(param('BufferIntervalInSeconds'), { min: 0, max: 900 }),
      badName(s3.Prefix, prefix),
      badName(s3.ErrorOutputPrefix, prefix),
      badName(get(s3, 'S3BackupConfiguration', 'Prefix'), prefix),
      badName(p.DeliveryStreamName, { pattern: /^[a-zA-Z0-9_.-]+$/, maxLength: 64 }),
    ];
  },
  'AWS::Glue::Database': (p) => [badName(get(p, 'DatabaseInput', 'Name'), { pattern: /^[a-z0-9_]+$/, maxLength: 255 })],
  'AWS::Glue::Table': (p) => [badName(get(p, 'TableInput', 'Name'), { pattern: /^[a-z0-9_]+$/, maxLength: 255 })],
  'AWS::CloudWatch::Alarm': (p) => {
    const periods = p.EvaluationPeriods;
    const period = p.Period;
    const problems = [
      outOfRange(p.Threshold, { min: -Number.MAX_VALUE, integer: false }),
      outOfRange(periods, { min: 1 }),
      outOfRange(p.DatapointsToAlarm, { min: 1, max: typeof periods === 'number' ? periods : undefined }),
      outOfRange(period, { min: 10 }),
    ];
    if (typeof period === 'number' && ![10, 20, 30].includes(period) && period % 60 !== 0) {
      problems.push(`Period ${period} is not 10, 20, 30 or a multiple of 60`);
    }
    if (typeof period === 'number' && typeof periods === 'number') {
      const limit = period < 3600 ? 86_400 : 604_800;
      if (period * periods > limit) problems.push(`Period × EvaluationPeriods = ${period * periods} > ${limit}`);
    }
    return problems;
  },
  'AWS::CloudWatch::Dashboard': (p) => [
    badName(p.DashboardName, { pattern: /^[A-Za-z0-9_-]+$/, maxLength: 255 }),
    // A NaN in a widget becomes null in the dashboard's JSON body.
    JSON.stringify(p.DashboardBody ?? '').includes(':null') ? 'DashboardBody holds a null value' : undefined,
  ],
  'AWS::Events::Rule': (p) => {
    const rate =
      typeof p.ScheduleExpression === 'string'
        ? /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(p.ScheduleExpression)
        : null;
    if (typeof p.ScheduleExpression !== 'string' || p.ScheduleExpression.startsWith('cron(')) return [];
    return rate && Number(rate[1]) > 0
      ? []
      : [`ScheduleExpression '${p.ScheduleExpression}' is not rate(<positive integer> <unit>)`];
  },
};

/** Every problem of a template: bad values anywhere, and out-of-range properties of known resource types. */
export function templateProblems(template: Record<string, Json>): string[] {
  const problems = badValues(template.Resources ?? {}, 'Resources');
  for (const [id, resource] of Object.entries(
    (template.Resources ?? {}) as Record<string, { Type: string; Properties?: Record<string, Json> }>,
  )) {
    const check = CHECKS[resource.Type];
    if (!check) continue;
    for (const problem of check(resource.Properties ?? {})) {
      if (problem) problems.push(`${id} (${resource.Type}): ${problem}`);
    }
  }
  problems.push(...sqsVisibilityProblems(template.Resources ?? {}));
  return problems;
}

/**
 * Lambda rejects an SQS event source whose queue's visibility timeout (30 s by default) is below
 * the function's timeout (3 s by default).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 */
function sqsVisibilityProblems(resources: Json): string[] {
  const all = resources as Record<string, { Type: string; Properties?: Record<string, Json> }>;
  const problems: string[] = [];
  for (const [id, r] of Object.entries(all)) {
    if (r.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const queueId = (get(r.Properties, 'EventSourceArn', 'Fn::GetAtt') as string[] | undefined)?.[0];
    const functionId = get(r.Properties, 'FunctionName', 'Ref') as string | undefined;
    const queue = queueId ? all[queueId] : undefined;
    const fn = functionId ? all[functionId] : undefined;
    if (queue?.Type !== 'AWS::SQS::Queue' || fn?.Type !== 'AWS::Lambda::Function') continue;
    const visibility = queue.Properties?.VisibilityTimeout ?? 30;
    const timeout = fn.Properties?.Timeout ?? 3;
    if (typeof visibility === 'number' && typeof timeout === 'number' && visibility < timeout) {
      problems.push(`${id}: queue ${queueId} visibility timeout ${visibility} s < function timeout ${timeout} s`);
    }
  }
  return problems;
}
