/**
 * Per-minute stream metrics from CloudWatch GetMetricData, turned into the observations the
 * decision reads: one per minute of the query, oldest first. A minute without any datapoint is
 * marked `missing` (demand unknown), never read as zero traffic: CloudWatch delivers Kinesis
 * stream metrics minutes late and sometimes not at all, and a stream created a minute ago has no
 * datapoint for the hours before it existed. The decision tells idle from unknown
 * (decision.ts, `knownObservations`).
 * @see https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html
 */
import type { GetMetricDataCommandInput, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { MinuteObservation } from './demand';

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

/** The sums of one minute that CloudWatch delivered. */
export interface MinuteDatapoint {
  readonly incomingBytes: number;
  readonly incomingRecords: number;
  readonly throttledRecords: number;
}

/** The observation of a minute without any datapoint: demand unknown. */
export function missingMinute(timestamp: number): MinuteObservation {
  return { timestamp, incomingBytes: 0, incomingRecords: 0, throttledRecords: 0, missing: true };
}

/**
 * Merges the (possibly paginated) results into one observation per minute of [startTime, endTime),
 * oldest first; minutes without any datapoint are `missing`.
 */
export function toObservations(
  results: readonly MetricDataResult[],
  startTime: number,
  endTime: number,
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
  const end = Math.floor(endTime / 60_000) * 60_000;
  const observations: MinuteObservation[] = [];
  for (let minute = first; minute < end; minute += 60_000) {
    const datapoint = byMinute.get(minute);
    observations.push(datapoint ? { timestamp: minute, ...datapoint } : missingMinute(minute));
  }
  return observations;
}
