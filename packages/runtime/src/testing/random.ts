// The simulator draws from the same seeded PRNG (mulberry32) as the sample data.
export { seededRandom } from '../producer/sample-data';

/** FNV-1a, 32 bits: a stable hash for seeds and partition keys. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
