import { Duration, Token } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';

/** The retention period of a stream defined in this app, when it is a plain number of hours. */
export function knownStreamRetention(stream: kinesis.IStream): Duration | undefined {
  const cfn = stream.node.defaultChild;
  if (!(cfn instanceof kinesis.CfnStream)) return undefined;
  const hours = cfn.retentionPeriodHours;
  if (hours === undefined) return Duration.hours(24);
  return typeof hours === 'number' && !Token.isUnresolved(hours) ? Duration.hours(hours) : undefined;
}
