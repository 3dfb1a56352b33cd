import type { ProducerRecord, ProducerReport } from '../../packages/runtime/src/producer';

/** A producer stand-in that records what was put and reports the records whose data is in `failing` as unsent. */
export function fakeProducer(failing: ReadonlySet<string> = new Set()) {
  const put: ProducerRecord[] = [];
  return {
    put,
    producer: {
      put: async (record: ProducerRecord) => void put.push(record),
      flush: async (): Promise<ProducerReport> => {
        const failed = put
          .filter((r) => failing.has(Buffer.from(r.data).toString()))
          .map((record) => ({
            record,
            outcome: 'failed' as const,
            errorCode: 'ProvisionedThroughputExceededException',
            errorMessage: 'Rate exceeded',
            attempts: 8,
          }));
        return {
          recordsSent: put.length,
          bytesSent: 0,
          requests: 1,
          throttledEntries: 0,
          retriedEntries: 0,
          redirectedRecords: 0,
          rejected: [],
          failed,
          unknown: [],
          unsent: failed,
        };
      },
    },
  };
}
