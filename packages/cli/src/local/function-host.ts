/**
 * Runs a Lambda function's bundled asset (the folder `cdk deploy` uploads) the way the Node.js
 * runtime does: `Handler` names `<file>.<export>` in the asset folder; the function's own
 * environment variables (resolved from the template), plus the variables Lambda sets, fake
 * credentials and AWS_ENDPOINT_URL pointing at the local AWS server. Each function gets its own
 * worker thread (its own `process.env` and module cache, like its own execution environment);
 * a hung invocation is stopped at the template's Timeout and the environment is started anew.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { LOCAL_CREDENTIALS } from './local-network';
import type { LocalFunction } from './pipeline-model';

/** What a simulated or emulated caller learns from one invocation. */
export interface InvocationResult {
  readonly ok: boolean;
  /** The handler's return value, as Lambda would serialize it (JSON). */
  readonly response?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  readonly timedOut: boolean;
  readonly elapsedMs: number;
  /** Reports of the runtime toolkit's processKinesisBatch through the simulation hooks. */
  readonly processed: readonly { shardId: string; sequenceNumber: string; subSequenceNumber?: number }[];
  readonly quarantined: readonly Record<string, unknown>[];
}

export interface FunctionHostOptions {
  readonly region: string;
  /** The local AWS server every SDK client of the function calls. */
  readonly awsEndpoint: string;
  /** Folder for the function's log (stdout and stderr). */
  readonly logDir: string;
}

// The worker: loads the asset, then answers invocation messages. Plain JavaScript so that it runs
// the same from the CLI's sources and from its dist/. The context carries the event source
// mapping simulator's hooks (Symbol.for key shared with the runtime toolkit) without a quarantine
// sink, so the toolkit quarantines through its environment (QUARANTINE_BUCKET_NAME ...) as in AWS.
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { codeDir, handler, functionName, functionArn, memoryMb, timeoutMs } = workerData;
const dot = handler.lastIndexOf('.');
const modulePath = path.join(codeDir, handler.slice(0, dot));
const exportName = handler.slice(dot + 1);
let loaded;
async function load() {
  if (loaded) return loaded;
  let mod;
  try { mod = require(modulePath); }
  catch (error) {
    if (error && error.code === 'ERR_REQUIRE_ESM') mod = await import(require('node:url').pathToFileURL(require.resolve(modulePath)).href);
    else throw error;
  }
  const fn = exportName.split('.').reduce((o, k) => (o == null ? o : o[k]), mod);
  if (typeof fn !== 'function') throw new Error('Runtime.HandlerNotFound: ' + handler + ' is undefined or not exported');
  return (loaded = fn);
}
parentPort.on('message', async ({ id, event, hooks }) => {
  const start = Date.now();
  const deadline = start + timeoutMs;
  const processed = [];
  const quarantined = [];
  const context = {
    functionName, functionVersion: '$LATEST', invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMb), awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/' + functionName, logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  if (hooks) {
    Object.defineProperty(context, Symbol.for('cdk-kinesis-pipeline.simulation-hooks'), {
      enumerable: false,
      value: {
        recordProcessed: (r) => processed.push({ shardId: r.shardId, sequenceNumber: r.sequenceNumber, subSequenceNumber: r.subSequenceNumber }),
        recordQuarantined: (r) => quarantined.push(JSON.parse(JSON.stringify(r))),
        quarantineSink: undefined,
        reportBatchItemFailures: hooks.reportBatchItemFailures,
      },
    });
  }
  const reply = (fields) => parentPort.postMessage({ id, elapsedMs: Date.now() - start, processed, quarantined, ...fields });
  try {
    const fn = await load();
    const result = fn.length >= 3
      ? await new Promise((resolve, reject) => { const r = fn(event, context, (e, v) => (e ? reject(e) : resolve(v))); if (r && r.then) r.then(resolve, reject); })
      : await fn(event, context);
    reply({ ok: true, response: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    reply({ ok: false, error: { name: (error && error.name) || 'Error', message: String((error && error.message) || error) } });
  }
});
`;

interface Pending {
  resolve(result: InvocationResult): void;
  timer: NodeJS.Timeout;
  start: number;
}

export class FunctionHost {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly log: fs.WriteStream;
  public invocations = 0;
  public coldStarts = 0;

  constructor(
    public readonly fn: LocalFunction,
    private readonly options: FunctionHostOptions,
  ) {
    if (!fn.codeDir) throw new Error(`${fn.name} cannot run locally: ${fn.notRunnable}`);
    fs.mkdirSync(options.logDir, { recursive: true });
    this.log = fs.createWriteStream(path.join(options.logDir, `${fn.name}.log`), { flags: 'a' });
  }

  /** Invokes the function once; never rejects (errors and timeouts are results, as for Lambda). */
  public invoke(event: unknown, hooks?: { reportBatchItemFailures: boolean }): Promise<InvocationResult> {
    this.invocations++;
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    return new Promise((resolve) => {
      const start = Date.now();
      // Lambda stops the function at its timeout; the environment is then started anew.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        void this.restart();
        resolve({
          ok: false,
          timedOut: true,
          elapsedMs: Date.now() - start,
          error: { name: 'Sandbox.Timedout', message: `Task timed out after ${this.fn.timeoutSeconds} seconds` },
          processed: [],
          quarantined: [],
        });
      }, timeoutMs + 1000);
      this.pending.set(id, { resolve, timer, start });
      worker.postMessage({ id, event, hooks });
    });
  }

  public async stop(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  private async restart(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    this.coldStarts++;
    const fn = this.fn;
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      stdout: true,
      stderr: true,
      env: this.environment(),
      workerData: {
        codeDir: fn.codeDir,
        handler: fn.handler,
        functionName: fn.name,
        functionArn: fn.arn,
        memoryMb: fn.memoryMb,
        timeoutMs: fn.timeoutSeconds * 1000,
      },
    });
    worker.stdout.pipe(this.log, { end: false });
    worker.stderr.pipe(this.log, { end: false });
    worker.on('message', (message: InvocationResult & { id: number }) => {
      const pending = this.pending.get(message.id);
      if (!pending) return; // answered after its timeout
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      const timedOut = message.elapsedMs > fn.timeoutSeconds * 1000;
      pending.resolve({ ...message, timedOut, ok: message.ok && !timedOut });
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error('Runtime.ExitError: the function exited'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.resolve({
        ok: false,
        timedOut: false,
        elapsedMs: Date.now() - pending.start,
        error: { name: error.name, message: error.message },
        processed: [],
        quarantined: [],
      });
    }
  }

  /** The environment Lambda gives the function, pointed at the local run. */
  private environment(): Record<string, string> {
    const fn = this.fn;
    const { region, awsEndpoint, logDir } = this.options;
    const noFile = path.join(logDir, 'no-aws-config');
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      ...fn.environment,
      // Reserved variables Lambda sets; the function cannot override them.
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'local',
      LAMBDA_TASK_ROOT: fn.codeDir ?? '',
      _HANDLER: fn.handler,
      // Never real AWS: fake credentials, every service at the local endpoint, no shared config.
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: 'local-run',
      AWS_ENDPOINT_URL: awsEndpoint,
      AWS_CONFIG_FILE: noFile,
      AWS_SHARED_CREDENTIALS_FILE: noFile,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }
}
