/**
 * Walks every AWS::CloudWatch::Alarm of a synthesized template and lists what is wrong with it:
 * dimensions that do not identify a resource of the template, a missing action, TreatMissingData
 * left to chance, a threshold outside its metric's unit range. Returns problems instead of
 * asserting so that a test can also prove it catches a bad alarm.
 */
import type { Template } from 'aws-cdk-lib/assertions';

interface UnitRule {
  readonly unit: string;
  readonly statistic: string;
  /** The dimension names that identify the resource, each with the resource type it must reference. */
  readonly dimensions: Record<string, string>;
  /** Other dimension sets that identify the resource as well. */
  readonly alternativeDimensions?: Record<string, string>[];
  readonly accepts: (threshold: number) => boolean;
}

export interface WalkLimits {
  /** Iterator ages and lags must stay below this (the retention period). @default 24 h */
  readonly retentionMillis?: number;
  /**
   * Age thresholds below this are taken for a unit mistake (seconds written into a millisecond
   * metric). Lower it only for configurations that ask for it, e.g. a 60 s maxRecordAge (30 s default).
   * @default 60000
   */
  readonly minAgeMillis?: number;
  /** Freshness must be above this (the buffering interval). @default 300 */
  readonly bufferingIntervalSeconds?: number;
}

const MINUTE_MS = 60_000;
const isCount = (t: number): boolean => Number.isInteger(t) && t >= 1;

function rules(limits: WalkLimits): Record<string, UnitRule> {
  const retention = limits.retentionMillis ?? 24 * 3600 * 1000;
  const buffer = limits.bufferingIntervalSeconds ?? 300;
  // A millisecond threshold below one minute is most likely a unit mistake (43,200 meant as 12 h).
  const minAge = limits.minAgeMillis ?? MINUTE_MS;
  const millis = (t: number): boolean => t >= minAge && t < retention;
  const stream = { StreamName: 'AWS::Kinesis::Stream' };
  const fn = { FunctionName: 'AWS::Lambda::Function' };
  const firehose = { DeliveryStreamName: 'AWS::KinesisFirehose::DeliveryStream' };
  return {
    'AWS/Kinesis GetRecords.IteratorAgeMilliseconds': {
      unit: 'ms',
      statistic: 'Maximum',
      dimensions: stream,
      accepts: millis,
    },
    'AWS/Kinesis WriteProvisionedThroughputExceeded': {
      unit: 'records',
      statistic: 'Sum',
      dimensions: stream,
      accepts: isCount,
    },
    'AWS/Kinesis ReadProvisionedThroughputExceeded': {
      unit: 'calls',
      statistic: 'Sum',
      dimensions: stream,
      accepts: isCount,
    },
    'AWS/Kinesis SubscribeToShardEvent.MillisBehindLatest': {
      unit: 'ms',
      statistic: 'Maximum',
      dimensions: { ...stream, ConsumerName: 'AWS::Kinesis::StreamConsumer' },
      accepts: millis,
    },
    'AWS/Lambda IteratorAge': { unit: 'ms', statistic: 'Maximum', dimensions: fn, accepts: millis },
    'AWS/Lambda Errors': { unit: 'invocations', statistic: 'Sum', dimensions: fn, accepts: isCount },
    'AWS/Lambda Throttles': { unit: 'invocations', statistic: 'Sum', dimensions: fn, accepts: isCount },
    'AWS/Lambda OnFailureDestinationDeliveredEventCount': {
      unit: 'records',
      statistic: 'Sum',
      // Published per event source mapping, or per function when aggregated.
      dimensions: { EventSourceMappingUUID: 'AWS::Lambda::EventSourceMapping' },
      accepts: isCount,
    },
    'AWS/Lambda DroppedEventCount': {
      unit: 'records',
      statistic: 'Sum',
      dimensions: { EventSourceMappingUUID: 'AWS::Lambda::EventSourceMapping' },
      accepts: isCount,
    },
    'AWS/Lambda DestinationDeliveryFailures': {
      unit: 'delivery attempts',
      statistic: 'Sum',
      dimensions: fn,
      accepts: isCount,
    },
    'AWS/Firehose DeliveryToS3.DataFreshness': {
      unit: 's',
      statistic: 'Maximum',
      dimensions: firehose,
      accepts: (t) => t > buffer && t <= 24 * 3600,
    },
    'AWS/Firehose DeliveryToS3.Success': {
      unit: 'ratio',
      statistic: 'Average',
      dimensions: firehose,
      accepts: (t) => t > 0 && t <= 1,
    },
    'AWS/Firehose ExecuteProcessing.Success': {
      unit: 'ratio',
      statistic: 'Average',
      dimensions: firehose,
      accepts: (t) => t > 0 && t <= 1,
    },
    'AWS/Firehose FailedConversion.Records': {
      unit: 'records',
      statistic: 'Sum',
      dimensions: firehose,
      accepts: isCount,
    },
    'AWS/Firehose KinesisMillisBehindLatest': {
      unit: 'ms',
      statistic: 'Maximum',
      dimensions: firehose,
      accepts: millis,
    },
  };
}

/** Custom metrics (quarantine, scaler) are matched by metric name only; their namespace is the emitter's. */
function customRule(metricName: string): UnitRule | undefined {
  const count = (dimensions: Record<string, string>, statistic: string): UnitRule => ({
    unit: 'count',
    statistic,
    dimensions,
    accepts: isCount,
  });
  if (metricName === 'RecordsQuarantined') {
    // Powertools EMF metrics carry the service name the construct chose (a literal, not a reference).
    return {
      ...count({ FunctionName: 'AWS::Lambda::Function' }, 'Sum'),
      alternativeDimensions: [{ service: LITERAL }],
    };
  }
  if (metricName === 'ThrottledAtMaxShards') return count({ StreamName: 'AWS::Kinesis::Stream' }, 'Maximum');
  return undefined;
}

/** A dimension whose value is a non-empty literal the construct chose, e.g. a Powertools service name. */
const LITERAL = 'literal';

function dimensionProblems(set: Record<string, string>, dims: Map<string, unknown>, resources: Resources): string[] {
  const problems: string[] = [];
  for (const [name, type] of Object.entries(set)) {
    if (!dims.has(name)) {
      problems.push(`dimension ${name} missing: the alarm watches nothing`);
      continue;
    }
    const value = dims.get(name);
    if (type === LITERAL) {
      if (typeof value !== 'string' || value.length === 0)
        problems.push(`dimension ${name} is not a name: ${JSON.stringify(value)}`);
      continue;
    }
    const target = referencedId(value);
    if (target === undefined || resources[target]?.Type !== type) {
      problems.push(`dimension ${name} does not resolve to a ${type} of this template: ${JSON.stringify(value)}`);
    }
  }
  return problems;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The logical id a dimension value refers to: { Ref } or { Fn::GetAtt: [id, attr] }. */
function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

function referenceList(actions: unknown): string[] {
  return Array.isArray(actions) ? actions.map(referencedId).filter((id): id is string => id !== undefined) : [];
}

export function walkAlarms(template: Template, limits: WalkLimits = {}): { count: number; problems: string[] } {
  const resources = template.toJSON().Resources as Resources;
  const topics = new Set(Object.keys(resources).filter((id) => resources[id].Type === 'AWS::SNS::Topic'));
  const table = rules(limits);
  const problems: string[] = [];
  const alarmIds = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::CloudWatch::Alarm');
  for (const id of alarmIds) {
    const p = resources[id].Properties ?? {};
    const say = (message: string): void => {
      problems.push(`${id} (${String(p.Namespace)} ${String(p.MetricName)}): ${message}`);
    };
    if (p.Metrics !== undefined) {
      say('metric math alarm: not covered by the walk');
      continue;
    }
    const rule = table[`${String(p.Namespace)} ${String(p.MetricName)}`] ?? customRule(String(p.MetricName));
    if (!rule) {
      say('unknown metric: add its unit rule to the walk');
      continue;
    }
    const dims = new Map(((p.Dimensions as { Name: string; Value: unknown }[]) ?? []).map((d) => [d.Name, d.Value]));
    const setProblems = [rule.dimensions, ...(rule.alternativeDimensions ?? [])].map((set) =>
      dimensionProblems(set, dims, resources),
    );
    if (!setProblems.some((list) => list.length === 0)) setProblems[0].forEach(say);
    if (p.Statistic !== rule.statistic) say(`statistic ${String(p.Statistic)}, expected ${rule.statistic}`);
    if (typeof p.Threshold !== 'number' || !rule.accepts(p.Threshold)) {
      say(`threshold ${String(p.Threshold)} is not a sensible value in ${rule.unit}`);
    }
    if (typeof p.TreatMissingData !== 'string') say('TreatMissingData not set');
    for (const key of ['AlarmActions', 'OKActions']) {
      if (!referenceList(p[key]).some((ref) => topics.has(ref)))
        say(`${key} does not notify an SNS topic of this template`);
    }
    if (typeof p.AlarmDescription !== 'string' || p.AlarmDescription.length < 40)
      say('no runbook line in AlarmDescription');
  }
  return { count: alarmIds.length, problems };
}
