import { NagRuleCompliance } from 'cdk-nag';
import { CLOUDWATCH_PRINCIPAL, coversCloudWatch, grants, statementsOf } from './policy-document';
import { ERROR, NOT_APPLICABLE, compliantIf, type StreamingRule } from './rule';
import { asArray, refTarget, type StackTemplate, type TemplateResource } from './template';

const TOPIC = ['AWS::SNS::Topic'];
const ALARM_TYPES = ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'];
const ACTION_PROPERTIES = ['AlarmActions', 'OKActions', 'InsufficientDataActions'];
const KNOWLEDGE_CENTER = 'https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger';
const SNS_KEY_DOC = 'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html';
const AWS_MANAGED_SNS_KEY = /(^|:)alias\/aws\/sns$/;

/** Whether any alarm of the stack notifies `topic`. */
function receivesAlarms(topic: TemplateResource, template: StackTemplate): boolean {
  return ALARM_TYPES.flatMap((type) => template.ofType(type)).some((alarm) =>
    ACTION_PROPERTIES.some((p) => asArray(alarm.properties[p]).some((a) => refTarget(a) === topic.logicalId)),
  );
}

/** The policy documents attached to `topic` (AWS::SNS::TopicPolicy and AWS::SNS::TopicInlinePolicy). */
function topicPolicies(topic: TemplateResource, template: StackTemplate): unknown[] {
  const shared = template
    .ofType('AWS::SNS::TopicPolicy')
    .filter((p) => asArray(p.properties.Topics).some((t) => refTarget(t) === topic.logicalId));
  const inline = template
    .ofType('AWS::SNS::TopicInlinePolicy')
    .filter((p) => refTarget(p.properties.TopicArn) === topic.logicalId);
  return [...shared, ...inline].map((p) => p.properties.PolicyDocument);
}

/** The KMS key resource of `topic` (through an alias of this stack, too). */
function topicKey(topic: TemplateResource, template: StackTemplate): TemplateResource | undefined {
  const target = template.target(topic.properties.KmsMasterKeyId, 'AWS::KMS::Key', 'AWS::KMS::Alias');
  if (target?.type === 'AWS::KMS::Alias') return template.target(target.properties.TargetKeyId, 'AWS::KMS::Key');
  return target;
}

function onAlarmTopic(check: StreamingRule['evaluate']): StreamingRule['evaluate'] {
  return (topic, template, settings) =>
    receivesAlarms(topic, template) ? check(topic, template, settings) : NOT_APPLICABLE;
}

export const TOPIC_RULES: StreamingRule[] = [
  {
    id: 'AlarmTopicPolicy',
    level: ERROR,
    info: 'The SNS topic receives alarm actions, but its topic policy does not let cloudwatch.amazonaws.com publish.',
    explanation:
      "A topic policy replaces the topic's default policy. Unless a statement allows the CloudWatch service principal sns:Publish (and no unconditional Deny blocks it), every alarm action fails with 'not authorized to perform: SNS:Publish' and alarms change state silently; aws-cdk-lib's enforceSSL writes such a policy with only its TLS Deny. See the AWS knowledge center article 'Why didn't I receive an SNS notification for my CloudWatch alarm trigger?' (cloudwatch-receive-sns-for-alarm-trigger).",
    docs: KNOWLEDGE_CENTER,
    resourceTypes: TOPIC,
    evaluate: onAlarmTopic((topic, template) => {
      const documents = topicPolicies(topic, template);
      if (documents.length === 0) return NagRuleCompliance.COMPLIANT; // the default policy lets the account's alarms publish
      const statements = documents.flatMap(statementsOf);
      const applies = (s: (typeof statements)[number]) => grants(s, 'sns:Publish') && coversCloudWatch(s.principal);
      const allowed = statements.some((s) => s.effect === 'Allow' && applies(s));
      const denied = statements.some((s) => s.effect === 'Deny' && !s.hasCondition && applies(s));
      return compliantIf(allowed && !denied);
    }),
  },
  {
    id: 'AlarmTopicKey',
    level: ERROR,
    info: 'The SNS topic receives alarm actions and is encrypted with a KMS key whose policy does not let cloudwatch.amazonaws.com use it.',
    explanation: `To publish to an encrypted topic, CloudWatch needs kms:Decrypt and kms:GenerateDataKey* on the topic's key, granted to the ${CLOUDWATCH_PRINCIPAL} service principal in the key policy; otherwise alarm actions fail. See the Amazon SNS documentation 'Key management' (Enable compatibility between event sources from AWS services and encrypted topics).`,
    docs: SNS_KEY_DOC,
    resourceTypes: TOPIC,
    evaluate: onAlarmTopic((topic, template) => {
      const key = topicKey(topic, template);
      if (!key) return NOT_APPLICABLE;
      const allowed = statementsOf(key.properties.KeyPolicy).filter(
        (s) => s.effect === 'Allow' && coversCloudWatch(s.principal),
      );
      return compliantIf(
        ['kms:Decrypt', 'kms:GenerateDataKey'].every((action) => allowed.some((s) => grants(s, action))),
      );
    }),
  },
  {
    id: 'AlarmTopicManagedKey',
    level: ERROR,
    info: 'The SNS topic receives alarm actions but is encrypted with the AWS managed key alias/aws/sns, which CloudWatch cannot use.',
    explanation:
      "The key policy of the AWS managed key for SNS cannot be changed, so it can never allow the CloudWatch service principal: alarm actions on the topic fail. Encrypt the topic with a customer managed key whose policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*. See the Amazon SNS documentation 'Key management' and the AWS knowledge center article cloudwatch-receive-sns-for-alarm-trigger.",
    docs: SNS_KEY_DOC,
    resourceTypes: TOPIC,
    evaluate: onAlarmTopic((topic) => {
      const key = topic.properties.KmsMasterKeyId;
      return compliantIf(!(typeof key === 'string' && AWS_MANAGED_SNS_KEY.test(key)));
    }),
  },
];
