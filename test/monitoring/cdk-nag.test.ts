import { Stack } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { PipelineMonitoring } from '../../lib/monitoring';
import { createTestApp } from '../support/app';
import { addNagChecks, synthWithNag } from '../support/nag';

test('AwsSolutions checks pass on the topic, key, subscription, alarms and dashboard', () => {
  const app = createTestApp();
  addNagChecks(app);
  const stack = new Stack(app, 'Nag');
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED });
  new PipelineMonitoring(stack, 'Monitoring', { alarmEmail: 'oncall@example.com' }).monitorStream(stream);
  // Errors (e.g. AwsSolutions-SNS2/SNS3/KMS5) and warnings alike.
  expect(synthWithNag(app).findings).toEqual([]);
});
