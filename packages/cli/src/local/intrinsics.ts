/**
 * Resolves CloudFormation intrinsic functions in a template to the values a local run uses:
 * every resource gets a deterministic physical name (its explicit name property, else
 * `<stack>-<logicalId>` as CloudFormation would generate one), ARNs are built for a fake account
 * and region. What cannot be known before deploying (Fn::ImportValue, conditions) throws.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
 */
import { createHash } from 'node:crypto';
import type { TemplateResource } from './cloud-assembly';

export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_PARTITION = 'aws';

/** Property that names a resource, per type (absent: CloudFormation generates the name). */
const NAME_PROPERTY: Record<string, (p: Record<string, unknown>) => unknown> = {
  'AWS::S3::Bucket': (p) => p.BucketName,
  'AWS::Kinesis::Stream': (p) => p.Name,
  'AWS::Kinesis::StreamConsumer': (p) => p.ConsumerName,
  'AWS::Lambda::Function': (p) => p.FunctionName,
  'AWS::KinesisFirehose::DeliveryStream': (p) => p.DeliveryStreamName,
  'AWS::SNS::Topic': (p) => p.TopicName,
  'AWS::SQS::Queue': (p) => p.QueueName,
  'AWS::DynamoDB::Table': (p) => p.TableName,
  'AWS::Glue::Database': (p) => (p.DatabaseInput as { Name?: unknown } | undefined)?.Name,
  'AWS::Glue::Table': (p) => (p.TableInput as { Name?: unknown } | undefined)?.Name,
  'AWS::IAM::Role': (p) => p.RoleName,
  'AWS::Logs::LogGroup': (p) => p.LogGroupName,
};

/** ARN service and resource path per type. */
const ARN: Record<string, (name: string, region: string) => string> = {
  'AWS::S3::Bucket': (name) => `arn:${LOCAL_PARTITION}:s3:::${name}`,
  'AWS::Kinesis::Stream': (name, region) => `arn:${LOCAL_PARTITION}:kinesis:${region}:${LOCAL_ACCOUNT}:stream/${name}`,
  'AWS::Lambda::Function': (name, region) =>
    `arn:${LOCAL_PARTITION}:lambda:${region}:${LOCAL_ACCOUNT}:function:${name}`,
  'AWS::KinesisFirehose::DeliveryStream': (name, region) =>
    `arn:${LOCAL_PARTITION}:firehose:${region}:${LOCAL_ACCOUNT}:deliverystream/${name}`,
  'AWS::SNS::Topic': (name, region) => `arn:${LOCAL_PARTITION}:sns:${region}:${LOCAL_ACCOUNT}:${name}`,
  'AWS::SQS::Queue': (name, region) => `arn:${LOCAL_PARTITION}:sqs:${region}:${LOCAL_ACCOUNT}:${name}`,
  'AWS::DynamoDB::Table': (name, region) => `arn:${LOCAL_PARTITION}:dynamodb:${region}:${LOCAL_ACCOUNT}:table/${name}`,
  'AWS::IAM::Role': (name) => `arn:${LOCAL_PARTITION}:iam::${LOCAL_ACCOUNT}:role/${name}`,
  'AWS::Logs::LogGroup': (name, region) => `arn:${LOCAL_PARTITION}:logs:${region}:${LOCAL_ACCOUNT}:log-group:${name}:*`,
  'AWS::KMS::Key': (name, region) => `arn:${LOCAL_PARTITION}:kms:${region}:${LOCAL_ACCOUNT}:key/${name}`,
};

/** Ref returns the ARN (or URL) for these types, the name for the others. */
const REF_IS_ARN = new Set(['AWS::SNS::Topic', 'AWS::Kinesis::StreamConsumer']);

export class UnresolvableError extends Error {}

export class TemplateResolver {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly stackName: string,
    private readonly resources: Readonly<Record<string, TemplateResource>>,
    public readonly region: string,
    private readonly parameters: Readonly<Record<string, { Default?: unknown }>> = {},
  ) {}

  /** The physical name a resource gets locally. */
  public physicalName(logicalId: string): string {
    const known = this.names.get(logicalId);
    if (known !== undefined) return known;
    const resource = this.resource(logicalId);
    const explicit = NAME_PROPERTY[resource.Type]?.(resource.Properties ?? {});
    let name: string;
    if (resource.Type === 'AWS::Lambda::EventSourceMapping') {
      // Ref of a mapping is its UUID (on-failure objects are written under aws/lambda/<UUID>/).
      name = localUuid(`${this.stackName}/${logicalId}`);
    } else if (explicit !== undefined) {
      name = String(this.resolve(explicit));
    } else if (resource.Type === 'AWS::S3::Bucket') {
      // Bucket names: lowercase, 3-63 characters.
      name = `${this.stackName}-${logicalId}`
        .toLowerCase()
        .replace(/[^a-z0-9.-]/g, '-')
        .slice(0, 63);
    } else {
      name = `${this.stackName}-${logicalId}`.slice(0, 64);
    }
    this.names.set(logicalId, name);
    return name;
  }

  public arn(logicalId: string): string {
    const resource = this.resource(logicalId);
    if (resource.Type === 'AWS::Kinesis::StreamConsumer') {
      const props = resource.Properties ?? {};
      return `${String(this.resolve(props.StreamARN))}/consumer/${this.physicalName(logicalId)}:1700000000`;
    }
    const build = ARN[resource.Type];
    if (build) return build(this.physicalName(logicalId), this.region);
    const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
    return `arn:${LOCAL_PARTITION}:${service}:${this.region}:${LOCAL_ACCOUNT}:${this.physicalName(logicalId)}`;
  }

  /** A template value with every intrinsic function resolved; AWS::NoValue removes the key. */
  public resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0];
      if (key === 'Ref') return this.ref(String(arg));
      if (key.startsWith('Fn::') || key === 'Condition') return this.fn(key, arg);
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of entries) {
      const resolved = this.resolve(v);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  /** `resolve`, as a string. */
  public text(value: unknown): string {
    const resolved = this.resolve(value);
    return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
  }

  private ref(name: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return LOCAL_ACCOUNT;
      case 'AWS::Partition':
        return LOCAL_PARTITION;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:${LOCAL_PARTITION}:cloudformation:${this.region}:${LOCAL_ACCOUNT}:stack/${this.stackName}/local`;
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    if (name in this.parameters) {
      const parameter = this.parameters[name];
      if (parameter.Default === undefined) throw new UnresolvableError(`parameter ${name} has no default value`);
      return parameter.Default;
    }
    const resource = this.resource(name);
    if (REF_IS_ARN.has(resource.Type)) return this.arn(name);
    if (resource.Type === 'AWS::SQS::Queue') {
      return `https://sqs.${this.region}.amazonaws.com/${LOCAL_ACCOUNT}/${this.physicalName(name)}`;
    }
    return this.physicalName(name);
  }

  private getAtt(logicalId: string, attribute: string): unknown {
    const resource = this.resource(logicalId);
    if (attribute === 'Arn' || attribute === 'ConsumerARN' || attribute === 'TopicArn') return this.arn(logicalId);
    if (attribute === 'DomainName' && resource.Type === 'AWS::S3::Bucket') {
      return `${this.physicalName(logicalId)}.s3.amazonaws.com`;
    }
    if (attribute === 'RegionalDomainName' && resource.Type === 'AWS::S3::Bucket') {
      return `${this.physicalName(logicalId)}.s3.${this.region}.amazonaws.com`;
    }
    if (attribute === 'QueueUrl') return this.ref(logicalId);
    if (/Name$/.test(attribute)) return this.physicalName(logicalId);
    throw new UnresolvableError(`Fn::GetAtt ${logicalId}.${attribute} is not known before deploying`);
  }

  private fn(key: string, arg: unknown): unknown {
    switch (key) {
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
        return this.getAtt(String(id), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        const list = this.resolve(parts) as unknown[];
        return list.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, unknown];
        return String(this.resolve(source)).split(separator);
      }
      case 'Fn::Sub': {
        const [template, variables] = Array.isArray(arg)
          ? (arg as [string, Record<string, unknown>])
          : [String(arg), {}];
        return template.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
          if (name in variables) return String(this.resolve(variables[name]));
          const dot = name.indexOf('.');
          const value =
            dot > 0 && !name.startsWith('AWS::')
              ? this.getAtt(name.slice(0, dot), name.slice(dot + 1))
              : this.ref(name);
          return String(value);
        });
      }
      case 'Fn::Base64':
        return Buffer.from(String(this.resolve(arg))).toString('base64');
      case 'Fn::GetAZs':
        return [`${this.region}a`, `${this.region}b`, `${this.region}c`];
      default:
        throw new UnresolvableError(`${key} is not known before deploying (${JSON.stringify(arg).slice(0, 200)})`);
    }
  }

  private resource(logicalId: string): TemplateResource {
    const resource = this.resources[logicalId];
    if (!resource) throw new UnresolvableError(`the template has no resource or parameter '${logicalId}'`);
    return resource;
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

/** A UUID-shaped name derived from `seed`, the same on every run. */
export function localUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
