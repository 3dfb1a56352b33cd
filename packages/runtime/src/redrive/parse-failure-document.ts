import type { QuarantineRecord } from '../quarantine/quarantine-record';
import {
  isBase64,
  looksLikeQuarantineRecord,
  partitionKeyProblem,
  quarantineRecordProblem,
} from '../quarantine/quarantine-record-check';
import { decodeQuarantineMessage } from '../quarantine/sqs-message-codec';
import { idempotencyKey } from './idempotency-key';
import { replayRecordsOf } from './replay-records';
import type { RedrivePlan, ReplayRecord, SequenceRange, UnrecognizedDocument } from './types';

/**
 * Turns any failure document the pipeline writes into a redrive plan:
 * - a Lambda on-failure record with its payload (the S3 destination's object),
 * - a Lambda on-failure record with metadata only (the SQS message body, the SNS message),
 * - a QuarantineRecord (S3 object or SQS message body),
 * - and the envelopes they arrive in: an SQS or SNS Lambda event, an SNS notification
 *   delivered to SQS without raw delivery, or a JSON string of any of these.
 * Nothing is guessed: a document of another shape, a payload record without a partition key or
 * with data that is not base64 is reported in `unrecognized` and never replayed; a record
 * without a stream position is keyed by its content (`contentKey`), never merged with another.
 * @param source names the document in reports, e.g. `s3://bucket/key`
 */
export function parseFailureDocument(document: unknown, source = 'document'): RedrivePlan {
  const plan: MutablePlan = { records: [], ranges: [], unrecognized: [] };
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

type MutablePlan = { records: ReplayRecord[]; ranges: SequenceRange[]; unrecognized: UnrecognizedDocument[] };

function collect(document: unknown, source: string, plan: MutablePlan): void {
  if (typeof document === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(document);
    } catch {
      plan.unrecognized.push({ source, reason: 'not JSON' });
      return;
    }
    if (isObject(parsed) && looksLikeQuarantineRecord(parsed)) {
      // An SQS message body (or S3 object) of a quarantine record: read with the sink's own codec,
      // which undoes its escaping of what SQS does not accept.
      collectQuarantineMessage(document, source, plan);
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
  if (Array.isArray(document.Records) && document.Records.length > 0 && document.Records.every(isObject)) {
    const records = document.Records as Record<string, unknown>[];
    if (records.every((r) => r.eventSource === 'aws:sqs')) {
      for (const r of records) collect(r.body, `sqs:${String(r.messageId)}`, plan);
      return;
    }
    if (records.every((r) => r.EventSource === 'aws:sns' && isObject(r.Sns))) {
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
  if (looksLikeQuarantineRecord(document)) {
    const problem = quarantineRecordProblem(document);
    if (problem) plan.unrecognized.push({ source, reason: `quarantine record ${problem}` });
    else plan.records.push(fromQuarantineRecord(document as unknown as QuarantineRecord, source));
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
  if (document.payload !== undefined) {
    if (!isObject(document.payload) || !Array.isArray(document.payload.Records)) {
      plan.unrecognized.push({ source, reason: 'payload without a Records array' });
      return;
    }
    // S3 destination: the whole failed batch, as the function received it. KPL aggregates are
    // unpacked into their user records, keyed like the quarantine records of those user records.
    document.payload.Records.forEach((event: unknown, index: number) => {
      const at = `${source}#${index}`;
      if (!isObject(event) || !isObject(event.kinesis)) {
        plan.unrecognized.push({ source: at, reason: 'payload record without a kinesis field' });
        return;
      }
      const k = event.kinesis;
      const keyProblem = partitionKeyProblem(k.partitionKey);
      if (keyProblem) {
        plan.unrecognized.push({ source: at, reason: `payload record ${keyProblem}` });
        return;
      }
      if (typeof k.data !== 'string' || !isBase64(k.data)) {
        plan.unrecognized.push({ source: at, reason: 'payload record data is not base64' });
        return;
      }
      const streamArn = stringOr(event.eventSourceARN) ?? stringOr(info.streamArn);
      // A batch comes from one shard; eventID (`<shardId>:<sequenceNumber>`) is the fallback.
      const shardId = stringOr(info.shardId) ?? shardIdOf(event.eventID);
      plan.records.push(
        ...replayRecordsOf(
          {
            streamArn,
            shardId,
            sequenceNumber: stringOr(k.sequenceNumber),
            partitionKey: k.partitionKey as string,
            base64Data: k.data,
          },
          { source, index },
        ),
      );
    });
    return;
  }
  const required = ['streamArn', 'shardId', 'startSequenceNumber', 'endSequenceNumber'] as const;
  const missing = required.filter((field) => typeof info[field] !== 'string' || info[field] === '');
  if (missing.length > 0) {
    plan.unrecognized.push({ source, reason: `KinesisBatchInfo lacks ${missing.join(', ')}` });
    return;
  }
  plan.ranges.push({
    streamArn: info.streamArn as string,
    shardId: info.shardId as string,
    startSequenceNumber: info.startSequenceNumber as string,
    endSequenceNumber: info.endSequenceNumber as string,
    ...(typeof info.batchSize === 'number' ? { batchSize: info.batchSize } : {}),
    source,
  });
}

/** eventID is `<shardId>:<sequenceNumber>`. */
function shardIdOf(eventId: unknown): string | undefined {
  return typeof eventId === 'string' && eventId.indexOf(':') > 0 ? eventId.slice(0, eventId.indexOf(':')) : undefined;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function collectQuarantineMessage(body: string, source: string, plan: MutablePlan): void {
  let record: QuarantineRecord;
  try {
    record = decodeQuarantineMessage(body);
  } catch (error) {
    plan.unrecognized.push({ source, reason: (error as Error).message });
    return;
  }
  plan.records.push(fromQuarantineRecord(record, source));
}

/** Is this a complete, replayable quarantine record? */
export function isQuarantineRecord(value: unknown): value is QuarantineRecord {
  return isObject(value) && looksLikeQuarantineRecord(value) && quarantineRecordProblem(value) === undefined;
}

export function fromQuarantineRecord(record: QuarantineRecord, source?: string): ReplayRecord {
  const origin = {
    streamArn: record.streamArn,
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    ...(record.subSequenceNumber !== undefined ? { subSequenceNumber: record.subSequenceNumber } : {}),
  };
  return {
    data: Buffer.from(record.data, 'base64'),
    partitionKey: record.partitionKey,
    ...(record.explicitHashKey !== undefined ? { explicitHashKey: record.explicitHashKey } : {}),
    origin,
    idempotencyKey: idempotencyKey(origin),
    ...(source !== undefined ? { source } : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
