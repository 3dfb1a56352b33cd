/**
 * The buckets the constructs create keep overwritten and deleted objects for 30 days: the lake
 * bucket (its raw/ backup is the only copy of the source records once the stream's retention has
 * passed) and the failure bucket (failed batches and quarantined records).
 */
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { StreamConsumer } from '../../lib/consumer';
import { DataLakeDelivery } from '../../lib/delivery';
import { createTestStack } from '../support/app';

const stack = createTestStack();
const stream = new kinesis.Stream(stack, 'Stream', { shardCount: 1 });
const lake = new DataLakeDelivery(stack, 'Lake', { stream });
const consumer = new StreamConsumer(stack, 'Consumer', {
  stream,
  entry: path.join(__dirname, '..', 'consumer', 'support', 'sample-handler.ts'),
});
const template = Template.fromStack(stack);
const bucketOf = (bucket: s3.IBucket) =>
  template.findResources('AWS::S3::Bucket')[stack.resolve((bucket.node.defaultChild as s3.CfnBucket).logicalId)];

test.each([
  ['the lake bucket', () => lake.bucket],
  ['the failure bucket', () => consumer.failureBucket],
])('%s is versioned, and noncurrent versions expire after 30 days', (_name, bucket) => {
  const props = bucketOf(bucket()).Properties;
  expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  const rules = props.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
  expect(rules.map((r) => r.NoncurrentVersionExpiration).filter(Boolean)).toEqual([{ NoncurrentDays: 30 }]);
});
