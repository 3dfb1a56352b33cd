import { NagRuleCompliance } from 'cdk-nag';
import { ERROR, NOT_APPLICABLE, WARN, compliantIf, type StreamingRule } from './rule';
import { asNumber, field, isIntrinsic } from './template';

export const STREAM_RULES: StreamingRule[] = [
  {
    id: 'StreamEncryption',
    level: ERROR,
    info: 'The Kinesis stream is not encrypted at rest (StreamEncryption with EncryptionType KMS).',
    explanation:
      'Without server-side encryption the records are stored unencrypted in the stream for its whole retention. Encrypt with the AWS managed key alias/aws/kinesis or a customer managed key (give consumers and Firehose kms:Decrypt on it). See the Kinesis Data Streams documentation "Data protection in Amazon Kinesis Data Streams" (server-side encryption).',
    docs: 'https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html',
    resourceTypes: ['AWS::Kinesis::Stream'],
    evaluate: (stream) => {
      const encryption = stream.properties.StreamEncryption;
      // aws-cdk-lib's default Stream writes Fn::If(<region without Kinesis SSE>, NoValue, KMS): it
      // encrypts wherever Kinesis can.
      const branches = field(encryption, 'Fn::If');
      const candidates = Array.isArray(branches) ? branches.slice(1) : [encryption];
      const types = candidates.map((c) => field(c, 'EncryptionType'));
      if (types.some(isIntrinsic)) return NOT_APPLICABLE;
      return compliantIf(types.includes('KMS'));
    },
  },
  {
    id: 'StreamOnDemandShardCount',
    level: ERROR,
    info: 'The Kinesis stream is ON_DEMAND but sets ShardCount.',
    explanation:
      'A shard count is only for PROVISIONED streams: Kinesis manages the shards of an on-demand stream and rejects a ShardCount for it (aws-cdk-lib refuses it too). See the Kinesis API reference "CreateStream" and the CloudFormation resource AWS::Kinesis::Stream.',
    docs: 'https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html',
    resourceTypes: ['AWS::Kinesis::Stream'],
    evaluate: (stream) => {
      const mode = field(stream.properties, 'StreamModeDetails', 'StreamMode');
      if (mode !== 'ON_DEMAND') return NOT_APPLICABLE;
      return compliantIf(stream.properties.ShardCount === undefined);
    },
  },
  {
    id: 'LambdaReservedConcurrency',
    level: WARN,
    info: 'The Lambda function reserves concurrency, which fails to deploy in accounts still at the initial concurrency quota.',
    explanation:
      "Lambda keeps at least 100 concurrent executions unreserved; a new account's quota can be as low as 10, and then any ReservedConcurrentExecutions is refused ('decreases account's UnreservedConcurrentExecution below its minimum value of [100]') and the stack fails to deploy. Reserve only where the deploying accounts have the quota, or make it an option. See the Lambda documentation 'Configuring reserved concurrency' and 'Lambda quotas'.",
    docs: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html',
    resourceTypes: ['AWS::Lambda::Function'],
    evaluate: (fn) => {
      const reserved = fn.properties.ReservedConcurrentExecutions;
      if (reserved === undefined) return NagRuleCompliance.COMPLIANT;
      const n = asNumber(reserved);
      return n === undefined ? NOT_APPLICABLE : compliantIf(n < 1);
    },
  },
];
