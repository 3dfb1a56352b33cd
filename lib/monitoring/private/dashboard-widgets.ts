import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type { IMonitorableAutoScaler, IMonitorableConsumer, IMonitorableDelivery } from '../monitorable';
import type { ConsumerThresholds } from './consumer-alarms';
import type { DeliveryThresholds } from './delivery-alarms';
import type { StreamThresholds } from './stream-alarms';

/** Kinesis write capacity of one shard. */
export const SHARD_BYTES_PER_SECOND = 1024 * 1024;
export const SHARD_RECORDS_PER_SECOND = 1000;

const ONE_MINUTE = Duration.minutes(1);
const WIDTH = 6;
const HEIGHT = 6;

function header(text: string): cloudwatch.IWidget {
  return new cloudwatch.TextWidget({ markdown: `### ${text}`, width: 24, height: 1 });
}

function graph(
  title: string,
  left: cloudwatch.IMetric[],
  leftAnnotations?: cloudwatch.HorizontalAnnotation[],
): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, leftAnnotations, width: WIDTH, height: HEIGHT });
}

function threshold(value: number, label: string): cloudwatch.HorizontalAnnotation {
  return { value, label, color: cloudwatch.Color.RED };
}

/** A per-second rate from a per-minute Sum, so it compares with per-second shard capacity. */
function perSecond(metric: cloudwatch.Metric, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'm / PERIOD(m)',
    usingMetrics: { m: metric.with({ statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE }) },
    label,
    period: ONE_MINUTE,
  });
}

export function streamWidgets(
  stream: kinesis.IStream,
  label: string,
  t: StreamThresholds,
  shardCount: number | undefined,
): cloudwatch.IWidget[] {
  const capacity = (perShard: number, unit: string): cloudwatch.HorizontalAnnotation[] =>
    // A token shard count cannot be multiplied at synth time: no capacity line then.
    shardCount === undefined || Token.isUnresolved(shardCount)
      ? []
      : [{ value: shardCount * perShard, label: `write capacity (${shardCount} shards, ${unit})` }];
  return [
    header(`Stream ${label}`),
    new cloudwatch.Row(
      graph(
        'Incoming bytes/s vs capacity',
        [perSecond(stream.metricIncomingBytes(), 'IncomingBytes/s')],
        capacity(SHARD_BYTES_PER_SECOND, 'bytes/s'),
      ),
      graph(
        'Incoming records/s vs capacity',
        [perSecond(stream.metricIncomingRecords(), 'IncomingRecords/s')],
        capacity(SHARD_RECORDS_PER_SECOND, 'records/s'),
      ),
      graph(
        'Iterator age (ms, max)',
        [stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: cloudwatch.Stats.MAXIMUM })],
        [threshold(t.iteratorAgeThresholdInMillis, 'alarm')],
      ),
      graph('Throttled (sum)', [
        stream.metricWriteProvisionedThroughputExceeded({ statistic: cloudwatch.Stats.SUM, label: 'write (records)' }),
        stream.metricReadProvisionedThroughputExceeded({ statistic: cloudwatch.Stats.SUM, label: 'read (calls)' }),
      ]),
    ),
  ];
}

export function autoScalerWidgets(scaler: IMonitorableAutoScaler, label: string): cloudwatch.IWidget[] {
  const shards = scaler.metricShardCount({ statistic: cloudwatch.Stats.MAXIMUM, period: ONE_MINUTE });
  return [
    header(`Shard autoscaler ${label}`),
    new cloudwatch.Row(
      graph('Shard count', [shards.with({ label: 'open shards' })], [{ value: scaler.maxShards, label: 'maxShards' }]),
      graph('Incoming bytes/s vs live capacity', [
        perSecond(scaler.stream.metricIncomingBytes(), 'IncomingBytes/s'),
        new cloudwatch.MathExpression({
          expression: `s * ${SHARD_BYTES_PER_SECOND}`,
          usingMetrics: { s: shards },
          label: 'write capacity (bytes/s)',
          period: ONE_MINUTE,
        }),
      ]),
      graph('Scaler errors and throttled at max', [
        scaler.metricErrors({ statistic: cloudwatch.Stats.SUM, label: 'errors' }),
        scaler.metricThrottledAtMaxShards({ statistic: cloudwatch.Stats.MAXIMUM, label: 'throttled at maxShards' }),
      ]),
    ),
  ];
}

export function consumerWidgets(
  consumer: IMonitorableConsumer,
  label: string,
  t: ConsumerThresholds,
  options: { readonly quarantine: boolean; readonly failureDestination: boolean; readonly enhancedFanOut: boolean },
): cloudwatch.IWidget[] {
  const failures: cloudwatch.IMetric[] = [
    consumer.metricErrors({ statistic: cloudwatch.Stats.SUM, label: 'errors' }),
    consumer.metricThrottles({ statistic: cloudwatch.Stats.SUM, label: 'throttles' }),
  ];
  const diverted: cloudwatch.IMetric[] = [
    consumer.metricDestinationDeliveryFailures({
      statistic: cloudwatch.Stats.SUM,
      label: 'failure destination write failures',
    }),
  ];
  if (options.failureDestination) {
    diverted.push(consumer.metricDroppedEventCount({ statistic: cloudwatch.Stats.SUM, label: 'dropped' }));
    diverted.push(
      consumer.metricOnFailureDestinationDeliveredEventCount({
        statistic: cloudwatch.Stats.SUM,
        label: 'to failure destination',
      }),
    );
  }
  if (options.quarantine) {
    diverted.push(consumer.metricRecordsQuarantined({ statistic: cloudwatch.Stats.SUM, label: 'quarantined' }));
  }
  const widgets: cloudwatch.IWidget[] = [
    graph(
      'Iterator age (ms, max)',
      [consumer.metricIteratorAge({ statistic: cloudwatch.Stats.MAXIMUM })],
      [threshold(t.iteratorAgeThresholdInMillis, 'alarm')],
    ),
    graph('Errors and throttles', failures),
  ];
  widgets.push(graph('Records diverted or lost', diverted));
  if (options.enhancedFanOut) {
    widgets.push(
      graph(
        'MillisBehindLatest (max)',
        [consumer.metricMillisBehindLatest({ statistic: cloudwatch.Stats.MAXIMUM })],
        [threshold(t.millisBehindLatestThresholdInMillis, 'alarm')],
      ),
    );
  }
  return [header(`Consumer ${label}`), new cloudwatch.Row(...widgets)];
}

export function deliveryWidgets(
  delivery: IMonitorableDelivery,
  label: string,
  t: DeliveryThresholds,
): cloudwatch.IWidget[] {
  return [
    header(`Delivery ${label}`),
    new cloudwatch.Row(
      graph(
        'Data freshness (s, max)',
        [delivery.metricDataFreshness({ statistic: cloudwatch.Stats.MAXIMUM })],
        [threshold(t.dataFreshnessThresholdInSeconds, 'alarm')],
      ),
      graph('Success ratios (avg)', [
        delivery.metricDeliveryToS3Success({ statistic: cloudwatch.Stats.AVERAGE, label: 'DeliveryToS3' }),
        delivery.metricExecuteProcessingSuccess({ statistic: cloudwatch.Stats.AVERAGE, label: 'ExecuteProcessing' }),
      ]),
      graph(delivery.conversionFormat ? 'Failed conversion and throttled reads (sum)' : 'Throttled reads (sum)', [
        ...(delivery.conversionFormat
          ? [
              delivery.metricFailedConversionRecords({
                statistic: cloudwatch.Stats.SUM,
                label: `FailedConversion.Records (${delivery.conversionFormat})`,
              }),
            ]
          : []),
        delivery.metricThrottledGetRecords({ statistic: cloudwatch.Stats.SUM, label: 'ThrottledGetRecords' }),
      ]),
      graph(
        'Behind source stream (ms, max)',
        [delivery.metricKinesisMillisBehindLatest({ statistic: cloudwatch.Stats.MAXIMUM })],
        [threshold(t.kinesisMillisBehindLatestThresholdInMillis, 'alarm')],
      ),
    ),
  ];
}

/**
 * An alarm status widget that lists the alarms present at synth time, so it can sit at the top of
 * the dashboard although alarms are added by later monitorXxx calls. Grows with the alarm count.
 */
export class AlarmStatusRow implements cloudwatch.IWidget {
  public readonly width = 24;
  public readonly warnings: string[] | undefined = undefined;
  private x = 0;
  private y = 0;

  constructor(private readonly alarms: () => cloudwatch.IAlarm[]) {}

  public get height(): number {
    // The widget shows four alarms per row of height 1, plus the title.
    return Math.max(3, 1 + Math.ceil(this.alarms().length / 4));
  }

  public position(x: number, y: number): void {
    this.x = x;
    this.y = y;
  }

  public toJson(): unknown[] {
    const widget = new cloudwatch.AlarmStatusWidget({
      title: 'Pipeline alarms',
      alarms: this.alarms(),
      width: this.width,
      height: this.height,
      sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
    });
    widget.position(this.x, this.y);
    return widget.toJson();
  }
}
