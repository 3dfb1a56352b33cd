import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { processKinesisBatch } from '../../packages/runtime/src/kinesis-batch';
import { parseFailureDocument } from '../../packages/runtime/src/redrive';
import {
  decodeQuarantineMessage,
  isSqsSafe,
  quarantineObjectKey,
  quarantineSinkFromEnvironment,
  S3QuarantineSink,
  SqsQuarantineSink,
  streamNameOf,
  toQuarantineRecord,
  type QuarantineRecord,
} from '../../packages/runtime/src/quarantine';
import { kinesisEvent, sequenceNumberAt } from './support/kinesis-events';

/**
 * The characters SQS accepts in a message body, checked code point by code point: #x9 | #xA |
 * #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
function sqsAccepts(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    const unit = body.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = body.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
      continue;
    }
    const ok =
      unit === 0x9 ||
      unit === 0xa ||
      unit === 0xd ||
      (unit >= 0x20 && unit <= 0xd7ff) ||
      (unit >= 0xe000 && unit <= 0xfffd);
    if (!ok) return false;
  }
  return true;
}

const input = {
  data: Buffer.from([0, 1, 2, 255]),
  partitionKey: 'user-7',
  sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
  shardId: 'shardId-000000000006',
  streamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
  approximateArrivalTimestamp: new Date('2018-12-17T22:10:50.987Z'),
};

describe('QuarantineRecord', () => {
  test('keeps the payload, the error and where the record came from', () => {
    const record = toQuarantineRecord(
      { ...input, subSequenceNumber: 3, explicitHashKey: '42' },
      'PoisonRecordError',
      new TypeError('bad'),
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(record).toMatchObject({
      version: 1,
      reason: 'PoisonRecordError',
      error: { name: 'TypeError', message: 'bad' },
      streamArn: input.streamArn,
      shardId: input.shardId,
      sequenceNumber: input.sequenceNumber,
      subSequenceNumber: 3,
      partitionKey: 'user-7',
      explicitHashKey: '42',
      approximateArrivalTimestamp: '2018-12-17T22:10:50.987Z',
      quarantinedAt: '2026-01-01T00:00:00.000Z',
      data: 'AAEC/w==',
    });
    expect(record.error.stack).toContain('TypeError: bad');
  });

  test('plain records have no subSequenceNumber/explicitHashKey; non-Error throws are kept as text', () => {
    const record = toQuarantineRecord(input, 'ClassifiedPermanent', 'just a string');
    expect(record).not.toHaveProperty('subSequenceNumber');
    expect(record).not.toHaveProperty('explicitHashKey');
    expect(record.error).toEqual({ name: 'NonError', message: 'just a string' });
  });

  test('any payload round-trips byte for byte through the JSON document', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const json = JSON.stringify(toQuarantineRecord({ ...input, data: Buffer.from(bytes) }, 'x', new Error('e')));
        const back = JSON.parse(json) as QuarantineRecord;
        expect(Buffer.from(back.data, 'base64').equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('S3 key layout', () => {
  const record = toQuarantineRecord(input, 'x', new Error('e'));
  test('<prefix><stream>/<shard>/<sequence>[-<sub>].json', () => {
    expect(quarantineObjectKey(record)).toBe(
      'quarantine/lambda-stream/shardId-000000000006/49590338271490256608559692538361571095921575989136588898.json',
    );
    expect(quarantineObjectKey({ ...record, subSequenceNumber: 2 }, 'q/')).toBe(
      'q/lambda-stream/shardId-000000000006/49590338271490256608559692538361571095921575989136588898-2.json',
    );
  });
  test('the stream name comes from stream and consumer ARNs alike', () => {
    expect(streamNameOf('arn:aws:kinesis:us-east-1:1:stream/s1')).toBe('s1');
    expect(streamNameOf('arn:aws:kinesis:us-east-1:1:stream/s1/consumer/c:123')).toBe('s1');
    expect(streamNameOf('<placeholder>')).toBe('unknown-stream');
  });
});

describe('sinks', () => {
  const s3Mock = mockClient(S3Client);
  const sqsMock = mockClient(SQSClient);
  beforeEach(() => {
    s3Mock.reset();
    sqsMock.reset();
  });
  const record = toQuarantineRecord(input, 'DecodeError', new Error('e'));

  test('S3: one JSON object per record at its deterministic key', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    await new S3QuarantineSink({ client: new S3Client({ region: 'us-east-1' }), bucketName: 'failures' }).quarantine(
      record,
    );
    const [call] = s3Mock.commandCalls(PutObjectCommand);
    expect(call.args[0].input).toMatchObject({
      Bucket: 'failures',
      Key: quarantineObjectKey(record),
      ContentType: 'application/json',
    });
    expect(JSON.parse(String(call.args[0].input.Body))).toEqual(record);
  });

  test('S3: a failed put rejects, so the processor retries the record', async () => {
    s3Mock.on(PutObjectCommand).rejects(new Error('AccessDenied'));
    await expect(
      new S3QuarantineSink({ client: new S3Client({ region: 'us-east-1' }), bucketName: 'b' }).quarantine(record),
    ).rejects.toThrow('AccessDenied');
  });

  test('SQS standard queue: the record is the message body', async () => {
    sqsMock.on(SendMessageCommand).resolves({});
    const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/quarantine';
    await new SqsQuarantineSink({ client: new SQSClient({ region: 'us-east-1' }), queueUrl }).quarantine(record);
    const input = sqsMock.commandCalls(SendMessageCommand)[0].args[0].input;
    expect(input.QueueUrl).toBe(queueUrl);
    expect(input.MessageGroupId).toBeUndefined();
    expect(JSON.parse(input.MessageBody!)).toEqual(record);
  });

  test('SQS FIFO queue: grouped by partition key, deduplicated by record position', async () => {
    sqsMock.on(SendMessageCommand).resolves({});
    const sink = new SqsQuarantineSink({
      client: new SQSClient({ region: 'us-east-1' }),
      queueUrl: 'https://sqs/q.fifo',
    });
    await sink.quarantine(record);
    await sink.quarantine({ ...record, quarantinedAt: 'later' });
    const [a, b] = sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(a.MessageGroupId).toBe('user-7');
    expect(a.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    expect(b.MessageDeduplicationId).toBe(a.MessageDeduplicationId);
  });

  test('SQS FIFO queue: partition keys that are not valid group ids (over 128 characters, non-ASCII, spaces) are hashed', async () => {
    sqsMock.on(SendMessageCommand).resolves({});
    const sink = new SqsQuarantineSink({
      client: new SQSClient({ region: 'us-east-1' }),
      queueUrl: 'https://sqs/q.fifo',
    });
    const keys = ['k'.repeat(256), 'Zürich', 'a b', ''];
    for (const partitionKey of keys) await sink.quarantine({ ...record, partitionKey });
    await sink.quarantine({ ...record, partitionKey: 'Zürich' });
    const groups = sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageGroupId!);
    for (const group of groups) expect(group).toMatch(/^[\x21-\x7e]{1,128}$/);
    expect(new Set(groups.slice(0, 4)).size).toBe(4);
    expect(groups[4]).toBe(groups[1]);
  });

  test('SQS: a body with only the characters SQS accepts; the exact key, payload and error come back', async () => {
    // Issue 13: U+FFFE / U+FFFF (and unpaired surrogates) in a partition key or in payload text
    // quoted by an error made SQS reject or rewrite the message.
    const anyUnits = fc
      .array(
        fc.oneof(
          fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
          fc.constantFrom('\uFFFE', '\uFFFF', '\uD800', '\uDFFF', '\uD83D\uDE00', '\u0000', '\u001F'),
        ),
        { maxLength: 40 },
      )
      .map((units) => units.join(''));
    // Kinesis partition keys have 1 to 256 characters.
    const anyKey = anyUnits.filter((units) => units.length > 0);
    const sink = new SqsQuarantineSink({ client: new SQSClient({ region: 'us-east-1' }), queueUrl: 'https://sqs/q' });
    await fc.assert(
      fc.asyncProperty(anyKey, anyUnits, fc.uint8Array({ maxLength: 64 }), async (partitionKey, text, bytes) => {
        sqsMock.reset();
        sqsMock.on(SendMessageCommand).resolves({});
        const error = new Error(`payload is not valid JSON: ${text}`);
        const quarantined = toQuarantineRecord(
          { ...input, partitionKey, data: Buffer.from(bytes) },
          'DecodeError',
          error,
        );
        await sink.quarantine(quarantined);
        const body = sqsMock.commandCalls(SendMessageCommand)[0].args[0].input.MessageBody!;
        expect(sqsAccepts(body)).toBe(true);
        expect(isSqsSafe(body)).toBe(true);
        const back = decodeQuarantineMessage(body);
        expect(back).toEqual(quarantined);
        expect(back.partitionKey).toBe(partitionKey);
        expect(Buffer.from(back.data, 'base64').equals(Buffer.from(bytes))).toBe(true);
        // What the redrive tool replays: the same key and bytes.
        const [replay] = parseFailureDocument(body).records;
        expect(replay.partitionKey).toBe(partitionKey);
        expect(Buffer.from(replay.data).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('SQS: a payload with U+FFFF quoted by the decode error is quarantined with an acceptable body', async () => {
    sqsMock.on(SendMessageCommand).resolves({});
    const sink = new SqsQuarantineSink({ client: new SQSClient({ region: 'us-east-1' }), queueUrl: 'https://sqs/q' });
    const event = kinesisEvent([
      { partitionKey: 'key\uFFFE', data: Buffer.from('{"broken": "\uFFFF'), sequenceNumber: sequenceNumberAt(0) },
      { partitionKey: 'other', data: Buffer.from('{}'), sequenceNumber: sequenceNumberAt(1) },
    ]);
    await processKinesisBatch(event, () => undefined, {
      quarantineSink: sink,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      metrics: false,
    });
    const body = sqsMock.commandCalls(SendMessageCommand)[0].args[0].input.MessageBody!;
    expect(sqsAccepts(body)).toBe(true);
    expect(decodeQuarantineMessage(body).partitionKey).toBe('key\uFFFE');
  });

  test('decodeQuarantineMessage rejects what is not a quarantine record', () => {
    expect(() => decodeQuarantineMessage('nope')).toThrow(/not a quarantine message/);
    expect(() => decodeQuarantineMessage('{"version":2}')).toThrow(/version 1 QuarantineRecord/);
  });

  test('decodeQuarantineMessage rejects a quarantine record that cannot be replayed exactly, saying why', () => {
    const record = toQuarantineRecord(
      { ...input, partitionKey: 'key', data: Buffer.from('x') },
      'DecodeError',
      new Error('x'),
    );
    const body = (fields: Record<string, unknown>) => JSON.stringify({ ...record, ...fields });
    expect(() => decodeQuarantineMessage(body({ data: '@@@@' }))).toThrow('quarantine record data is not base64');
    expect(() => decodeQuarantineMessage(body({ partitionKey: 'k'.repeat(257) }))).toThrow(
      'quarantine record partition key has 257 characters, more than 256',
    );
    expect(() => decodeQuarantineMessage(body({ shardId: '' }))).toThrow('quarantine record lacks shardId');
    expect(() => decodeQuarantineMessage(body({ subSequenceNumber: 1.5 }))).toThrow(
      'quarantine record subSequenceNumber is not an integer',
    );
    expect(decodeQuarantineMessage(body({}))).toEqual(record);
  });

  test('the environment picks SQS, then S3, else none', () => {
    expect(
      quarantineSinkFromEnvironment({ QUARANTINE_QUEUE_URL: 'https://q', QUARANTINE_BUCKET_NAME: 'b' }),
    ).toBeInstanceOf(SqsQuarantineSink);
    expect(quarantineSinkFromEnvironment({ QUARANTINE_BUCKET_NAME: 'b' })).toBeInstanceOf(S3QuarantineSink);
    expect(quarantineSinkFromEnvironment({})).toBeUndefined();
  });
});
