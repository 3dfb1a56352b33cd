import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { bundledHandlerProps } from '../private/handler-code';
import { ACKNOWLEDGMENT_REASONS, acknowledge } from '../private/acknowledge';
import { checkLogRetention, functionLogging } from '../private/function-logs';
import { LAMBDA_MEMORY, LAMBDA_TIMEOUT, checkDurationRange, checkNumber } from '../private/validation';

export interface ReferenceErrorAlertFunctionProps {
  /**
   * Receives one message per batch that holds error lines (HTTP 5xx, Apache error-log entries
   * at error level or worse), with counts and the first 10 lines.
   * @default - alerts are only logged
   */
  readonly alertTopic?: sns.ITopic;
  /**
   * 1 second to 15 minutes (whole seconds).
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * 128 to 10,240 MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * How long the function's log group keeps its logs (a `logs.RetentionDays` value).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The reference standard consumer's function: reads Apache log lines (one or more per record)
 * with the runtime toolkit and alerts on error lines. Attach it with `StreamConsumer({ handler })`.
 */
export class ReferenceErrorAlertFunction extends lambda.Function {
  /** The topic alerts are published to, when given. */
  public readonly alertTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: ReferenceErrorAlertFunctionProps = {}) {
    checkDurationRange('timeout', props.timeout, LAMBDA_TIMEOUT);
    checkNumber('memorySize', props.memorySize, LAMBDA_MEMORY);
    checkLogRetention('logRetention', props.logRetention);
    // Its own log group and a role that may write only there (not AWSLambdaBasicExecutionRole).
    const logging = functionLogging(scope, id, { retention: props.logRetention });
    super(scope, id, {
      ...bundledHandlerProps('reference-error-alert'),
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: props.memorySize ?? 256,
      role: logging.role,
      logGroup: logging.logGroup,
      description: 'Alerts on HTTP 5xx and error-log lines read from Kinesis',
      environment: props.alertTopic ? { ALERT_TOPIC_ARN: props.alertTopic.topicArn } : undefined,
    });
    this.alertTopic = props.alertTopic;
    props.alertTopic?.grantPublish(this);
    // Only an encrypted topic's grant carries the kms:GenerateDataKey* wildcard.
    if (props.alertTopic?.masterKey) {
      acknowledge(
        this,
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        ACKNOWLEDGMENT_REASONS.encryptedTopicPublish,
      );
    }
  }
}
