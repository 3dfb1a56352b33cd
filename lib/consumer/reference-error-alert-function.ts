import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { bundledHandlerProps } from '../private/handler-code';
import { ACKNOWLEDGMENT_REASONS, BASIC_EXECUTION_ROLE_FINDING, acknowledge } from '../private/acknowledge';
import { LAMBDA_TIMEOUT, checkDurationRange } from '../private/validation';

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
  /** @default 256 */
  readonly memorySize?: number;
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
    super(scope, id, {
      ...bundledHandlerProps('reference-error-alert'),
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: props.memorySize ?? 256,
      description: 'Alerts on HTTP 5xx and error-log lines read from Kinesis',
      environment: props.alertTopic ? { ALERT_TOPIC_ARN: props.alertTopic.topicArn } : undefined,
    });
    this.alertTopic = props.alertTopic;
    props.alertTopic?.grantPublish(this);
    acknowledge(this, BASIC_EXECUTION_ROLE_FINDING, ACKNOWLEDGMENT_REASONS.basicExecutionRole);
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
