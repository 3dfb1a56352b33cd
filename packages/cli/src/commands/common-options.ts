import type { AwsFlags } from '../aws-settings';
import { UsageError } from '../cli-io';

export const AWS_OPTIONS = {
  region: { type: 'string' },
  profile: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'instance-credentials': { type: 'boolean' },
} as const;

export const AWS_OPTIONS_HELP = `AWS:
  --region <region>            default: AWS_REGION, AWS_DEFAULT_REGION or the profile's region
  --profile <name>             default: AWS_PROFILE or 'default'
  --endpoint-url <url>         e.g. a local emulator such as kinesis-local
  --instance-credentials       allow the EC2 instance role as the only credential source`;

export function awsFlags(values: Record<string, unknown>): AwsFlags {
  return {
    region: values.region as string | undefined,
    profile: values.profile as string | undefined,
    endpointUrl: values['endpoint-url'] as string | undefined,
    instanceCredentials: values['instance-credentials'] === true,
  };
}

/** A number greater than 0 (an integer when asked), or a usage error naming the flag and the value. */
export function parsePositiveNumber(flag: string, text: string, integer = false): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} must be a number greater than 0. Received '${text}'`);
  }
  if (integer && !Number.isInteger(value)) throw new UsageError(`${flag} must be a whole number. Received '${text}'`);
  return value;
}
