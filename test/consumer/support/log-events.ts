import type { KinesisStreamEvent } from 'aws-lambda';
import { kinesisEvent, sequenceNumberAt } from './kinesis-events';

/** One Kinesis record per log line (partition key = client address), as a log shipper would send. */
export function logLineEvent(lines: readonly string[]): KinesisStreamEvent {
  return kinesisEvent(
    lines.map((line, i) => ({
      data: Buffer.from(line),
      partitionKey: line.split(' ')[0] || 'none',
      sequenceNumber: sequenceNumberAt(i),
    })),
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Apache %t for a UTC time, e.g. 22/Nov/2026:00:10:03 +0000. */
export function apacheTime(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
}
