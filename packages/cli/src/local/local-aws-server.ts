/**
 * The one AWS endpoint the handlers of a local run talk to (AWS_ENDPOINT_URL points every SDK
 * client here, on 127.0.0.1): S3 as a folder tree `<root>/<bucket>/<key>` (PutObject with the
 * If-None-Match / If-Match conditional-write headers, GetObject, HeadObject, DeleteObject,
 * ListObjectsV2), SNS Publish and SQS SendMessage(Batch) recorded under `<root>/_local/`,
 * CloudWatch PutMetricData accepted, and DynamoDB calls forwarded to the local DynamoDB (dynalite). Anything else is answered with an error naming the call, so
 * a handler that needs more fails loudly instead of reaching AWS.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (conditional writes)
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

export interface LocalAwsServer {
  readonly endpoint: string;
  /** Calls the server answered with "not emulated", e.g. `dynamodb.PutItem`. */
  readonly unsupportedCalls: ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

export interface LocalAwsServerOptions {
  /** Root of the bucket folders. */
  readonly root: string;
  /** Buckets that exist (the app's); a call to another bucket gets NoSuchBucket, as in AWS. */
  readonly buckets: readonly string[];
  /** The local DynamoDB every DynamoDB call is forwarded to. @default - DynamoDB is not emulated */
  readonly dynamoDbEndpoint?: string;
}

/** Where non-S3 calls are recorded (a bucket name cannot start with '_'). */
export const LOCAL_RECORDS_DIR = '_local';

export async function startLocalAwsServer(options: LocalAwsServerOptions): Promise<LocalAwsServer> {
  const buckets = new Set(options.buckets);
  for (const bucket of buckets) fs.mkdirSync(path.join(options.root, bucket), { recursive: true });
  const unsupported = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: Buffer = Buffer.concat(chunks);
      try {
        if (String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) body = decodeAwsChunked(body);
        const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
        if (service === 's3') return handleS3(req, res, body, options.root, buckets);
        if (service === 'sns') return handleSns(res, body, options.root);
        if (service === 'sqs') return handleSqs(req, res, body, options.root);
        if (service === 'monitoring') return send(res, 200, '<PutMetricDataResponse/>', 'text/xml');
        if (service === 'dynamodb' && options.dynamoDbEndpoint)
          return forward(req, res, body, options.dynamoDbEndpoint);
        const action = String(
          req.headers['x-amz-target'] ?? new URLSearchParams(body.toString()).get('Action') ?? req.method,
        );
        const call = `${service ?? 'unknown'}.${action}`;
        unsupported.set(call, (unsupported.get(call) ?? 0) + 1);
        sendError(res, 400, 'NotEmulated', `${call} is not emulated by the local run`);
      } catch (error) {
        sendError(res, 500, 'InternalError', (error as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    unsupportedCalls: unsupported,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function handleS3(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
  root: string,
  buckets: Set<string>,
): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = rest.map((part) => decodeURIComponent(part)).join('/');
  if (!buckets.has(bucket))
    return sendError(res, 404, 'NoSuchBucket', `The specified bucket does not exist: ${bucket}`);
  const file = path.join(root, bucket, ...key.split('/'));
  if (key === '') {
    if (req.method === 'HEAD') return send(res, 200, '');
    if (req.method === 'GET' && url.searchParams.get('list-type') === '2')
      return listObjects(res, root, bucket, url.searchParams);
    return sendError(res, 400, 'NotEmulated', `s3 ${req.method} on a bucket is not emulated (only ListObjectsV2)`);
  }
  if (!path.resolve(file).startsWith(path.resolve(root, bucket) + path.sep)) {
    return sendError(res, 400, 'InvalidKey', `key escapes the bucket: ${key}`);
  }
  const exists = fs.existsSync(file) && fs.statSync(file).isFile();
  switch (req.method) {
    case 'PUT': {
      const ifNoneMatch = req.headers['if-none-match'];
      const ifMatch = req.headers['if-match'];
      if (ifNoneMatch === '*' && exists)
        return sendError(
          res,
          412,
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
        );
      if (ifMatch !== undefined) {
        if (!exists) return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
        if (ifMatch !== etagOf(fs.readFileSync(file))) {
          return sendError(
            res,
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
          );
        }
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, body);
      res.setHeader('ETag', etagOf(body));
      return send(res, 200, '');
    }
    case 'GET':
    case 'HEAD': {
      if (!exists) return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', req.method === 'HEAD');
      const data = fs.readFileSync(file);
      res.setHeader('ETag', etagOf(data));
      res.setHeader('Last-Modified', fs.statSync(file).mtime.toUTCString());
      res.setHeader('Content-Length', String(data.length));
      res.statusCode = 200;
      res.end(req.method === 'HEAD' ? undefined : data);
      return;
    }
    case 'DELETE':
      if (exists) fs.rmSync(file);
      return send(res, 204, '');
    default:
      return sendError(res, 400, 'NotEmulated', `s3 ${req.method} on an object is not emulated`);
  }
}

function listObjects(res: http.ServerResponse, root: string, bucket: string, params: URLSearchParams): void {
  const prefix = params.get('prefix') ?? '';
  const delimiter = params.get('delimiter') ?? '';
  const maxKeys = Math.min(1000, Number(params.get('max-keys') ?? 1000));
  const after = params.get('continuation-token') ?? params.get('start-after') ?? '';
  const keys = listKeys(path.join(root, bucket)).filter((k) => k.startsWith(prefix) && k > after);
  const contents: string[] = [];
  const prefixes = new Set<string>();
  let last = '';
  let truncated = false;
  for (const key of keys) {
    if (contents.length + prefixes.size >= maxKeys) {
      truncated = true;
      break;
    }
    last = key;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (cut >= 0) {
      prefixes.add(key.slice(0, cut + delimiter.length));
      continue;
    }
    const stat = fs.statSync(path.join(root, bucket, ...key.split('/')));
    contents.push(
      `<Contents><Key>${xml(key)}</Key><LastModified>${stat.mtime.toISOString()}</LastModified><Size>${stat.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    );
  }
  send(
    res,
    200,
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${contents.length + prefixes.size}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${xml(last)}</NextContinuationToken>` : ''}${contents.join('')}${[...prefixes].map((p) => `<CommonPrefixes><Prefix>${xml(p)}</Prefix></CommonPrefixes>`).join('')}</ListBucketResult>`,
    'application/xml',
  );
}

/** Every key under a bucket folder, sorted as S3 lists them (UTF-8 binary order). */
export function listKeys(bucketDir: string): string[] {
  const keys: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name), `${prefix}${entry.name}/`);
      else keys.push(`${prefix}${entry.name}`);
    }
  };
  walk(bucketDir, '');
  return keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function handleSns(res: http.ServerResponse, body: Buffer, root: string): void {
  const params = new URLSearchParams(body.toString('utf8'));
  const action = params.get('Action');
  if (action !== 'Publish') return sendError(res, 400, 'NotEmulated', `sns.${action} is not emulated by the local run`);
  const topic = params.get('TopicArn') ?? params.get('TargetArn') ?? 'unknown';
  const messageId = randomUUID();
  record(root, 'sns', topic.split(':').pop() ?? 'unknown', {
    MessageId: messageId,
    TopicArn: topic,
    Subject: params.get('Subject') ?? undefined,
    Message: params.get('Message'),
  });
  send(
    res,
    200,
    `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    'text/xml',
  );
}

function handleSqs(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, root: string): void {
  const target = String(req.headers['x-amz-target'] ?? '');
  const input = JSON.parse(body.toString('utf8') || '{}') as {
    QueueUrl?: string;
    MessageBody?: string;
    Entries?: { Id: string; MessageBody: string }[];
  };
  const queue = (input.QueueUrl ?? 'unknown').split('/').pop() ?? 'unknown';
  const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
  if (target === 'AmazonSQS.SendMessage') {
    const messageId = randomUUID();
    record(root, 'sqs', queue, { MessageId: messageId, QueueUrl: input.QueueUrl, Body: input.MessageBody });
    return send(
      res,
      200,
      JSON.stringify({ MessageId: messageId, MD5OfMessageBody: md5(input.MessageBody ?? '') }),
      'application/x-amz-json-1.0',
    );
  }
  if (target === 'AmazonSQS.SendMessageBatch') {
    const successful = (input.Entries ?? []).map((entry) => {
      const messageId = randomUUID();
      record(root, 'sqs', queue, { MessageId: messageId, QueueUrl: input.QueueUrl, Body: entry.MessageBody });
      return { Id: entry.Id, MessageId: messageId, MD5OfMessageBody: md5(entry.MessageBody) };
    });
    return send(res, 200, JSON.stringify({ Successful: successful, Failed: [] }), 'application/x-amz-json-1.0');
  }
  sendError(res, 400, 'NotEmulated', `sqs ${target} is not emulated by the local run`);
}

function record(root: string, service: string, name: string, entry: Record<string, unknown>): void {
  const dir = path.join(root, LOCAL_RECORDS_DIR, service);
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.ndjson`), `${JSON.stringify(entry)}\n`);
}

/** Reads the body of an `aws-chunked` upload: `<hex size>[;chunk-signature=...]\r\n<data>\r\n`..., then trailers. */
function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0], 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function etagOf(data: Buffer): string {
  return `"${createHash('md5').update(data).digest('hex')}"`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Passes a call on to another local server and its answer back, unchanged. */
function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, endpoint: string): void {
  const { 'content-length': _length, host: _host, connection: _connection, ...headers } = req.headers;
  const upstream = http.request(
    `${endpoint}${req.url ?? '/'}`,
    { method: req.method, headers: { ...headers, 'content-length': String(body.length) } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => sendError(res, 500, 'InternalError', error.message));
  upstream.end(body);
}

function send(res: http.ServerResponse, status: number, body: string, contentType?: string): void {
  res.statusCode = status;
  if (contentType) res.setHeader('Content-Type', contentType);
  res.end(body);
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string, noBody = false): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('x-amzn-ErrorType', code);
  res.end(
    noBody
      ? undefined
      : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error>`,
  );
}
