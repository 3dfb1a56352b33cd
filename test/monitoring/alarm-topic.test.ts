/**
 * A topic the user passes in must be able to receive alarms: CloudWatch publishes as
 * cloudwatch.amazonaws.com, a topic policy replaces the default one, and an encrypted topic's key
 * must let CloudWatch use it (alias/aws/sns cannot). An sns.Topic of the same app is checked at
 * synth; an imported one cannot be inspected.
 * https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Stack } from 'aws-cdk-lib';
import { PipelineMonitoring, type PipelineMonitoringProps } from '../../lib/monitoring';
import { createTestStack } from '../support/app';

function monitored(stack: Stack, props: PipelineMonitoringProps): Template {
  new PipelineMonitoring(stack, 'Monitoring', props).monitorStream(new kinesis.Stream(stack, 'Stream'));
  return Template.fromStack(stack);
}

const cloudWatchPublish = (topic: sns.Topic): iam.PolicyStatement =>
  new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
  });

describe('a topic of the same app passed as alarmTopic', () => {
  test('encrypted with alias/aws/sns: synth fails naming the prop, the topic and the key', () => {
    const stack = createTestStack();
    const topic = new sns.Topic(stack, 'Pager', {
      masterKey: kms.Alias.fromAliasName(stack, 'SnsKey', 'alias/aws/sns'),
    });
    expect(() => monitored(stack, { alarmTopic: topic })).toThrow(
      /alarmTopic TestStack\/Pager is encrypted with the AWS-managed key alias\/aws\/sns.*Received kmsMasterKeyId/,
    );
  });

  test('with a topic policy that does not allow CloudWatch (enforceSSL writes one): synth fails', () => {
    const stack = createTestStack();
    const topic = new sns.Topic(stack, 'Pager', { enforceSSL: true });
    expect(() => monitored(stack, { alarmTopic: topic })).toThrow(
      /alarmTopic TestStack\/Pager has a topic policy \(TestStack\/Pager\/Policy\/Resource\) without an Allow of sns:Publish for cloudwatch.amazonaws.com/,
    );
  });

  test('a standalone TopicPolicy that does not allow CloudWatch is found too', () => {
    const stack = createTestStack();
    const topic = new sns.Topic(stack, 'Pager');
    const policy = new sns.TopicPolicy(stack, 'PagerPolicy', { topics: [topic] });
    policy.document.addStatements(
      new iam.PolicyStatement({
        principals: [new iam.AccountRootPrincipal()],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
      }),
    );
    expect(() => monitored(stack, { alarmTopic: topic })).toThrow(
      /PagerPolicy\/Resource\) without an Allow of sns:Publish/,
    );
  });

  test('with a topic policy that allows CloudWatch, or with no policy (the default one applies): no error', () => {
    const stack = createTestStack();
    const withPolicy = new sns.Topic(stack, 'Pager', { enforceSSL: true });
    withPolicy.addToResourcePolicy(cloudWatchPublish(withPolicy));
    const plain = new sns.Topic(stack, 'Plain');
    expect(() => monitored(stack, { alarmTopic: withPolicy, unhealthyTopic: plain })).not.toThrow();
  });

  test('encrypted with a key of the app whose policy does not let CloudWatch use it: synth fails', () => {
    const stack = createTestStack();
    const topic = new sns.Topic(stack, 'Pager', { masterKey: new kms.Key(stack, 'Key') });
    expect(() => monitored(stack, { alarmTopic: topic })).toThrow(
      /encrypted with TestStack\/Key, whose key policy does not let cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey\*/,
    );
  });

  test('encrypted with a key of the app that lets CloudWatch use it: no error', () => {
    const stack = createTestStack();
    const key = new kms.Key(stack, 'Key');
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    expect(() => monitored(stack, { alarmTopic: new sns.Topic(stack, 'Pager', { masterKey: key }) })).not.toThrow();
  });

  test('encrypted with an imported key: a warning says what its policy must allow', () => {
    const stack = createTestStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/abcd');
    monitored(stack, { alarmTopic: new sns.Topic(stack, 'Pager', { masterKey: key }) });
    Annotations.fromStack(stack).hasWarning(
      '/TestStack/Monitoring',
      Match.stringLikeRegexp(
        'key this app does not define.*cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey',
      ),
    );
  });

  test('unhealthyTopic is checked the same way', () => {
    const stack = createTestStack();
    const pager = new sns.Topic(stack, 'Pager', { enforceSSL: true });
    expect(() => monitored(stack, { unhealthyTopic: pager })).toThrow(
      /^[\s\S]*unhealthyTopic TestStack\/Pager has a topic policy/,
    );
  });
});

test('an imported topic cannot be inspected: no check, alarms use its ARN', () => {
  const stack = createTestStack();
  const topic = sns.Topic.fromTopicArn(stack, 'Pager', 'arn:aws:sns:eu-west-1:111111111111:pager');
  expect(() => monitored(stack, { alarmTopic: topic })).not.toThrow();
});
