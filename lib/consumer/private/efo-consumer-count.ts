import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type { IConstruct } from 'constructs';

/**
 * Enhanced fan-out consumers already registered in this app on the same stream (compared by
 * the stream ARN as given, which is the same token for the same stream object).
 */
export function countEfoConsumers(scope: IConstruct, streamArn: string): number {
  return scope.node.root.node
    .findAll()
    .filter((c): c is kinesis.CfnStreamConsumer => c instanceof kinesis.CfnStreamConsumer && c.streamArn === streamArn)
    .length;
}
