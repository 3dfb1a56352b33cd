/** A stack with every kind of monitored resource, monitored with default options. */
import { Duration, type Stack } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { PipelineMonitoring, type PipelineMonitoringProps } from '../../lib/monitoring';
import { createTestStack } from '../support/app';
import { autoScaler, delivery, efoConsumer, standardConsumer } from './fakes';

export interface MonitoredStack {
  readonly stack: Stack;
  readonly stream: kinesis.Stream;
  readonly monitoring: PipelineMonitoring;
}

export function monitoredStack(props: PipelineMonitoringProps = {}, context?: Record<string, unknown>): MonitoredStack {
  const stack = createTestStack('MonitoredStack', undefined, { context });
  const stream = new kinesis.Stream(stack, 'Stream', { shardCount: 2, retentionPeriod: Duration.hours(24) });
  const monitoring = new PipelineMonitoring(stack, 'Monitoring', props);
  monitoring.monitorStream(stream, { shardCount: 2 });
  monitoring.monitorConsumer(standardConsumer(stack, 'Polling', stream, Duration.hours(1)).consumer);
  monitoring.monitorConsumer(efoConsumer(stack, 'FanOut', stream).consumer);
  monitoring.monitorDelivery(delivery(stack, 'Delivery', stream).delivery);
  monitoring.monitorAutoScaler(autoScaler(stack, 'Scaler', stream).scaler);
  return { stack, stream, monitoring };
}
