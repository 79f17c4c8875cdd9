/**
 * Hash-key arithmetic for resharding in tests. Pure: the shard ranges come from ListShards as
 * decimal strings of 128-bit unsigned integers.
 */

const MAX_HASH_KEY = (1n << 128n) - 1n;
const DECIMAL = /^(0|[1-9]\d*)$/;

/**
 * The `NewStartingHashKey` that splits the shard range `[startingHashKey, endingHashKey]` in half:
 * the lower child gets `[start, mid - 1]`, the upper `[mid, end]`; for an odd-sized range the upper
 * child is one key larger. SplitShard needs `start < mid <= end`, so a one-key range cannot split.
 * @public
 * @example
 * // The first split of a one-shard stream: 2^127.
 * midpointHashKey('0', '340282366920938463463374607431768211455');
 */
export function midpointHashKey(startingHashKey: string, endingHashKey: string): string {
  const start = parseHashKey(startingHashKey, 'startingHashKey');
  const end = parseHashKey(endingHashKey, 'endingHashKey');
  if (end <= start) {
    throw new RangeError(
      `cannot split the range [${startingHashKey}, ${endingHashKey}]: it has one key or none`,
    );
  }
  return (start + (end - start + 1n) / 2n).toString();
}

function parseHashKey(value: string, field: string): bigint {
  if (!DECIMAL.test(value)) throw new RangeError(`${field} is not a canonical decimal: ${value}`);
  const key = BigInt(value);
  if (key > MAX_HASH_KEY) throw new RangeError(`${field} exceeds 2^128-1: ${value}`);
  return key;
}

/**
 * Orders decimal hash keys numerically (string order is wrong: '9' > '10'). For `Array#sort`.
 * @public
 */
export function compareHashKeys(a: string, b: string): number {
  const x = parseHashKey(a, 'a');
  const y = parseHashKey(b, 'b');
  return x < y ? -1 : x > y ? 1 : 0;
}
