/**
 * The strategy processKinesisBatch had before issue 13, kept to measure what the fix changed
 * (property tests and `npm run bench:consumer`): keys run concurrently (at most 50), poison
 * records are quarantined, and the FIRST transient failure stops the whole batch; the response
 * reports the lowest unfinished record and the invocation never fails, so Lambda never bisects.
 */
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { PoisonRecordError } from '../../../packages/runtime/src/kinesis-batch';
import { compareSequenceNumbers } from '../../../packages/runtime/src/kinesis-batch/sequence-number';
import { type UserRecord, userRecordsOf } from '../../../packages/runtime/src/kinesis-batch/user-records';
import { toQuarantineRecord } from '../../../packages/runtime/src/quarantine';
import type { SimulatedContext } from '../../../packages/runtime/src/testing';

export async function partialResponseOnly<T>(
  event: KinesisStreamEvent,
  logic: (body: T) => unknown,
  context: SimulatedContext,
  maxConcurrency = 50,
): Promise<KinesisStreamBatchResponse> {
  const groups = new Map<string, UserRecord[]>();
  for (const record of event.Records) {
    for (const user of userRecordsOf(record)) {
      const group = groups.get(user.partitionKey);
      if (group) group.push(user);
      else groups.set(user.partitionKey, [user]);
    }
  }
  const keys = [...groups.values()];
  const cursors = new Array<number>(keys.length).fill(0);
  let stopped = false;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!stopped && next < keys.length) {
      const index = next++;
      const group = keys[index];
      let i = 0;
      for (; i < group.length && !stopped; i++) {
        const record = group[i];
        try {
          await logic(JSON.parse(record.data.toString('utf8')) as T);
          context.markProcessed(record);
        } catch (error) {
          if (error instanceof PoisonRecordError) {
            await context.quarantineSink.quarantine(toQuarantineRecord(record, 'PoisonRecordError', error));
            continue;
          }
          stopped = true;
          break;
        }
      }
      cursors[index] = i;
    }
  };
  await Promise.all(Array.from({ length: Math.min(maxConcurrency, keys.length) }, worker));
  let lowest: string | undefined;
  keys.forEach((group, index) => {
    const record = group[cursors[index]];
    if (record && (lowest === undefined || compareSequenceNumbers(record.sequenceNumber, lowest) < 0)) {
      lowest = record.sequenceNumber;
    }
  });
  return { batchItemFailures: lowest ? [{ itemIdentifier: lowest }] : [] };
}
