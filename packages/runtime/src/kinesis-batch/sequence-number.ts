/**
 * Kinesis sequence numbers are decimal strings of up to 128 digits, too long for a number.
 * Without leading zeros, the longer string is the larger number.
 */
export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders (sequenceNumber, subSequenceNumber) pairs; a plain record sorts before its sub-records. */
export function compareRecordPositions(
  a: { readonly sequenceNumber: string; readonly subSequenceNumber?: number },
  b: { readonly sequenceNumber: string; readonly subSequenceNumber?: number },
): number {
  return (
    compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber) ||
    (a.subSequenceNumber ?? -1) - (b.subSequenceNumber ?? -1)
  );
}
