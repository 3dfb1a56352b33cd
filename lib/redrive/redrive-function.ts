import { Duration, Token } from 'aws-cdk-lib';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { bundledHandlerProps } from '../private/handler-code';
import {
  ACKNOWLEDGMENT_REASONS,
  BASIC_EXECUTION_ROLE_FINDING,
  acknowledge,
  acknowledgeBucketObjectsGrant,
} from '../private/acknowledge';
import { LAMBDA_TIMEOUT, checkDurationRange } from '../private/validation';

export interface RedriveFunctionProps {
  /** Stream to put the records back onto; also the stream metadata-only on-failure records are read back from. */
  readonly stream: kinesis.IStream;
  /** Bucket holding the failure documents: Lambda's S3 on-failure objects and quarantined records. */
  readonly failureBucket: s3.IBucket;
  /**
   * Key prefix the function replays when invoked without one, e.g. `quarantine/` or
   * `aws/lambda/`.
   * @default '' - every failure document in the bucket
   */
  readonly sourcePrefix?: string;
  /**
   * Key prefix of the idempotency ledger (one marker object per replayed record) in the
   * failure bucket. Must end with '/'.
   * @default 'redrive-ledger/'
   */
  readonly ledgerPrefix?: string;
  /** 1 second to 15 minutes (whole seconds). @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** 128 to 10240 MB. @default 512 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Lambda function that replays failed Kinesis records onto a stream: from the failure
 * bucket (invoke it with `{ "prefix": "quarantine/", "dryRun": true }`), or from an SQS
 * queue / SNS topic of on-failure messages wired as its event source. Metadata-only messages
 * are read back from the stream by sequence number while the stream retains them. Replays are
 * idempotent through a ledger in the failure bucket.
 *
 * Grants: read on the failure bucket, put under `ledgerPrefix`, read and write on the stream
 * (with the KMS key's decrypt/encrypt when the stream is encrypted).
 */
export class RedriveFunction extends Construct {
  /** The redrive function (id 'Resource'). */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: RedriveFunctionProps) {
    super(scope, id);
    const ledgerPrefix = props.ledgerPrefix ?? 'redrive-ledger/';
    validate(props, ledgerPrefix);

    this.function = new lambda.Function(this, 'Resource', {
      ...bundledHandlerProps('redrive'),
      timeout: props.timeout ?? Duration.minutes(5),
      memorySize: props.memorySize ?? 512,
      description: 'Replays failed Kinesis records (on-failure records, quarantined records) onto the stream',
      logGroup: new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH }),
      environment: {
        REDRIVE_STREAM_ARN: props.stream.streamArn,
        REDRIVE_FAILURE_BUCKET: props.failureBucket.bucketName,
        REDRIVE_LEDGER_PREFIX: ledgerPrefix,
        REDRIVE_SOURCE_PREFIX: props.sourcePrefix ?? '',
      },
    });
    props.failureBucket.grantRead(this.function);
    props.failureBucket.grantPut(this.function, `${ledgerPrefix}*`);
    props.stream.grantReadWrite(this.function);

    acknowledge(this, BASIC_EXECUTION_ROLE_FINDING, ACKNOWLEDGMENT_REASONS.basicExecutionRole);
    // bucket.grantRead/grantPut: the standard CDK action sets, on this one bucket.
    for (const action of ['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*']) {
      acknowledge(this, `AwsSolutions-IAM5[Action::${action}]`, ACKNOWLEDGMENT_REASONS.bucketGrantActions);
    }
    if (props.stream.encryptionKey) {
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
        acknowledge(this, `AwsSolutions-IAM5[Action::${action}]`, ACKNOWLEDGMENT_REASONS.encryptedStreamReadWrite);
      }
    }
    acknowledgeBucketObjectsGrant(this, props.failureBucket, '*', ACKNOWLEDGMENT_REASONS.bucketObjectWildcard);
    acknowledgeBucketObjectsGrant(
      this,
      props.failureBucket,
      `${ledgerPrefix}*`,
      ACKNOWLEDGMENT_REASONS.bucketObjectWildcard,
    );
  }
}

function validate(props: RedriveFunctionProps, ledgerPrefix: string): void {
  // The ledger lives in the failure bucket; listing skips it, so any sourcePrefix is safe.
  if (!Token.isUnresolved(ledgerPrefix) && (!ledgerPrefix.endsWith('/') || ledgerPrefix.length < 2)) {
    throw new Error(`ledgerPrefix must be a non-empty prefix ending with '/'. Received '${ledgerPrefix}'`);
  }
  checkDurationRange('timeout', props.timeout, LAMBDA_TIMEOUT);
  const memory = props.memorySize;
  if (memory !== undefined && !Token.isUnresolved(memory) && (memory < 128 || memory > 10240)) {
    throw new Error(`memorySize must be between 128 and 10240 MB. Received ${memory}`);
  }
}
