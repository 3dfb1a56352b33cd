/** Where Lambda sends what it discards. S3 keeps the batch's payload; SQS and SNS only its metadata. */
export type OnFailureDestinationType = 's3' | 'sqs' | 'sns' | 'none';

/**
 * The settings of a Kinesis event source mapping (and of its function) that decide how records
 * are delivered, retried and discarded. Names follow `AWS::Lambda::EventSourceMapping`.
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 */
export interface EventSourceMappingSettings {
  /** @default 100 (the AWS default for Kinesis) */
  readonly batchSize?: number;
  /** @default 0 */
  readonly maximumBatchingWindowInSeconds?: number;
  /** Concurrent batches per shard, 1-10. @default 1 */
  readonly parallelizationFactor?: number;
  /** -1 retries until the records expire. @default -1 (the AWS default) */
  readonly maximumRetryAttempts?: number;
  /** -1 never discards by age. @default -1 (the AWS default) */
  readonly maximumRecordAgeInSeconds?: number;
  /** @default false */
  readonly bisectBatchOnFunctionError?: boolean;
  /** `FunctionResponseTypes: [ReportBatchItemFailures]`. @default false */
  readonly reportBatchItemFailures?: boolean;
  /** @default 'none' (records Lambda discards are then gone) */
  readonly onFailureDestination?: OnFailureDestinationType;
  /** The function's timeout. @default 3 (the Lambda default) */
  readonly functionTimeoutSeconds?: number;
  /** Records older than this are trimmed from the stream, unprocessed. @default 24 (the Kinesis default) */
  readonly streamRetentionHours?: number;
  /** @default 'arn:aws:kinesis:us-east-1:123456789012:stream/simulated' */
  readonly streamArn?: string;
  /** @default 'arn:aws:lambda:us-east-1:123456789012:function:simulated' */
  readonly functionArn?: string;
}

/** Settings with every default applied. */
export type ResolvedSettings = { readonly [K in keyof EventSourceMappingSettings]-?: EventSourceMappingSettings[K] };

export const AWS_DEFAULT_SETTINGS: ResolvedSettings = {
  batchSize: 100,
  maximumBatchingWindowInSeconds: 0,
  parallelizationFactor: 1,
  maximumRetryAttempts: -1,
  maximumRecordAgeInSeconds: -1,
  bisectBatchOnFunctionError: false,
  reportBatchItemFailures: false,
  onFailureDestination: 'none',
  functionTimeoutSeconds: 3,
  streamRetentionHours: 24,
  streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/simulated',
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:simulated',
};

/** Applies the AWS defaults and checks the ranges the Lambda API accepts. */
export function resolveSettings(settings: EventSourceMappingSettings = {}): ResolvedSettings {
  const defined = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  const s: ResolvedSettings = { ...AWS_DEFAULT_SETTINGS, ...defined };
  checkInteger('batchSize', s.batchSize, 1, 10_000);
  checkInteger('maximumBatchingWindowInSeconds', s.maximumBatchingWindowInSeconds, 0, 300);
  checkInteger('parallelizationFactor', s.parallelizationFactor, 1, 10);
  if (s.maximumRetryAttempts !== -1) checkInteger('maximumRetryAttempts', s.maximumRetryAttempts, 0, 10_000);
  if (s.maximumRecordAgeInSeconds !== -1) {
    checkInteger('maximumRecordAgeInSeconds', s.maximumRecordAgeInSeconds, 60, 604_800);
  }
  if (!(s.functionTimeoutSeconds > 0 && s.functionTimeoutSeconds <= 900)) {
    throw new Error(`functionTimeoutSeconds must be between 1 and 900. Received ${s.functionTimeoutSeconds}`);
  }
  if (!(s.streamRetentionHours >= 24 && s.streamRetentionHours <= 8760)) {
    throw new Error(`streamRetentionHours must be between 24 and 8760. Received ${s.streamRetentionHours}`);
  }
  if (!['s3', 'sqs', 'sns', 'none'].includes(s.onFailureDestination)) {
    throw new Error(`onFailureDestination must be s3, sqs, sns or none. Received ${s.onFailureDestination}`);
  }
  return s;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}. Received ${value}`);
  }
}
