import { Stack } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { DataLakeDelivery } from '../../lib/delivery';
import { createTestApp } from '../support/app';
import { addNagChecks, readTemplate, synthWithNag } from '../support/nag';

/**
 * cdk-nag AwsSolutions on a default DataLakeDelivery: the construct acknowledges the findings its
 * design accepts (KDF1, the object and Glue wildcards of the Firehose role), each with a reason; any other
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
  // The Firehose role's S3 grant is the documented action list (no wildcard, no delete): no S3
  // action finding is left to acknowledge (least-privilege.test.ts checks the grant itself).
  expect(acknowledged.filter((a: { id: string }) => a.id.startsWith('AwsSolutions-IAM5[Action::s3:'))).toEqual([]);
});
