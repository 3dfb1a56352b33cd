import { Duration, Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { bundledHandlerProps } from '../private/handler-code';
import { ACKNOWLEDGMENT_REASONS, BASIC_EXECUTION_ROLE_FINDING, acknowledge } from '../private/acknowledge';
import { LAMBDA_TIMEOUT, checkDurationRange } from '../private/validation';

export interface ReferenceMinuteAggregatesFunctionProps {
  /**
   * CloudWatch namespace of the aggregates.
   * @default 'CdkKinesisPipeline/Traffic'
   */
  readonly metricsNamespace?: string;
  /**
   * Value of the `service` dimension of the aggregates.
   * @default - a name unique in the app, derived from the construct path
   */
  readonly serviceName?: string;
  /**
   * 1 second to 15 minutes (whole seconds).
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
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
    const metricsNamespace = props.metricsNamespace ?? 'CdkKinesisPipeline/Traffic';
    super(scope, id, {
      ...bundledHandlerProps('reference-minute-aggregates'),
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: props.memorySize ?? 256,
      description: 'Per-minute traffic aggregates of Apache access logs read from Kinesis, as CloudWatch metrics',
    });
    this.metricsNamespace = metricsNamespace;
    this.serviceName = props.serviceName ?? Names.uniqueResourceName(this, { maxLength: 128 });
    this.addEnvironment('AGGREGATES_NAMESPACE', this.metricsNamespace);
    this.addEnvironment('AGGREGATES_SERVICE_NAME', this.serviceName);
    acknowledge(this, BASIC_EXECUTION_ROLE_FINDING, ACKNOWLEDGMENT_REASONS.basicExecutionRole);
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
