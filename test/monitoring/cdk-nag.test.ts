import { Stack, Validations } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PipelineMonitoring } from '../../lib/monitoring';
import { createTestApp } from '../support/app';

test('AwsSolutions checks pass on the topic, key, subscription, alarms and dashboard', () => {
  const app = createTestApp();
  const stack = new Stack(app, 'Nag');
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED });
  new PipelineMonitoring(stack, 'Monitoring', { alarmEmail: 'oncall@example.com' }).monitorStream(stream);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Validation errors (e.g. AwsSolutions-SNS2/SNS3/KMS5) make synth throw.
  expect(() => app.synth()).not.toThrow();
});
