/**
 * aws-cdk-lib's DeliveryStream adds a mapping of Firehose's CIDR blocks (the peer of
 * `deliveryStream.connections`) to its stack; in an environment-agnostic stack it is rendered
 * whether used or not, and cfn-lint reports it (W7001, "Mapping is defined but not used").
 * DataLakeDelivery leaves it out unless `connections` is read, and never removes a mapping a
 * user's own DeliveryStream created.
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLakeDelivery } from '../../lib/delivery';
import { createTestStack } from '../support/app';

const MAPPING = 'awscdkawskinesisfirehoseCidrBlocks';

function lake(stack: Stack, id = 'Lake'): DataLakeDelivery {
  const stream = new kinesis.Stream(stack, `${id}Stream`, { shardCount: 1 });
  return new DataLakeDelivery(stack, id, { stream });
}

const mappingsOf = (stack: Stack) => Object.keys(stack.resolve(stackTemplate(stack)).Mappings ?? {});
const stackTemplate = (stack: Stack) => (stack as unknown as { _toCloudFormation(): any })._toCloudFormation();

test('an environment-agnostic stack gets no unused CIDR-block mapping, with one or two deliveries', () => {
  const stack = createTestStack();
  lake(stack);
  lake(stack, 'Second');
  expect(mappingsOf(stack)).toEqual([]);
});

test('reading deliveryStream.connections puts the mapping back, and the rule refers to it', () => {
  const stack = createTestStack();
  const delivery = lake(stack);
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1 });
  const group = new ec2.SecurityGroup(stack, 'Group', { vpc });
  group.connections.allowFrom(delivery.deliveryStream, ec2.Port.tcp(443));
  const template = stack.resolve(stackTemplate(stack));
  expect(Object.keys(template.Mappings)).toEqual([MAPPING]);
  const ingress =
    template.Resources[stack.getLogicalId(group.node.defaultChild as ec2.CfnSecurityGroup)].Properties
      .SecurityGroupIngress[0];
  expect(ingress.CidrIp).toEqual({ 'Fn::FindInMap': [MAPPING, { Ref: 'AWS::Region' }, 'FirehoseCidrBlock'] });
  expect(template.Mappings[MAPPING]['us-east-1'].FirehoseCidrBlock).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
});

test("a user's DeliveryStream created before keeps its mapping", () => {
  const stack = createTestStack();
  new firehose.DeliveryStream(stack, 'UserStream', {
    destination: new firehose.S3Bucket(new s3.Bucket(stack, 'UserBucket')),
  });
  lake(stack);
  expect(mappingsOf(stack)).toEqual([MAPPING]);
});

test('a stack with a concrete region never renders it (aws-cdk-lib resolves the lookup at synth)', () => {
  const stack = createTestStack('Env', { env: { account: '123456789012', region: 'eu-west-1' } });
  const delivery = lake(stack);
  expect(delivery.deliveryStream.connections).toBeDefined();
  expect(mappingsOf(stack)).toEqual([]);
});
