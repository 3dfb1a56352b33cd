import { CfnMapping, Stack } from 'aws-cdk-lib';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct } from 'constructs';

/**
 * The id of the mapping of Firehose's CIDR blocks per region that aws-cdk-lib's DeliveryStream adds
 * to its stack (`setConnections` in aws-kinesisfirehose/lib/delivery-stream.ts, aws-cdk-lib 2.x):
 * the peer of `deliveryStream.connections`, for security groups of VPC destinations.
 */
const MAPPING_ID = '@aws-cdk/aws-kinesisfirehose.CidrBlocks';
const CIDR_KEY = 'FirehoseCidrBlock';

/**
 * Creates a DeliveryStream (`create`) without the Firehose CIDR-block mapping when nothing uses it.
 *
 * aws-cdk-lib adds the mapping (a lazy CfnMapping) in every DeliveryStream's constructor and looks
 * up `stack.region` in it for `connections`; in an environment-agnostic stack the region is a token,
 * so the mapping is rendered even though an S3 destination never uses `connections`. cfn-lint then
 * reports W7001 ("Mapping is defined but not used") in the user's stack.
 *
 * The Fn::FindInMap token that refers to the mapping lives only in `deliveryStream.connections`.
 * So when this DeliveryStream is the one that created the mapping (a user's own DeliveryStream
 * created before may rely on it: then it stays), the mapping is removed, and `connections` becomes
 * a getter that puts an identical mapping back the first time it is read. A template thus holds the
 * mapping exactly when something may reference it.
 */
export function withoutUnusedCidrMapping<T extends firehose.DeliveryStream>(scope: Construct, create: () => T): T {
  const stack = Stack.of(scope);
  const existed = stack.node.tryFindChild(MAPPING_ID) !== undefined;
  const deliveryStream = create();
  const mapping = stack.node.tryFindChild(MAPPING_ID);
  // tryRemoveChild takes the child's id as stored ('/' becomes '--'), not the id it was given.
  if (existed || !(mapping instanceof CfnMapping) || !stack.node.tryRemoveChild(mapping.node.id)) {
    return deliveryStream;
  }
  const connections = deliveryStream.connections;
  Object.defineProperty(deliveryStream, 'connections', {
    configurable: true,
    enumerable: true,
    get: () => {
      restoreCidrMapping(stack);
      return connections;
    },
  });
  return deliveryStream;
}

/** Puts back the mapping as aws-cdk-lib builds it (same id, so the same logical id the token names). */
function restoreCidrMapping(stack: Stack): void {
  if (stack.node.tryFindChild(MAPPING_ID)) return;
  const mapping: Record<string, Record<string, string>> = {};
  for (const region of RegionInfo.regions) {
    if (region.firehoseCidrBlock) mapping[region.name] = { [CIDR_KEY]: region.firehoseCidrBlock };
  }
  // Lazy, and looked up as aws-cdk-lib does: rendered only when the region is unknown at synth.
  new CfnMapping(stack, MAPPING_ID, { mapping, lazy: true }).findInMap(stack.region, CIDR_KEY);
}
