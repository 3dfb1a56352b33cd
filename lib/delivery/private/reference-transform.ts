import type { Construct } from 'constructs';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DEFAULT_LOG_RETENTION } from '../../private/function-logs';
import { bundledHandlerProps } from '../../private/handler-code';
import { PartitionValueSource, type Partitioning } from '../partitioning';

/** The reference web-log transform (lambda/reference-transform), with its own log group and role. */
export function createReferenceTransform(scope: Construct, id: string, partitioning: Partitioning): lambda.Function {
  // Event-time keys are parsed by Firehose (jq), not returned by the transform.
  const recordFieldKeys = partitioning.keys
    .filter((k) => k.source === PartitionValueSource.RECORD_FIELD)
    .map((k) => `${k.name}:${k.field}`);
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: DEFAULT_LOG_RETENTION,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // Own role, scoped to its log group: the default one carries the AWSLambdaBasicExecutionRole managed policy.
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return new lambda.Function(scope, id, {
    role,
    ...bundledHandlerProps('reference-transform'),
    description: 'Apache access/error log lines to web-log rows (cdk-kinesis-pipeline reference transform)',
    memorySize: 1024,
    // Firehose waits up to 5 minutes for a transform; a 1 MB batch takes well under a second.
    timeout: Duration.minutes(1),
    logGroup,
    environment: {
      POWERTOOLS_SERVICE_NAME: 'reference-transform',
      // 'key:field,…' for dynamic partitioning by a row field
      ...(recordFieldKeys.length > 0 ? { PARTITION_KEY_FIELDS: recordFieldKeys.join(',') } : {}),
    },
  });
}
