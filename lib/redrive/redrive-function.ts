import { Duration, Token } from 'aws-cdk-lib';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundledHandlerProps } from '../private/handler-code';
import { ACKNOWLEDGMENT_REASONS, acknowledge, acknowledgeBucketObjectsGrant } from '../private/acknowledge';
import { grantObjectPut } from '../private/bucket-key';
import { checkLogRetention, functionLogging } from '../private/function-logs';
import {
  LAMBDA_MEMORY,
  LAMBDA_TIMEOUT,
  NAME_RULES,
  checkDurationRange,
  checkName,
  checkNumber,
  requireLiteralString,
} from '../private/validation';

export interface RedriveFunctionProps {
  /** Stream to put the records back onto; also the stream metadata-only on-failure records are read back from. */
  readonly stream: kinesis.IStream;
  /** Bucket holding the failure documents: Lambda's S3 on-failure objects and quarantined records. */
  readonly failureBucket: s3.IBucket;
  /**
   * Key prefix the function replays when invoked without one, e.g. `quarantine/` or
   * `aws/lambda/`; at most 1,024 characters.
   * @default '' - every failure document in the bucket
   */
  readonly sourcePrefix?: string;
  /**
   * Key prefix of the idempotency ledger (one marker object per replayed record) in the
   * failure bucket: a literal folder ending with '/', at most 1,024 characters, outside `aws/`
   * and `quarantine/` (which consumers may write).
   * @default 'redrive-ledger/'
   */
  readonly ledgerPrefix?: string;
  /**
   * Streams that metadata-only on-failure messages may be read back from, besides `stream`
   * (read access is granted on each). A message naming any other stream is left on its queue.
   * @default - only `stream`
   */
  readonly readBackStreams?: kinesis.IStream[];
  /**
   * A queue of on-failure messages (the SQS on-failure destination of a consumer, or its
   * quarantine queue) to replay as they arrive. The mapping reports batch item failures, so a
   * message that cannot be replayed entirely stays on the queue (and reaches its DLQ); the
   * queue's visibility timeout must be at least the function's timeout.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
   * @default - no event source: invoke the function directly
   */
  readonly queue?: sqs.IQueue;
  /** 1 second to 15 minutes (whole seconds). @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** 128 to 10240 MB. @default 512 */
  readonly memorySize?: number;
  /**
   * How long the function's log group keeps its logs (a `logs.RetentionDays` value).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Lambda function that replays failed Kinesis records onto a stream: from the failure
 * bucket (invoke it with `{ "dryRun": true }`, then `{ "prefix": "quarantine/" }`), or from an
 * SQS queue (`queue`) or SNS topic of on-failure messages. It accepts only those event shapes
 * and needs an explicit scope for a real replay. Metadata-only messages are read back from the
 * stream by sequence number while the stream retains them. Each record is claimed in a ledger
 * in the failure bucket (S3 conditional writes) before it is put, so that two runs never put
 * it twice; see docs/redrive.md for what a crash can duplicate.
 *
 * Grants: read on the failure bucket, s3:PutObject under `ledgerPrefix` only, read and write on
 * the stream, read on `readBackStreams` (with the KMS keys' decrypt/encrypt when encrypted; on a
 * failure bucket with a customer-managed key, kms:Decrypt and kms:GenerateDataKey).
 */
export class RedriveFunction extends Construct {
  /** The redrive function (id 'Resource'). */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: RedriveFunctionProps) {
    super(scope, id);
    const ledgerPrefix = props.ledgerPrefix ?? 'redrive-ledger/';
    validate(props, ledgerPrefix);
    // Its own log group and a role that may write only there (not AWSLambdaBasicExecutionRole).
    const logging = functionLogging(this, '', { retention: props.logRetention });

    this.function = new lambda.Function(this, 'Resource', {
      ...bundledHandlerProps('redrive'),
      timeout: props.timeout ?? Duration.minutes(5),
      memorySize: props.memorySize ?? 512,
      description: 'Replays failed Kinesis records (on-failure records, quarantined records) onto the stream',
      role: logging.role,
      logGroup: logging.logGroup,
      environment: {
        REDRIVE_STREAM_ARN: props.stream.streamArn,
        REDRIVE_FAILURE_BUCKET: props.failureBucket.bucketName,
        REDRIVE_LEDGER_PREFIX: ledgerPrefix,
        REDRIVE_SOURCE_PREFIX: props.sourcePrefix ?? '',
        ...(props.readBackStreams && props.readBackStreams.length > 0
          ? { REDRIVE_READ_BACK_STREAM_ARNS: props.readBackStreams.map((s) => s.streamArn).join(',') }
          : {}),
        ...(props.queue ? { REDRIVE_SQS_BATCH_ITEM_FAILURES: 'true' } : {}),
      },
    });
    // Reads (GetObject, List) of the failure documents and the ledger; with a customer-managed
    // bucket key grantRead adds kms:Decrypt on it.
    props.failureBucket.grantRead(this.function);
    // Ledger markers (conditional puts, If-None-Match) under the ledger prefix only.
    grantObjectPut(this.function, props.failureBucket, ledgerPrefix);
    props.stream.grantReadWrite(this.function);
    for (const other of props.readBackStreams ?? []) other.grantRead(this.function);
    if (props.queue) {
      // ReportBatchItemFailures: the handler names the messages to keep; without it, it fails the
      // whole batch instead (REDRIVE_SQS_BATCH_ITEM_FAILURES unset), so no message is deleted unhandled.
      this.function.addEventSource(new sources.SqsEventSource(props.queue, { reportBatchItemFailures: true }));
      checkQueueVisibility(props.queue, this.function.timeout ?? Duration.minutes(5));
    }

    // On the function (and so its role, where the grants land), not on this construct: an
    // acknowledgment on a composite would also cover whatever else is added under it.
    // bucket.grantRead: the standard CDK action sets, on this one bucket.
    for (const action of ['s3:GetBucket*', 's3:GetObject*', 's3:List*']) {
      acknowledge(this.function, `AwsSolutions-IAM5[Action::${action}]`, ACKNOWLEDGMENT_REASONS.bucketGrantActions);
    }
    if (props.stream.encryptionKey) {
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
        acknowledge(
          this.function,
          `AwsSolutions-IAM5[Action::${action}]`,
          ACKNOWLEDGMENT_REASONS.encryptedStreamReadWrite,
        );
      }
    }
    acknowledgeBucketObjectsGrant(this.function, props.failureBucket, '*', ACKNOWLEDGMENT_REASONS.bucketObjectWildcard);
    acknowledgeBucketObjectsGrant(
      this.function,
      props.failureBucket,
      `${ledgerPrefix}*`,
      ACKNOWLEDGMENT_REASONS.bucketObjectWildcard,
    );
  }
}

/**
 * Lambda refuses an SQS event source whose queue's visibility timeout is shorter than the
 * function's timeout (CreateEventSourceMapping fails at deploy time). Checked for a queue of this
 * app with a literal visibility timeout (30 s when unset); an imported queue is the user's call.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 */
function checkQueueVisibility(queue: sqs.IQueue, timeout: Duration): void {
  const cfnQueue = queue.node.defaultChild;
  if (!(cfnQueue instanceof sqs.CfnQueue) || timeout.isUnresolved()) return;
  const visibility = cfnQueue.visibilityTimeout ?? 30;
  if (Token.isUnresolved(visibility)) return;
  const seconds = timeout.toSeconds();
  if (visibility < seconds) {
    throw new Error(
      `queue's visibility timeout must be at least the function's timeout (${seconds} seconds): Lambda rejects an SQS event source otherwise; raise the queue's visibilityTimeout or lower timeout. Received queue visibilityTimeout ${visibility} seconds with timeout ${seconds} seconds`,
    );
  }
}

function validate(props: RedriveFunctionProps, ledgerPrefix: string): void {
  // The ledger prefix is checked against the consumers' prefixes and named in the grants at synth time.
  requireLiteralString('ledgerPrefix', ledgerPrefix, 'it must be checked against the prefixes consumers may write');
  checkName('ledgerPrefix', ledgerPrefix, NAME_RULES.s3Prefix);
  checkName('sourcePrefix', props.sourcePrefix, NAME_RULES.s3Prefix);
  // The ledger lives in the failure bucket; listing skips it, so any sourcePrefix is safe.
  // Consumers may write aws/lambda/<mapping>/ and their quarantine prefix (by default
  // quarantine/): a ledger there could be forged by them.
  const reserved = ['aws/', 'quarantine/'];
  if (
    !ledgerPrefix.endsWith('/') ||
    ledgerPrefix.length < 2 ||
    reserved.some((r) => ledgerPrefix.startsWith(r) || r.startsWith(ledgerPrefix))
  ) {
    throw new Error(
      `ledgerPrefix must be a non-empty prefix ending with '/', outside ${reserved.join(' and ')}. Received '${ledgerPrefix}'`,
    );
  }
  checkDurationRange('timeout', props.timeout, LAMBDA_TIMEOUT);
  checkNumber('memorySize', props.memorySize, LAMBDA_MEMORY);
  checkLogRetention('logRetention', props.logRetention);
}
