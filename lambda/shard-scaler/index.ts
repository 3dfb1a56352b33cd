/**
 * The ShardAutoScaler Lambda: runs every minute and scales one provisioned stream. Overlapping
 * runs are safe without reserved concurrency (scaler.ts: compare-before-write on the history
 * tag). A thin adapter: clients are created once per container, everything else is in scaler.ts
 * and the pure decision.ts.
 */
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { readEnvironment } from './config';
import { metricDataQuery, toObservations } from './observations';
import { type ScalerPorts, type TickResult, runScalerTick } from './scaler';

const env = readEnvironment(process.env);
const kinesis = new KinesisClient({});
const cloudwatch = new CloudWatchClient({});
const sns = new SNSClient({});
const logger = new Logger({ serviceName: 'shard-scaler' });

const ports: ScalerPorts = {
  kinesis,
  async fetchObservations(streamName, now, minutes) {
    const input = metricDataQuery(streamName, now, minutes);
    const results: MetricDataResult[] = [];
    let nextToken: string | undefined;
    do {
      const page = await cloudwatch.send(new GetMetricDataCommand({ ...input, NextToken: nextToken }));
      results.push(...(page.MetricDataResults ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return toObservations(results, input.StartTime!.getTime(), input.EndTime!.getTime());
  },
  async publishMetrics(metrics) {
    const dimensions = [{ Name: 'StreamName', Value: env.streamName }];
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: env.metricNamespace,
        MetricData: [
          { MetricName: 'ShardCount', Dimensions: dimensions, Value: metrics.shardCount, Unit: 'Count' },
          { MetricName: 'ScalingEvents', Dimensions: dimensions, Value: metrics.scalingEvents, Unit: 'Count' },
          {
            MetricName: 'ThrottledAtMaxShards',
            Dimensions: dimensions,
            Value: metrics.throttledAtMaxShards,
            Unit: 'Count',
          },
          { MetricName: 'UpdateCallsRemaining', Dimensions: dimensions, Value: metrics.callsRemaining, Unit: 'Count' },
          { MetricName: 'ShardsNeeded', Dimensions: dimensions, Value: metrics.shardsNeeded, Unit: 'Count' },
        ],
      }),
    );
  },
  async notify(subject, message) {
    await sns.send(
      new PublishCommand({ TopicArn: env.topicArn, Subject: subject.slice(0, 100), Message: JSON.stringify(message) }),
    );
  },
  log(level, message, fields) {
    logger[level](message, fields);
  },
  now: () => Date.now(),
};

export async function handler(): Promise<TickResult> {
  return runScalerTick(ports, env);
}
