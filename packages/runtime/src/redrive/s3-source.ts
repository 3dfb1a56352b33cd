import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { S3RedriveLedger } from './ledger';
import { checkInteger, REDRIVE_LIMITS } from './options';
import { mergePlans, parseFailureDocument } from './parse-failure-document';
import type { RedrivePlan } from './types';

export interface FailureDocumentSource {
  readonly client: S3Client;
  readonly bucketName: string;
  /**
   * Key prefix to read: `quarantine/` for quarantined records, `aws/lambda/` for Lambda's S3
   * on-failure objects, '' for both.
   * @default ''
   */
  readonly prefix?: string;
  /** Exact keys to read instead of listing the prefix. @default - every object under prefix */
  readonly keys?: readonly string[];
  /** Only objects written (LastModified) at or after this time. @default - no lower bound */
  readonly modifiedAfter?: Date;
  /** Only objects written before this time. @default - no upper bound */
  readonly modifiedBefore?: Date;
  /** Prefix of the redrive ledger, never read as failure documents. @default 'redrive-ledger/' */
  readonly ledgerPrefix?: string;
  /** Objects to read at most, to bound one run: 1 to 100000. @default 1000 */
  readonly maxObjects?: number;
  /**
   * Lists only keys after this one: give a previous run's `nextStartAfter` to go on from there
   * (replayed objects stay in the bucket, so a run from the start would read the same ones again).
   * @default - from the first key
   */
  readonly startAfter?: string;
}

export interface FailureDocuments extends RedrivePlan {
  /** Objects read. */
  readonly objects: number;
  /** Set when the listing stopped at maxObjects with keys left: the last key read. */
  readonly nextStartAfter?: string;
}

/** Reads the failure documents of a bucket into one redrive plan (ledger markers are skipped). */
export async function listFailureDocuments(source: FailureDocumentSource): Promise<FailureDocuments> {
  const max = checkInteger(
    'maxObjects',
    source.maxObjects ?? REDRIVE_LIMITS.maxObjects.default,
    REDRIVE_LIMITS.maxObjects,
  );
  const { keys, more } = source.keys ? { keys: [...source.keys], more: false } : await listKeys(source, max);
  const plans: RedrivePlan[] = [];
  for (const key of keys) {
    const object = await source.client.send(new GetObjectCommand({ Bucket: source.bucketName, Key: key }));
    const body = (await object.Body?.transformToString('utf8')) ?? '';
    plans.push(parseFailureDocument(body, `s3://${source.bucketName}/${key}`));
  }
  return {
    ...mergePlans(plans),
    objects: keys.length,
    ...(more && keys.length > 0 ? { nextStartAfter: keys[keys.length - 1] } : {}),
  };
}

async function listKeys(source: FailureDocumentSource, max: number): Promise<{ keys: string[]; more: boolean }> {
  const ledgerPrefix = source.ledgerPrefix ?? S3RedriveLedger.DEFAULT_PREFIX;
  const after = source.modifiedAfter?.getTime() ?? -Infinity;
  const before = source.modifiedBefore?.getTime() ?? Infinity;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await source.client.send(
      new ListObjectsV2Command({
        Bucket: source.bucketName,
        Prefix: source.prefix ?? '',
        ContinuationToken: token,
        StartAfter: source.startAfter,
      }),
    );
    for (const object of page.Contents ?? []) {
      if (!object.Key || object.Key.startsWith(ledgerPrefix) || object.Key.endsWith('/')) continue;
      const modified = object.LastModified?.getTime();
      if (
        (after > -Infinity || before < Infinity) &&
        (modified === undefined || modified < after || modified >= before)
      ) {
        continue;
      }
      // A key beyond the limit: there is more to read in a next run.
      if (keys.length >= max) return { keys, more: true };
      keys.push(object.Key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { keys, more: false };
}
