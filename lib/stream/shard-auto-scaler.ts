import { Duration, Stack, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import { bundledHandlerProps } from '../private/handler-code';
import { checkFraction, checkIntegerRange, bothResolved } from '../private/validation';
import { SHARD_AUTO_SCALER_DEFAULTS as DEFAULTS, SHARD_AUTO_SCALER_NAMESPACE } from './scaler-defaults';

/** The ShardAutoScaler settings, without the stream (ScalableStream takes these). */
export interface ShardAutoScalerOptions {
  /**
   * The fewest shards the scaler goes to, 1 to 10,000.
   * @default 1
   */
  readonly minShards?: number;
  /**
   * The most shards the scaler goes to, 1 to 10,000 (UpdateShardCount's limit; the account's
   * shard quota, 500 or 200 by default depending on the Region, also applies). It caps the cost:
   * 100 shards cost about $1,100 a month at $0.015 per shard-hour. When traffic needs more, the
   * stream is throttled at maxShards: watch `metricShardsNeeded()` and
   * `metricThrottledAtMaxShards()`.
   * @see https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
   * @default 100; in a ScalableStream with `expectedTraffic`, the larger of 100 and twice the planned shards
   */
  readonly maxShards?: number;
  /**
   * The utilization new shard counts are sized for, in (0, 1]: the share of the write capacity
   * (1 MiB/s or 1,000 records/s per shard) the average demand should use after a resize.
   * @default 0.85
   */
  readonly targetUtilization?: number;
  /**
   * Utilization above which the scaler scales up before writes are throttled, in (0, 1], at
   * least targetUtilization. Throttled writes always trigger a scale-up.
   * @default 0.95
   */
  readonly scaleUpUtilization?: number;
  /**
   * UpdateShardCount calls of the rolling 24-hour budget that only scale-ups (and large savings)
   * may use, 0 to 9.
   * @default 3
   */
  readonly reservedScaleUpCalls?: number;
  /**
   * The most UpdateShardCount calls the scaler makes in any rolling 24 hours, 1 to 10 (AWS allows
   * 10). Lower it to keep calls for manual resizes.
   * @default 10
   */
  readonly maxCallsPer24Hours?: number;
  /**
   * How long demand must stay low before a scale-down, 1 to 120 minutes.
   * @default Duration.minutes(20)
   */
  readonly scaleDownWindow?: Duration;
  /**
   * How long after any resize a scale-down is not considered, 0 to 1440 minutes.
   * @default Duration.minutes(15)
   */
  readonly scaleDownCooldown?: Duration;
  /**
   * How often the scaler runs, 1 to 60 minutes. CloudWatch stream metrics are per minute.
   * @default Duration.minutes(1)
   */
  readonly evaluationInterval?: Duration;
  /**
   * Receives a JSON message for every resize (stream, from, to, reason, utilization).
   * @default - no notifications; decisions are still logged and published as metrics
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Reserved concurrent executions of the scaler function, 1 to 10 (one is all it uses), so that
   * it always has capacity to run. Off by default: a reservation fails the deploy in accounts
   * whose Lambda concurrency quota is still at its initial value ("decreases account's
   * UnreservedConcurrentExecution below its minimum value"). Runs need no reservation to be
   * safe: a resize is a compare-before-write on the stream's history tag, and Kinesis runs one
   * resize at a time.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   * @default - no reservation
   */
  readonly reservedConcurrentExecutions?: number;
}

export interface ShardAutoScalerProps extends ShardAutoScalerOptions {
  /**
   * The provisioned stream to scale; an imported one (`Stream.fromStreamArn`) works too.
   */
  readonly stream: kinesis.IStream;
}

/** Streams that already have a scaler in this app: two scalers would fight over one budget. */
const SCALED_STREAMS = new WeakMap<IConstruct, string>();

function minutesOf(name: string, value: Duration | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (value.isUnresolved()) return undefined;
  const minutes = value.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < min || minutes > max) {
    throw new Error(
      `${name} must be a whole number of minutes between ${min} and ${max}. Received ${value.toHumanString()}`,
    );
  }
  return minutes;
}

/** The stream mode of a stream defined in this app, when it can be read at synth time. */
function streamModeOf(stream: kinesis.IStream): string | undefined {
  const cfn = stream.node.defaultChild;
  if (!(cfn instanceof kinesis.CfnStream)) return undefined;
  const details = Stack.of(stream).resolve(cfn.streamModeDetails) as { streamMode?: unknown } | undefined;
  return typeof details?.streamMode === 'string' ? details.streamMode : undefined;
}

/**
 * Scales the shards of a provisioned Kinesis stream with the traffic, within the UpdateShardCount
 * limits (targets within [½×, 2×] of the current count and [minShards, maxShards], at most
 * `maxCallsPer24Hours` calls per rolling 24 hours, no call while the stream is UPDATING).
 *
 * A Lambda function (Node.js, the library's handler runtime) runs every minute, reads the
 * per-minute CloudWatch metrics IncomingBytes, IncomingRecords and
 * WriteProvisionedThroughputExceeded, decides with a pure policy and calls UpdateShardCount
 * (UNIFORM_SCALING). The calls of the last 24 hours are kept in a tag on the stream, so the budget
 * survives cold starts and redeploys; a resize is recorded there, checked again and only then
 * made, so that two overlapping runs never make two resizes (no reserved concurrency needed).
 * Minutes without datapoints are unknown demand, never zero: no scale-down without recent data.
 */
export class ShardAutoScaler extends Construct {
  /** CloudWatch namespace of the metrics the scaler publishes (dimension StreamName). */
  public static readonly METRIC_NAMESPACE: string = SHARD_AUTO_SCALER_NAMESPACE;

  /** The scaler function. */
  public readonly function: lambda.Function;
  /** The stream it scales. */
  public readonly stream: kinesis.IStream;
  /** The fewest shards the scaler goes to. */
  public readonly minShards: number;
  /** The most shards the scaler goes to. */
  public readonly maxShards: number;
  /** The EventBridge rule that runs the scaler. */
  public readonly schedule: events.Rule;
  /** The scaler's log group: one JSON line per decision. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ShardAutoScalerProps) {
    super(scope, id);
    const minShards = props.minShards ?? DEFAULTS.minShards;
    const maxShards = props.maxShards ?? DEFAULTS.maxShards;
    const targetUtilization = props.targetUtilization ?? DEFAULTS.targetUtilization;
    const scaleUpUtilization = props.scaleUpUtilization ?? DEFAULTS.scaleUpUtilization;
    const reservedScaleUpCalls = props.reservedScaleUpCalls ?? DEFAULTS.reservedScaleUpCalls;
    const maxCallsPer24Hours = props.maxCallsPer24Hours ?? DEFAULTS.maxCallsPer24Hours;

    checkIntegerRange('minShards', minShards, 1, 10_000);
    checkIntegerRange('maxShards', maxShards, 1, 10_000);
    if (bothResolved(minShards, maxShards) && minShards > maxShards) {
      throw new Error(
        `minShards must be at most maxShards. Received minShards ${minShards} and maxShards ${maxShards}`,
      );
    }
    checkFraction('targetUtilization', targetUtilization);
    checkFraction('scaleUpUtilization', scaleUpUtilization);
    if (bothResolved(targetUtilization, scaleUpUtilization) && targetUtilization > scaleUpUtilization) {
      throw new Error(
        `targetUtilization must be at most scaleUpUtilization. Received targetUtilization ${targetUtilization} and scaleUpUtilization ${scaleUpUtilization}`,
      );
    }
    checkIntegerRange('maxCallsPer24Hours', maxCallsPer24Hours, 1, 10);
    checkIntegerRange('reservedConcurrentExecutions', props.reservedConcurrentExecutions, 1, 10);
    checkIntegerRange('reservedScaleUpCalls', reservedScaleUpCalls, 0, 9);
    if (bothResolved(reservedScaleUpCalls, maxCallsPer24Hours) && reservedScaleUpCalls >= maxCallsPer24Hours) {
      throw new Error(
        `reservedScaleUpCalls must be less than maxCallsPer24Hours. Received reservedScaleUpCalls ${reservedScaleUpCalls} and maxCallsPer24Hours ${maxCallsPer24Hours}`,
      );
    }
    const scaleDownWindowMinutes =
      minutesOf('scaleDownWindow', props.scaleDownWindow, 1, 120) ?? DEFAULTS.scaleDownWindowMinutes;
    const scaleDownCooldownMinutes =
      minutesOf('scaleDownCooldown', props.scaleDownCooldown, 0, 1440) ?? DEFAULTS.scaleDownCooldownMinutes;
    minutesOf('evaluationInterval', props.evaluationInterval, 1, 60);

    const mode = streamModeOf(props.stream);
    if (mode !== undefined && mode !== kinesis.StreamMode.PROVISIONED) {
      throw new Error(
        `stream must be a PROVISIONED stream: ShardAutoScaler cannot scale a stream in ${mode} mode. Received streamMode ${mode} for ${props.stream.node.path}`,
      );
    }
    // Keyed by the L1 when there is one: a ScalableStream and its kinesis.Stream share one CfnStream.
    const scaledKey = props.stream.node.defaultChild ?? props.stream;
    const existing = SCALED_STREAMS.get(scaledKey);
    if (existing) {
      throw new Error(
        `stream ${props.stream.node.path} already has a ShardAutoScaler (${existing}): two scalers would share one UpdateShardCount budget and undo each other's work`,
      );
    }
    SCALED_STREAMS.set(scaledKey, this.node.path);

    this.stream = props.stream;
    this.minShards = minShards;
    this.maxShards = maxShards;

    const num = (n: number) => Tokenization.stringifyNumber(n);
    // Our own role and log group: the role can write to this log group only, instead of the
    // AWSLambdaBasicExecutionRole managed policy (logs:* on every log group).
    const role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Role of the shard autoscaler of ${props.stream.node.path}`,
    });
    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: logs.RetentionDays.ONE_MONTH });
    this.logGroup.grantWrite(role);
    this.function = new lambda.Function(this, 'Resource', {
      role,
      logGroup: this.logGroup,
      description: `Scales the shards of Kinesis stream ${props.stream.node.path} with its traffic`,
      ...bundledHandlerProps('shard-scaler'),
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Shorter than the interval; a late run is dropped, not queued. Runs may still overlap
      // (EventBridge delivers at least once): the handler's compare-before-write makes that safe.
      timeout: Duration.seconds(50),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
      environment: {
        STREAM_NAME: props.stream.streamName,
        STREAM_ARN: props.stream.streamArn,
        METRIC_NAMESPACE: SHARD_AUTO_SCALER_NAMESPACE,
        MIN_SHARDS: num(minShards),
        MAX_SHARDS: num(maxShards),
        TARGET_UTILIZATION: num(targetUtilization),
        SCALE_UP_UTILIZATION: num(scaleUpUtilization),
        RESERVED_SCALE_UP_CALLS: num(reservedScaleUpCalls),
        SCALE_DOWN_WINDOW_MINUTES: num(scaleDownWindowMinutes),
        SCALE_DOWN_COOLDOWN_MINUTES: num(scaleDownCooldownMinutes),
        MAX_CALLS_PER_24_HOURS: num(maxCallsPer24Hours),
        ...(props.notificationTopic ? { NOTIFICATION_TOPIC_ARN: props.notificationTopic.topicArn } : {}),
      },
    });

    // Least privilege: the four stream actions on this stream only.
    props.stream.grant(
      this.function,
      'kinesis:DescribeStreamSummary',
      'kinesis:ListTagsForStream',
      'kinesis:AddTagsToStream',
      'kinesis:UpdateShardCount',
    );
    // GetMetricData has no resource-level permissions; PutMetricData is limited to our namespace.
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': SHARD_AUTO_SCALER_NAMESPACE } },
      }),
    );
    props.notificationTopic?.grantPublish(this.function);
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudwatch:GetMetricData has no resource-level permissions; cloudwatch:PutMetricData is limited to the CdkKinesisPipeline/ShardAutoScaler namespace by a cloudwatch:namespace condition.',
    );

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Runs the shard autoscaler of ${props.stream.node.path}`,
      schedule: events.Schedule.rate(props.evaluationInterval ?? Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
  }

  /** Errors of the scaler function. @default Sum over 5 minutes */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors({ statistic: cloudwatch.Stats.SUM, ...props });
  }

  /** Open shards of the stream as the scaler sees them each run (after its own resize). @default Maximum over 1 minute */
  public metricShardCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.customMetric('ShardCount', {
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** UpdateShardCount calls the scaler made (1 per resize). @default Sum over 5 minutes */
  public metricScalingEvents(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.customMetric('ScalingEvents', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /** Runs that found writes throttled while already at maxShards. @default Sum over 5 minutes */
  public metricThrottledAtMaxShards(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.customMetric('ThrottledAtMaxShards', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /**
   * Shards the recent write demand needs at targetUtilization, as each run sees it (a lower bound
   * while writes are throttled). Alarm when it stays above `maxShards` (e.g. Maximum over 5
   * minutes > maxShards for 3 periods): the traffic has outgrown the bound. @default Maximum over 5 minutes
   */
  public metricShardsNeeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.customMetric('ShardsNeeded', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /** Calls left in the rolling 24-hour UpdateShardCount budget. @default Minimum over 5 minutes */
  public metricUpdateCallsRemaining(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.customMetric('UpdateCallsRemaining', { statistic: cloudwatch.Stats.MINIMUM, ...props });
  }

  private customMetric(metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: SHARD_AUTO_SCALER_NAMESPACE,
      metricName,
      dimensionsMap: { StreamName: this.stream.streamName },
      ...props,
    });
  }
}
