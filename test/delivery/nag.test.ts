import { Stack } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { DataLakeDelivery } from '../../lib/delivery';
import { createTestApp } from '../support/app';
import { addNagChecks, readTemplate, synthWithNag } from '../support/nag';

/**
 * cdk-nag AwsSolutions on a default DataLakeDelivery: the construct acknowledges the findings its
 * design accepts (KDF1, the aws-cdk-lib S3/Glue grant wildcards), each with a reason; any other
 * finding fails.
 */
test('AwsSolutions: no unacknowledged finding, every acknowledgment with a reason', () => {
  const app = createTestApp();
  addNagChecks(app);
  const stack = new Stack(app, 'Nag');
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED });
  new DataLakeDelivery(stack, 'Delivery', { stream });
  const { findings, outdir } = synthWithNag(app);
  expect(findings).toEqual([]);

  const resources = Object.values(readTemplate(outdir, stack.artifactId).Resources) as any[];
  const acknowledged = resources.flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
  expect(acknowledged.map((a: { id: string }) => a.id)).toEqual(
    expect.arrayContaining(['AwsSolutions-KDF1', 'AwsSolutions-IAM5[Resource::*]']),
  );
  for (const a of acknowledged) expect(a.reason).toMatch(/\w+( \w+){5,}/);
  // The reason names what is acknowledged: the L2's read/write grant includes deletes.
  const deletes = acknowledged.find((a: { id: string }) => a.id === 'AwsSolutions-IAM5[Action::s3:DeleteObject*]');
  expect(deletes.reason).toMatch(/grantReadWrite .*s3:DeleteObject\*/);
});
