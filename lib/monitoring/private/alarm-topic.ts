import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * The principal CloudWatch alarms publish as.
 * @see https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
 */
export const CLOUDWATCH_PRINCIPAL = 'cloudwatch.amazonaws.com';
/** What an encrypted topic's key must let CloudWatch do (SNS key management: AWS services as event sources). */
export const KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'];

/**
 * The confused-deputy conditions for the CloudWatch service principal: only alarms of this
 * stack's account and region (`arn:<partition>:cloudwatch:<region>:<account>:alarm:*`, composite
 * alarms included) may use the grant. CloudWatch sends both keys with its SNS publish and KMS calls.
 * @see https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger (aws:SourceArn)
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 */
export function cloudWatchAlarmConditions(scope: Construct): Record<string, Record<string, string>> {
  const stack = Stack.of(scope);
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    },
  };
}

/**
 * The alarm topic PipelineMonitoring creates: encrypted with its own rotating key, SSL-only, and
 * with a topic policy that lets CloudWatch alarms publish. The policy is needed because any topic
 * policy replaces the default one, and `enforceSSL` writes one whose only statement is a Deny.
 */
export function createAlarmTopic(scope: Construct): { topic: sns.Topic; key: kms.Key } {
  const key = new kms.Key(scope, 'AlarmTopicKey', {
    description: `Encrypts the alarm topic of ${scope.node.path}`,
    enableKeyRotation: true,
  });
  const conditions = cloudWatchAlarmConditions(scope);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToUseTheKey',
      principals: [new iam.ServicePrincipal(CLOUDWATCH_PRINCIPAL)],
      actions: KEY_ACTIONS,
      resources: ['*'],
      conditions,
    }),
  );
  const topic = new sns.Topic(scope, 'AlarmTopic', { masterKey: key, enforceSSL: true });
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal(CLOUDWATCH_PRINCIPAL)],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions,
    }),
  );
  return { topic, key };
}

/**
 * Checks at synth time a topic the user passed in, when it is an `sns.Topic` of the same app
 * (an imported topic cannot be inspected): errors for what certainly drops every notification,
 * a warning for what cannot be seen from here. Returns the error messages.
 */
export function checkUserAlarmTopic(monitoring: Construct, prop: string, topic: sns.ITopic): string[] {
  if (!(topic instanceof sns.Topic)) return [];
  const stack = Stack.of(topic);
  const errors: string[] = [];
  const cfnTopic = topic.node.defaultChild as sns.CfnTopic;
  const keyId = JSON.stringify(stack.resolve(cfnTopic.kmsMasterKeyId) ?? null);
  if (keyId.includes('alias/aws/sns')) {
    errors.push(
      `${prop} ${topic.node.path} is encrypted with the AWS-managed key alias/aws/sns, whose key policy does not let CloudWatch use it: every alarm notification would be dropped. Encrypt it with a customer-managed key that allows ${CLOUDWATCH_PRINCIPAL} ${KEY_ACTIONS.join(' and ')}. Received kmsMasterKeyId ${keyId}`,
    );
  } else if (topic.masterKey) {
    const keyPolicy = customerKeyPolicy(topic.masterKey);
    if (keyPolicy === undefined) {
      Annotations.of(monitoring).addWarningV2(
        'cdk-kinesis-pipeline:alarmTopicKeyUnchecked',
        `${prop} ${topic.node.path} is encrypted with a key this app does not define; make sure its key policy allows ${CLOUDWATCH_PRINCIPAL} ${KEY_ACTIONS.join(' and ')}, or no alarm notification arrives.`,
      );
    } else if (!allows(stack.resolve(keyPolicy), KEY_ACTIONS)) {
      errors.push(
        `${prop} ${topic.node.path} is encrypted with ${topic.masterKey.node.path}, whose key policy does not let ${CLOUDWATCH_PRINCIPAL} ${KEY_ACTIONS.join(' and ')}: every alarm notification would be dropped. Add that statement (with aws:SourceAccount and aws:SourceArn conditions) to the key policy. Received a key policy without it`,
      );
    }
  }
  for (const policy of topicPoliciesOf(topic)) {
    if (!allows(stack.resolve(policy.policyDocument), ['sns:Publish'])) {
      errors.push(
        `${prop} ${topic.node.path} has a topic policy (${policy.node.path}) without an Allow of sns:Publish for ${CLOUDWATCH_PRINCIPAL}; a topic policy replaces the default one, so CloudWatch could not publish. Add topic.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.ServicePrincipal('${CLOUDWATCH_PRINCIPAL}')], actions: ['sns:Publish'], resources: [topic.topicArn] })), with aws:SourceAccount and aws:SourceArn conditions. Received a policy without it`,
      );
    }
  }
  return errors;
}

/** The key policy of a key defined in this app, or undefined for an imported key. */
function customerKeyPolicy(key: kms.IKey): unknown {
  const cfn = key.node.defaultChild;
  return cfn instanceof kms.CfnKey ? (cfn.keyPolicy ?? {}) : undefined;
}

/** Every topic policy of the app that applies to the topic (the topic's own and standalone ones). */
function topicPoliciesOf(topic: sns.Topic): sns.CfnTopicPolicy[] {
  const stack = Stack.of(topic);
  const ref = JSON.stringify(stack.resolve(topic.topicArn));
  return stack.node
    .findAll()
    .filter((c): c is sns.CfnTopicPolicy => c instanceof sns.CfnTopicPolicy)
    .filter((p) => (stack.resolve(p.topics) as unknown[]).some((t) => JSON.stringify(t) === ref));
}

interface Statement {
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: string | string[];
}

/**
 * Whether a resolved policy document has an Allow that covers every action for the CloudWatch
 * service principal (or for everyone). Conditions are not evaluated: a condition that excludes
 * CloudWatch is the user's explicit choice.
 */
function allows(document: unknown, actions: string[]): boolean {
  const statements = ((document as { Statement?: Statement[] } | undefined)?.Statement ?? []) as Statement[];
  const covered = (action: string, granted: string[]): boolean =>
    granted.some((g) => g === '*' || g.toLowerCase() === action.toLowerCase() || matchesWildcard(g, action));
  return statements.some((s) => {
    if (s.Effect !== 'Allow' || !principalIsCloudWatch(s.Principal)) return false;
    const granted = ([] as string[]).concat(s.Action ?? []);
    return actions.every((a) => covered(a, granted));
  });
}

function matchesWildcard(pattern: string, action: string): boolean {
  if (!pattern.includes('*')) return false;
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`, 'i');
  // 'kms:GenerateDataKey*' asked for is covered by the same wildcard or a broader one.
  return regex.test(action) || regex.test(action.replace(/\*$/, ''));
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function principalIsCloudWatch(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal === null || typeof principal !== 'object') return false;
  const { Service, AWS } = principal as { Service?: unknown; AWS?: unknown };
  const list = (value: unknown): unknown[] => ([] as unknown[]).concat(value ?? []);
  return list(Service).includes(CLOUDWATCH_PRINCIPAL) || list(AWS).includes('*');
}
