/**
 * What makes a JSON value a complete, replayable QuarantineRecord: one definition for the SQS
 * message codec (decodeQuarantineMessage) and the redrive tool, which reads quarantine records
 * back from SQS messages and S3 objects.
 */

/**
 * Strict base64 (RFC 4648 section 4, padded), as Lambda and Kinesis write it. Node's decoder
 * skips characters it does not know, so a damaged payload would be replayed garbled instead of
 * reported.
 */
export function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/**
 * Kinesis partition keys are 1 to 256 Unicode characters
 * (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsRequestEntry.html).
 */
export function partitionKeyProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'has no partition key';
  const length = [...value].length;
  return length > 256 ? `partition key has ${length} characters, more than 256` : undefined;
}

/** Version 1 with the fields only a quarantine record has: judged as one, and reported if broken. */
export function looksLikeQuarantineRecord(value: Record<string, unknown>): boolean {
  return value.version === 1 && typeof value.quarantinedAt === 'string' && 'data' in value;
}

/** What is wrong with a value that looks like a quarantine record, or undefined when it is replayable. */
export function quarantineRecordProblem(value: Record<string, unknown>): string | undefined {
  const missing = (['streamArn', 'shardId', 'sequenceNumber'] as const).filter(
    (f) => typeof value[f] !== 'string' || value[f] === '',
  );
  if (missing.length > 0) return `lacks ${missing.join(', ')}`;
  const keyProblem = partitionKeyProblem(value.partitionKey);
  if (keyProblem) return keyProblem;
  if (typeof value.data !== 'string' || !isBase64(value.data)) return 'data is not base64';
  if (value.subSequenceNumber !== undefined && !Number.isSafeInteger(value.subSequenceNumber)) {
    return 'subSequenceNumber is not an integer';
  }
  return undefined;
}
