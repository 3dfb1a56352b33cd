import { Duration, RemovalPolicy, Tokenization } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { bundledHandlerProps } from '../private/handler-code';
import { ACKNOWLEDGMENT_REASONS, BASIC_EXECUTION_ROLE_FINDING, acknowledge } from '../private/acknowledge';
import { LAMBDA_TIMEOUT, checkDurationRange } from '../private/validation';

export interface ReferenceErrorAlertFunctionProps {
  /**
   * Receives the alerts: at most one message per `alertWindow` and stream, with the number of
   * error lines (HTTP 5xx, Apache error-log entries at error level or worse) and the window's
   * first and last lines.
   * @default - a new topic of its own (encrypted with a new KMS key, TLS-only publishing), not the alarm topic
   */
  readonly alertTopic?: sns.ITopic;
  /**
   * The time window alerts are aggregated over: tumbling, by processing time, aligned to the
   * clock (5 minutes: :00, :05, ...). A window's message goes out about a minute after it ends.
   * Whole minutes, 1 to 60.
   * @default Duration.minutes(5)
   */
  readonly alertWindow?: Duration;
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
 * with the runtime toolkit and alerts on error lines, aggregated per time window (DynamoDB table,
 * shared by every shard) and sent by a schedule (every minute) once per window and stream.
 * Attach it with `StreamConsumer({ handler })`.
 */
export class ReferenceErrorAlertFunction extends lambda.Function {
  /** The topic alerts are published to (yours, or the one created). */
  public readonly alertTopic: sns.ITopic;
  /** The time window alerts are aggregated over. */
  public readonly alertWindow: Duration;
  /** Per window and stream: the counts and sample lines, and whether the window was sent. */
  public readonly alertWindowsTable: dynamodb.Table;
  /** Sends the closed windows, every minute. */
  public readonly flushSchedule: events.Rule;

  constructor(scope: Construct, id: string, props: ReferenceErrorAlertFunctionProps = {}) {
    checkDurationRange('timeout', props.timeout, LAMBDA_TIMEOUT);
    const alertWindow = props.alertWindow ?? Duration.minutes(5);
    checkDurationRange('alertWindow', alertWindow, { unit: 'minutes', min: 1, max: 60, integral: true });
    super(scope, id, {
      ...bundledHandlerProps('reference-error-alert'),
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: props.memorySize ?? 256,
      description: 'Alerts on HTTP 5xx and error-log lines read from Kinesis, once per time window',
    });
    this.alertWindow = alertWindow;
    this.alertTopic =
      props.alertTopic ??
      new sns.Topic(this, 'AlertTopic', {
        masterKey: new kms.Key(this, 'AlertTopicKey', {
          description: `Encrypts the error-line alert topic of ${this.node.path}`,
          enableKeyRotation: true,
        }),
        enforceSSL: true,
      });
    this.alertWindowsTable = new dynamodb.Table(this, 'AlertWindows', {
      partitionKey: { name: 'windowStart', type: dynamodb.AttributeType.NUMBER },
      sortKey: { name: 'stream', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Counts of the last windows only (they expire after two days): nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.flushSchedule = new events.Rule(this, 'FlushSchedule', {
      description: 'Sends the error-line alerts of closed windows',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this)],
    });

    this.addEnvironment('ALERT_TOPIC_ARN', this.alertTopic.topicArn);
    this.addEnvironment('ALERT_WINDOWS_TABLE', this.alertWindowsTable.tableName);
    this.addEnvironment('ALERT_WINDOW_SECONDS', Tokenization.stringifyNumber(alertWindow.toSeconds()));
    this.alertTopic.grantPublish(this);
    this.alertWindowsTable.grant(this, 'dynamodb:UpdateItem', 'dynamodb:Query');
    acknowledge(this, BASIC_EXECUTION_ROLE_FINDING, ACKNOWLEDGMENT_REASONS.basicExecutionRole);
    // An encrypted topic's grant carries the kms:GenerateDataKey* action group (on that key only).
    if (this.alertTopic.masterKey) {
      acknowledge(
        this,
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        ACKNOWLEDGMENT_REASONS.encryptedTopicPublish,
      );
    }
  }
}
