import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CliError, type CliIo } from './cli-io';

export interface AwsFlags {
  readonly region?: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
  /** Allow the EC2 instance role (IMDS) as the only credential source. */
  readonly instanceCredentials?: boolean;
}

/** Settings every SDK client of the CLI is built with. */
export interface AwsClientSettings {
  readonly region: string;
  readonly profile?: string;
  readonly endpoint?: string;
  readonly requestHandler?: NodeHttpHandler;
  /** Set when the keys came from the environment the CLI was given. @default - the SDK's default chain */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * Region and credentials, checked WITHOUT calling AWS: the SDK's default chain would end by
 * probing the instance metadata endpoint, which hangs or fails late on a laptop. We look at
 * the same sources the chain reads first (flags, environment, ~/.aws files, container and
 * web-identity settings) and fail early with a message that names them.
 */
export function resolveAwsSettings(flags: AwsFlags, io: CliIo): AwsClientSettings {
  const env = io.env;
  const profile = flags.profile ?? env.AWS_PROFILE ?? 'default';
  const configFile = env.AWS_CONFIG_FILE ?? path.join(io.homeDir, '.aws', 'config');
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(io.homeDir, '.aws', 'credentials');
  const config = readIni(configFile);
  const credentials = readIni(credentialsFile);
  const configSection = config[profile === 'default' ? 'default' : `profile ${profile}`] ?? {};

  const hasEnvKeys = Boolean(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
  const hasProfile =
    Boolean(credentials[profile]?.aws_access_key_id) ||
    [
      'role_arn',
      'credential_process',
      'sso_session',
      'sso_start_url',
      'aws_access_key_id',
      'web_identity_token_file',
    ].some((key) => configSection[key] !== undefined);
  const hasContainer = Boolean(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI);
  const hasWebIdentity = Boolean(env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN);

  if (flags.profile && !hasProfile) {
    throw new CliError(`--profile '${flags.profile}' has no credentials in ${credentialsFile} or ${configFile}`);
  }
  const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? configSection.region;
  if (!region) {
    throw new CliError(
      `missing AWS region: pass --region, set AWS_REGION, or set region for profile '${profile}' in ${configFile}`,
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new CliError(`--region must be an AWS region such as eu-west-1. Received '${region}'`);
  }

  if (!(hasEnvKeys || hasProfile || hasContainer || hasWebIdentity || flags.instanceCredentials)) {
    throw new CliError(
      'missing AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile (or set AWS_PROFILE) ' +
        `for a profile in ${credentialsFile} or ${configFile}, or pass --instance-credentials on EC2`,
    );
  }

  let endpoint: string | undefined;
  if (flags.endpointUrl !== undefined) {
    try {
      endpoint = new URL(flags.endpointUrl).toString().replace(/\/$/, '');
    } catch {
      throw new CliError(`--endpoint-url must be a URL such as http://127.0.0.1:4567. Received '${flags.endpointUrl}'`);
    }
  }
  return {
    region,
    // The SDK's chain picks AWS_PROFILE itself; pass the flag only.
    profile: flags.profile,
    // Environment keys win in the SDK's chain too; passing them makes the CLI's environment the one that counts.
    credentials:
      hasEnvKeys && !flags.profile
        ? {
            accessKeyId: env.AWS_ACCESS_KEY_ID!,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
            sessionToken: env.AWS_SESSION_TOKEN,
          }
        : undefined,
    endpoint,
    // Local emulators (kinesis-local) speak HTTP/1.1 only, which NodeHttpHandler is.
    requestHandler: endpoint ? new NodeHttpHandler({ connectionTimeout: 5000 }) : undefined,
  };
}

/** A minimal INI reader for the two AWS files: `[section]` and `key = value` lines. */
export function readIni(file: string): Record<string, Record<string, string>> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = sections[section[1].trim()] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return sections;
}
