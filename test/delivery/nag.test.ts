import { Stack } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { DataLakeDelivery, TableSchema } from '../../lib/delivery';
import { createTestApp } from '../support/app';
import { addNagChecks, readTemplate, synthWithNag } from '../support/nag';

/**
 * cdk-nag AwsSolutions on a default DataLakeDelivery: the construct acknowledges the findings its
 * design accepts (KDF1, the object wildcards of the Firehose role, and with conversion its Glue
 * wildcard), each with a reason; any other finding fails.
 */
test('AwsSolutions: no unacknowledged finding, every acknowledgment with a reason and only where its finding is', () => {
  const app = createTestApp();
  addNagChecks(app);
  // JSON (no conversion) and Parquet through a Glue table (conversion), in one synthesis.
  const stacks = {
    json: new Stack(app, 'Nag'),
    parquet: new Stack(app, 'NagParquet'),
  };
  for (const [mode, stack] of Object.entries(stacks)) {
    const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED });
    new DataLakeDelivery(stack, 'Delivery', { stream, schema: mode === 'parquet' ? TableSchema.WEB_LOG : undefined });
  }
  const { findings, outdir } = synthWithNag(app);
  expect(findings).toEqual([]);

  const acknowledgedIn = (stack: Stack) => {
    const resources = Object.values(readTemplate(outdir, stack.artifactId).Resources) as any[];
    return resources.flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Array<{
      id: string;
      reason: string;
    }>;
  };
  const json = acknowledgedIn(stacks.json);
  const parquet = acknowledgedIn(stacks.parquet);
  expect(parquet.map((a) => a.id)).toEqual(
    expect.arrayContaining(['AwsSolutions-KDF1', 'AwsSolutions-IAM5[Resource::*]']),
  );
  // glue:GetSchemaVersion on * comes with conversion only: without it there is nothing on * to acknowledge.
  expect(json.map((a) => a.id)).toContain('AwsSolutions-KDF1');
  expect(json.map((a) => a.id)).not.toContain('AwsSolutions-IAM5[Resource::*]');
  for (const a of [...json, ...parquet]) expect(a.reason).toMatch(/\w+( \w+){5,}/);
  // The Firehose role's S3 grant is the documented action list (no wildcard, no delete): no S3
  // action finding is left to acknowledge (least-privilege.test.ts checks the grant itself).
  expect([...json, ...parquet].filter((a) => a.id.startsWith('AwsSolutions-IAM5[Action::s3:'))).toEqual([]);
});
