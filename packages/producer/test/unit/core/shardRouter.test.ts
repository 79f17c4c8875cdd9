import fc from 'fast-check';
import type { Shard } from '@aws-sdk/client-kinesis';
import {
  MAX_HASH_KEY,
  ShardMap,
  evenHashKeyRanges,
  partitionKeyHashWords,
} from '@kinesis-kit/common';
import { ShardRouter } from '../../../src/core/shardRouter.js';

function toShards(ranges: readonly { start: bigint; end: bigint }[]): Shard[] {
  return ranges.map((r, i) => ({
    ShardId: `shardId-${String(i).padStart(12, '0')}`,
    HashKeyRange: { StartingHashKey: r.start.toString(), EndingHashKey: r.end.toString() },
    SequenceNumberRange: { StartingSequenceNumber: '0' },
  }));
}

function words(key: bigint): Uint32Array {
  const out = new Uint32Array(4);
  for (let j = 0; j < 4; j++) out[j] = Number((key >> BigInt(96 - 32 * j)) & 0xffffffffn);
  return out;
}

const hashKey = fc.bigInt({ min: 0n, max: MAX_HASH_KEY });

/** Random maps: sorted cut points over 0..2^128-1, some ranges left out (gaps), some closed shards. */
const randomMap = fc
  .tuple(
    fc.uniqueArray(fc.bigInt({ min: 1n, max: MAX_HASH_KEY }), { maxLength: 12 }),
    fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }),
  )
  .map(([cuts, keep]) => {
    const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const bounds = [0n, ...sorted, MAX_HASH_KEY + 1n];
    const ranges = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      ranges.push({ start: bounds[i]!, end: bounds[i + 1]! - 1n, keep: keep[i] ?? true });
    }
    const shards = toShards(ranges);
    // A dropped range becomes a closed shard (an ending sequence number): a gap for routing.
    ranges.forEach((r, i) => {
      if (!r.keep) shards[i]!.SequenceNumberRange!.EndingSequenceNumber = '1';
    });
    return { map: new ShardMap(shards), bounds };
  });

describe('ShardRouter.routeWords', () => {
  it('routes like the bigint lookup at every boundary and around it', () => {
    fc.assert(
      fc.property(randomMap, ({ map, bounds }) => {
        const router = new ShardRouter(map, 0);
        for (const b of bounds) {
          for (const k of [b - 1n, b, b + 1n]) {
            if (k < 0n || k > MAX_HASH_KEY) continue;
            expect(router.routeWords(words(k))).toBe(router.route(k));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('routes like the bigint lookup for random hash keys', () => {
    fc.assert(
      fc.property(randomMap, fc.array(hashKey, { maxLength: 50 }), ({ map }, keys) => {
        const router = new ShardRouter(map, 0);
        for (const k of keys) expect(router.routeWords(words(k))).toBe(router.route(k));
      }),
      { numRuns: 300 },
    );
  });

  it('routes partition keys to the shard of their MD5 on an even 4-shard stream', () => {
    const router = new ShardRouter(new ShardMap(toShards(evenHashKeyRanges(4))), 0);
    const out = new Uint32Array(4);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 256 }), (key) => {
        partitionKeyHashWords(key, out);
        expect(router.routeWords(out)).toBe(router.map.shardForPartitionKey(key)?.shardId);
      }),
    );
  });

  it('finds no shard in an empty map', () => {
    const router = new ShardRouter(new ShardMap([]), 0);
    expect(router.routeWords(words(0n))).toBeUndefined();
    expect(router.routeWords(words(MAX_HASH_KEY))).toBeUndefined();
  });
});
