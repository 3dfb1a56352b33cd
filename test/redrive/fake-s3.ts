/**
 * An in-memory S3 that honours conditional writes as Amazon S3 documents them
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
 * - PutObject with `If-None-Match: *` fails with 412 PreconditionFailed when the key exists;
 * - PutObject with `If-Match: <ETag>` fails with 412 when the key is absent or its ETag differs;
 * - two conditional writes on one key at the same time: the later one gets 409
 *   ConditionalRequestConflict (S3: "If a conflicting operation occurs during the upload S3
 *   returns a 409 ConditionalRequestConflict response").
 * Every call yields to the event loop before it takes effect, so that two runs interleave as
 * they would against the service. Only the commands and fields redrive uses.
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';

interface StoredObject {
  readonly body: string;
  readonly etag: string;
  readonly lastModified: Date;
}

type Input = Record<string, unknown>;
type Command = { constructor: { name: string }; input: Input };

export class FakeS3 {
  public readonly objects = new Map<string, StoredObject>();
  /** Calls made, by command name. */
  public readonly calls: { command: string; input: Input }[] = [];
  /** Returns an error to fail a call with (e.g. to stand for a crash or a denied request). */
  public failWhen: (command: string, input: Input) => Error | undefined = () => undefined;
  /** Clock of LastModified. */
  public now: () => number = Date.now;
  private readonly conditionalInFlight = new Set<string>();

  /** This fake as the S3Client the code under test takes. */
  public get client(): S3Client {
    return this as unknown as S3Client;
  }

  public put(key: string, body: string, lastModified = new Date(this.now())): void {
    this.objects.set(key, { body, etag: etagOf(body), lastModified });
  }

  public keysUnder(prefix: string): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  public async send(command: Command): Promise<unknown> {
    const name = command.constructor.name;
    const input = command.input;
    this.calls.push({ command: name, input });
    const key = String(input.Key ?? '');
    const conditional = name === 'PutObjectCommand' && (input.IfNoneMatch !== undefined || input.IfMatch !== undefined);
    if (conditional && this.conditionalInFlight.has(key)) {
      await tick();
      throw s3Error('ConditionalRequestConflict', 409, 'A conflicting conditional operation is in progress');
    }
    if (conditional) this.conditionalInFlight.add(key);
    try {
      await tick();
      const injected = this.failWhen(name, input);
      if (injected) throw injected;
      return this.apply(name, input, key);
    } finally {
      if (conditional) this.conditionalInFlight.delete(key);
    }
  }

  public destroy(): void {}

  private apply(name: string, input: Input, key: string): unknown {
    switch (name) {
      case 'PutObjectCommand': {
        const existing = this.objects.get(key);
        if (input.IfNoneMatch === '*' && existing)
          throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
        if (input.IfMatch !== undefined && existing?.etag !== input.IfMatch) {
          throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
        }
        const body =
          typeof input.Body === 'string' ? input.Body : Buffer.from(input.Body as Uint8Array).toString('utf8');
        this.put(key, body);
        return { ETag: this.objects.get(key)!.etag };
      }
      case 'GetObjectCommand': {
        const object = this.objects.get(key);
        if (!object) throw s3Error('NoSuchKey', 404, 'The specified key does not exist.');
        return {
          ETag: object.etag,
          LastModified: object.lastModified,
          Body: { transformToString: async () => object.body },
        };
      }
      case 'HeadObjectCommand': {
        const object = this.objects.get(key);
        if (!object) throw s3Error('NotFound', 404, 'Not Found');
        return { ETag: object.etag, LastModified: object.lastModified };
      }
      case 'ListObjectsV2Command': {
        const prefix = String(input.Prefix ?? '');
        const after = input.StartAfter as string | undefined;
        const start = input.ContinuationToken !== undefined ? Number(input.ContinuationToken) : 0;
        const keys = this.keysUnder(prefix).filter((k) => after === undefined || k > after);
        const pageSize = 1000;
        const page = keys.slice(start, start + pageSize);
        const truncated = start + pageSize < keys.length;
        return {
          Contents: page.map((Key) => ({ Key, LastModified: this.objects.get(Key)!.lastModified })),
          IsTruncated: truncated,
          ...(truncated ? { NextContinuationToken: String(start + pageSize) } : {}),
        };
      }
      default:
        throw new Error(`FakeS3 does not implement ${name}`);
    }
  }
}

export function s3Error(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

function etagOf(body: string): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
