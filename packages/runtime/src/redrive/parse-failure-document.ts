import type { QuarantineRecord } from '../quarantine/quarantine-record';
import { idempotencyKey } from './idempotency-key';
import { replayRecordsOf } from './replay-records';
import type { RedrivePlan, ReplayRecord, SequenceRange } from './types';

/**
 * Turns any failure document the pipeline writes into a redrive plan:
 * - a Lambda on-failure record with its payload (the S3 destination's object),
 * - a Lambda on-failure record with metadata only (the SQS message body, the SNS message),
 * - a QuarantineRecord (S3 object or SQS message body),
 * - and the envelopes they arrive in: an SQS or SNS Lambda event, an SNS notification
 *   delivered to SQS without raw delivery, or a JSON string of any of these.
 * @param source names the document in reports, e.g. `s3://bucket/key`
 */
export function parseFailureDocument(document: unknown, source = 'document'): RedrivePlan {
  const plan = {
    records: [] as ReplayRecord[],
    ranges: [] as SequenceRange[],
    unrecognized: [] as RedrivePlan['unrecognized'][number][],
  };
  collect(document, source, plan);
  return plan;
}

/** Merges plans, e.g. of every object under a prefix. */
export function mergePlans(plans: readonly RedrivePlan[]): RedrivePlan {
  return {
    records: plans.flatMap((p) => p.records),
    ranges: plans.flatMap((p) => p.ranges),
    unrecognized: plans.flatMap((p) => p.unrecognized),
  };
}

type MutablePlan = {
  records: ReplayRecord[];
  ranges: SequenceRange[];
  unrecognized: RedrivePlan['unrecognized'][number][];
};

function collect(document: unknown, source: string, plan: MutablePlan): void {
  if (typeof document === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(document);
    } catch {
      plan.unrecognized.push({ source, reason: 'not JSON' });
      return;
    }
    collect(parsed, source, plan);
    return;
  }
  if (!isObject(document)) {
    plan.unrecognized.push({ source, reason: 'not a JSON object' });
    return;
  }
  // Lambda event envelopes: SQS and SNS.
  if (Array.isArray(document.Records) && document.Records.every(isObject)) {
    const records = document.Records as Record<string, unknown>[];
    if (records.length > 0 && records.every((r) => r.eventSource === 'aws:sqs')) {
      for (const r of records) collect(r.body, `sqs:${String(r.messageId)}`, plan);
      return;
    }
    if (records.length > 0 && records.every((r) => r.EventSource === 'aws:sns' && isObject(r.Sns))) {
      for (const r of records) {
        const sns = r.Sns as Record<string, unknown>;
        collect(sns.Message, `sns:${String(sns.MessageId)}`, plan);
      }
      return;
    }
  }
  // An SNS notification delivered to SQS without raw message delivery.
  if (document.Type === 'Notification' && typeof document.Message === 'string') {
    collect(document.Message, source, plan);
    return;
  }
  if (isQuarantineRecord(document)) {
    plan.records.push(fromQuarantineRecord(document));
    return;
  }
  if (isObject(document.KinesisBatchInfo)) {
    collectOnFailure(document, source, plan);
    return;
  }
  plan.unrecognized.push({ source, reason: 'neither a Kinesis on-failure record nor a quarantine record' });
}

function collectOnFailure(document: Record<string, unknown>, source: string, plan: MutablePlan): void {
  const info = document.KinesisBatchInfo as Record<string, unknown>;
  const payload =
    isObject(document.payload) && Array.isArray(document.payload.Records) ? document.payload.Records : undefined;
  if (payload) {
    // S3 destination: the whole failed batch, as the function received it. KPL aggregates are
    // unpacked into their user records, keyed like the quarantine records of those user records.
    for (const event of payload) {
      if (!isObject(event) || !isObject(event.kinesis)) {
        plan.unrecognized.push({ source, reason: 'payload record without a kinesis field' });
        continue;
      }
      const k = event.kinesis;
      plan.records.push(
        ...replayRecordsOf({
          streamArn: String(event.eventSourceARN ?? info.streamArn),
          // A batch comes from one shard; eventID (`<shardId>:<sequenceNumber>`) is the fallback.
          shardId: typeof info.shardId === 'string' ? info.shardId : shardIdOf(event.eventID),
          sequenceNumber: String(k.sequenceNumber),
          partitionKey: String(k.partitionKey),
          base64Data: String(k.data ?? ''),
        }),
      );
    }
    return;
  }
  const required = ['streamArn', 'shardId', 'startSequenceNumber', 'endSequenceNumber'] as const;
  const missing = required.filter((field) => typeof info[field] !== 'string');
  if (missing.length > 0) {
    plan.unrecognized.push({ source, reason: `KinesisBatchInfo lacks ${missing.join(', ')}` });
    return;
  }
  plan.ranges.push({
    streamArn: info.streamArn as string,
    shardId: info.shardId as string,
    startSequenceNumber: info.startSequenceNumber as string,
    endSequenceNumber: info.endSequenceNumber as string,
    batchSize: typeof info.batchSize === 'number' ? info.batchSize : undefined,
  });
}

/** eventID is `<shardId>:<sequenceNumber>`. */
function shardIdOf(eventId: unknown): string {
  return typeof eventId === 'string' && eventId.includes(':')
    ? eventId.slice(0, eventId.indexOf(':'))
    : 'unknown-shard';
}

export function isQuarantineRecord(value: unknown): value is QuarantineRecord {
  return (
    isObject(value) &&
    value.version === 1 &&
    typeof value.streamArn === 'string' &&
    typeof value.shardId === 'string' &&
    typeof value.sequenceNumber === 'string' &&
    typeof value.partitionKey === 'string' &&
    typeof value.data === 'string'
  );
}

export function fromQuarantineRecord(record: QuarantineRecord): ReplayRecord {
  const origin = {
    streamArn: record.streamArn,
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    subSequenceNumber: record.subSequenceNumber,
  };
  return {
    data: Buffer.from(record.data, 'base64'),
    partitionKey: record.partitionKey,
    explicitHashKey: record.explicitHashKey,
    origin,
    idempotencyKey: idempotencyKey(origin),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
