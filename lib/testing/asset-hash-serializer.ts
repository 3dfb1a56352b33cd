/**
 * Snapshot helpers for stacks that use these constructs. Asset hashes change whenever a
 * bundled handler or aws-cdk-lib changes; a snapshot should not.
 */

const ASSET_HASH = /[a-f0-9]{64}/g;
export const ASSET_HASH_PLACEHOLDER = '[HASH REMOVED]';

/** Replaces every 64-hex-digit asset hash in a string. */
export function removeAssetHashes(value: string): string {
  return value.replace(ASSET_HASH, ASSET_HASH_PLACEHOLDER);
}

/** Returns a deep copy of a synthesized template with asset hashes normalized. */
export function normalizeTemplate<T>(template: T): T {
  return JSON.parse(removeAssetHashes(JSON.stringify(template))) as T;
}

/**
 * A Jest snapshot serializer: add it to `snapshotSerializers` in jest.config.js, or call
 * `expect.addSnapshotSerializer(assetHashSerializer)`.
 */
export const assetHashSerializer = {
  test(value: unknown): boolean {
    return typeof value === 'string' && new RegExp(ASSET_HASH.source).test(value);
  },
  print(value: unknown): string {
    return JSON.stringify(removeAssetHashes(value as string));
  },
};
