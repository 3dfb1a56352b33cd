/**
 * Per-minute stream metrics from CloudWatch GetMetricData, turned into the observations the
 * decision reads. Stream-level metrics are emitted per minute; minutes without traffic have no
 * datapoint and are read as zero.
 */
import type { GetMetricDataCommandInput, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { MinuteObservation } from './decision';

const QUERY_IDS = { bytes: 'incomingBytes', records: 'incomingRecords', throttled: 'writeThrottled' } as const;

/** The GetMetricData request for the `minutes` complete minutes before `now`. */
export function metricDataQuery(streamName: string, now: number, minutes: number): GetMetricDataCommandInput {
  const end = Math.floor(now / 60_000) * 60_000;
  const metric = (id: string, metricName: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/Kinesis',
        MetricName: metricName,
        Dimensions: [{ Name: 'StreamName', Value: streamName }],
      },
      Period: 60,
      Stat: 'Sum',
    },
    ReturnData: true,
  });
  return {
    StartTime: new Date(end - minutes * 60_000),
    EndTime: new Date(end),
    ScanBy: 'TimestampAscending',
    MetricDataQueries: [
      metric(QUERY_IDS.bytes, 'IncomingBytes'),
      metric(QUERY_IDS.records, 'IncomingRecords'),
      metric(QUERY_IDS.throttled, 'WriteProvisionedThroughputExceeded'),
    ],
  };
}

/**
 * Minutes before the query's end that CloudWatch may still be missing datapoints of: a minute
 * without one is read as idle only once it is older than this.
 */
export const METRIC_DELAY_MINUTES = 3;

/**
 * Merges the (possibly paginated) results into one observation per minute, oldest first. With
 * `endTime` (the query's), minutes up to METRIC_DELAY_MINUTES before it are read as zero too:
 * otherwise a stream whose producers stopped would look busy at its last traffic forever, and
 * keep its shards.
 */
export function toObservations(
  results: readonly MetricDataResult[],
  startTime: number,
  endTime?: number,
): MinuteObservation[] {
  const byMinute = new Map<number, { incomingBytes: number; incomingRecords: number; throttledRecords: number }>();
  const field = {
    [QUERY_IDS.bytes]: 'incomingBytes',
    [QUERY_IDS.records]: 'incomingRecords',
    [QUERY_IDS.throttled]: 'throttledRecords',
  } as const;
  for (const result of results) {
    const key = field[result.Id as keyof typeof field];
    if (!key) continue;
    (result.Timestamps ?? []).forEach((timestamp, i) => {
      const minute = Math.floor(new Date(timestamp).getTime() / 60_000) * 60_000;
      const entry = byMinute.get(minute) ?? { incomingBytes: 0, incomingRecords: 0, throttledRecords: 0 };
      entry[key] += result.Values?.[i] ?? 0;
      byMinute.set(minute, entry);
    });
  }
  const first = Math.floor(startTime / 60_000) * 60_000;
  const settled =
    endTime === undefined ? -Infinity : Math.floor(endTime / 60_000) * 60_000 - METRIC_DELAY_MINUTES * 60_000;
  const last = Math.max(settled, ...byMinute.keys());
  if (!Number.isFinite(last)) return [];
  const observations: MinuteObservation[] = [];
  for (let minute = first; minute <= last; minute += 60_000) {
    observations.push({
      timestamp: minute,
      ...(byMinute.get(minute) ?? { incomingBytes: 0, incomingRecords: 0, throttledRecords: 0 }),
    });
  }
  return observations;
}
