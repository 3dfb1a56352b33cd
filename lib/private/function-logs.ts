import { type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LOG_RETENTION_DAYS, checkOneOf } from './validation';

/**
 * How long the log group of every function the constructs create keeps its logs, unless the
 * construct's `logRetention` prop says otherwise: one month, long enough to investigate an
 * incident, short enough not to keep logs (which may hold record data) forever.
 */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/** A `logs.RetentionDays` value: one of the periods CloudWatch Logs accepts, or INFINITE. */
export function checkLogRetention(prop: string, value: logs.RetentionDays | undefined): void {
  checkOneOf(prop, value, [...LOG_RETENTION_DAYS, logs.RetentionDays.INFINITE], 'days (a logs.RetentionDays value)');
}

export interface FunctionLoggingOptions {
  /** @default DEFAULT_LOG_RETENTION */
  readonly retention?: logs.RetentionDays;
  /** @default - the log group's default (RETAIN) */
  readonly removalPolicy?: RemovalPolicy;
  /** The role's description. @default - none */
  readonly description?: string;
  /** An existing role to grant the log writes to, instead of a new one. @default - a new role */
  readonly role?: iam.IRole;
}

export interface FunctionLogging {
  /** The function's log group, with the retention given. */
  readonly logGroup: logs.LogGroup;
  /** A role for the function that may write to that log group and nothing else (yet); `options.role` when given. */
  readonly role: iam.IRole;
}

/**
 * A log group with a set retention, and an execution role that may write only to it: instead of
 * the AWSLambdaBasicExecutionRole managed policy, which allows logs:CreateLogGroup,
 * logs:CreateLogStream and logs:PutLogEvents on every log group of the account (Resource "*").
 * Pass both to the function (`role`, `logGroup`): Lambda then writes to this log group
 * (LoggingConfig), whatever the app's @aws-cdk/aws-lambda:useCdkManagedLogGroup flag.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
 */
export function functionLogging(
  scope: Construct,
  idPrefix: string,
  options: FunctionLoggingOptions = {},
): FunctionLogging {
  const logGroup = new logs.LogGroup(scope, `${idPrefix}LogGroup`, {
    retention: options.retention ?? DEFAULT_LOG_RETENTION,
    removalPolicy: options.removalPolicy,
  });
  const role =
    options.role ??
    new iam.Role(scope, `${idPrefix}ServiceRole`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: options.description,
    });
  logGroup.grantWrite(role);
  return { logGroup, role };
}
