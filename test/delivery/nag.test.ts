import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DataLakeDelivery } from '../../lib/delivery';
import { createTestApp } from '../support/app';

/**
 * cdk-nag AwsSolutions on a default DataLakeDelivery. The findings it cannot avoid are acknowledged
 * here with their reason (the same list is in docs/delivery.md); any new finding fails the synth.
 */
function unavoidableFindings(bucketLogicalId: string): Array<{ id: string; reason: string }> {
  return [
    {
      id: 'AwsSolutions::AwsSolutions-KDF1',
      reason:
        'Firehose rejects server-side encryption with a Kinesis stream source; the data is encrypted in the stream.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-L1',
      reason: 'The library standardises on nodejs22.x for its handlers.',
    },
    ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action) => ({
      id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
      reason: 'The aws-cdk-lib S3Bucket destination grants bucket.grantReadWrite to the Firehose role.',
    })),
    {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`,
      reason: 'Firehose writes objects under generated keys in the delivery bucket.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'aws-cdk-lib SchemaConfiguration grants glue:GetSchemaVersion on * (no ARN for schema versions).',
    },
  ];
}

test('AwsSolutions: only the acknowledged, unavoidable findings', () => {
  const app = createTestApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'Nag');
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED });
  const delivery = new DataLakeDelivery(stack, 'Delivery', { stream });
  const bucketId = stack.getLogicalId(delivery.bucket.node.defaultChild as CfnElement);
  for (const finding of unavoidableFindings(bucketId)) Validations.of(delivery).acknowledge(finding);
  // The CloudFormation validator warns about a mapping inside aws-cdk-lib's Firehose L2.
  Validations.of(stack).acknowledge({ id: 'CloudFormation-Validate::W7001', reason: 'aws-cdk-lib internal mapping' });
  expect(() => app.synth()).not.toThrow();
});
