import { Duration, Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundledHandlerProps } from '../private/handler-code';
import { checkLogRetention, functionLogging } from '../private/function-logs';
import {
  LAMBDA_MEMORY,
  LAMBDA_TIMEOUT,
  NAME_RULES,
  checkDurationRange,
  checkName,
  checkNumber,
} from '../private/validation';

export interface ReferenceMinuteAggregatesFunctionProps {
  /**
   * CloudWatch namespace of the aggregates: 1 to 255 characters of A-Z, a-z, 0-9, '.', '-', '_',
   * '/', '#', ':' and spaces, not starting with 'AWS/'.
   * @default 'CdkKinesisPipeline/Traffic'
   */
  readonly metricsNamespace?: string;
  /**
   * Value of the `service` dimension of the aggregates: 1 to 1,024 characters, not only spaces.
   * @default - a name unique in the app, derived from the construct path
   */
  readonly serviceName?: string;
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
 * The reference enhanced fan-out consumer's function: per-minute traffic aggregates of Apache
 * access log lines (Requests, ClientErrors, ServerErrors, BytesSent, MaxLatency), published as
 * EMF metrics stamped with the minute of the log entries. Attach it with `StreamConsumer`.
 */
export class ReferenceMinuteAggregatesFunction extends lambda.Function {
  /** CloudWatch namespace of the aggregates. */
  public readonly metricsNamespace: string;
  /** Value of the `service` dimension of the aggregates. */
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: ReferenceMinuteAggregatesFunctionProps = {}) {
    checkDurationRange('timeout', props.timeout, LAMBDA_TIMEOUT);
    checkNumber('memorySize', props.memorySize, LAMBDA_MEMORY);
    checkLogRetention('logRetention', props.logRetention);
    checkName('metricsNamespace', props.metricsNamespace, NAME_RULES.metricNamespace);
    checkName('serviceName', props.serviceName, NAME_RULES.dimensionValue);
    // Its own log group and a role that may write only there (not AWSLambdaBasicExecutionRole).
    const logging = functionLogging(scope, id, { retention: props.logRetention });
    const metricsNamespace = props.metricsNamespace ?? 'CdkKinesisPipeline/Traffic';
    super(scope, id, {
      ...bundledHandlerProps('reference-minute-aggregates'),
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: props.memorySize ?? 256,
      role: logging.role,
      logGroup: logging.logGroup,
      description: 'Per-minute traffic aggregates of Apache access logs read from Kinesis, as CloudWatch metrics',
    });
    this.metricsNamespace = metricsNamespace;
    this.serviceName = props.serviceName ?? Names.uniqueResourceName(this, { maxLength: 128 });
    this.addEnvironment('AGGREGATES_NAMESPACE', this.metricsNamespace);
    this.addEnvironment('AGGREGATES_SERVICE_NAME', this.serviceName);
  }

  /** Requests per minute (Sum). */
  public metricRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.aggregateMetric('Requests', cloudwatch.Stats.SUM, props);
  }

  /** HTTP 5xx responses per minute (Sum). */
  public metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.aggregateMetric('ServerErrors', cloudwatch.Stats.SUM, props);
  }

  /** HTTP 4xx responses per minute (Sum). */
  public metricClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.aggregateMetric('ClientErrors', cloudwatch.Stats.SUM, props);
  }

  /** Response bytes per minute (Sum). */
  public metricBytesSent(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.aggregateMetric('BytesSent', cloudwatch.Stats.SUM, props);
  }

  /** Slowest request of the minute in ms, when the log has %D (Maximum). */
  public metricMaxLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.aggregateMetric('MaxLatency', cloudwatch.Stats.MAXIMUM, props);
  }

  private aggregateMetric(metricName: string, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { service: this.serviceName },
      statistic,
      period: Duration.minutes(1),
      ...props,
    });
  }
}
