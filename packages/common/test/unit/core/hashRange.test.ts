import fc from 'fast-check';

import {
  FULL_HASH_KEY_RANGE,
  MAX_HASH_KEY,
  ShardMap,
  ValidationError,
  checkCoverage,
  evenHashKeyRanges,
  hashKeyRangeContains,
} from '@kinesis-kit/common';
import type { HashKeyRange, ListShardsShard } from '@kinesis-kit/common';

import { readVectorJson } from './vectors';

interface ShardMapVectors {
  list_shards_shards: {
    ShardId: string;
    ParentShardId?: string;
    StartingHashKey: string;
    EndingHashKey: string;
  }[];
  expected_lookup: [string, number][];
}

/** A ListShards-shaped shard (what the SDK returns) over [start, end]. */
function shard(id: string, start: bigint, end: bigint, closed = false): ListShardsShard {
  return {
    ShardId: id,
    HashKeyRange: { StartingHashKey: start.toString(), EndingHashKey: end.toString() },
    SequenceNumberRange: {
      StartingSequenceNumber: '1',
      ...(closed && { EndingSequenceNumber: '2' }),
    },
  };
}

describe('ShardMap on the KPL shard_map_test vectors', () => {
  const v = readVectorJson<ShardMapVectors>('shard_map_vectors.json');
  const map = new ShardMap(
    v.list_shards_shards.map((s) => ({
      ShardId: s.ShardId,
      ParentShardId: s.ParentShardId,
      HashKeyRange: { StartingHashKey: s.StartingHashKey, EndingHashKey: s.EndingHashKey },
    })),
  );

  it.each(v.expected_lookup)('maps hash key %s to shard %i', (hashKey, shardNumber) => {
    const found = map.lookup(BigInt(hashKey));
    expect(found?.shardId).toBe(`shardId-${String(shardNumber).padStart(12, '0')}`);
  });

  it('keeps the parent shard id and sees full coverage', () => {
    expect(map.get('shardId-000000000002')?.parentShardId).toBe('shardId-000000000000');
    expect(map.openShards.map((s) => s.shardId)).toEqual([
      'shardId-000000000002',
      'shardId-000000000003',
      'shardId-000000000001',
    ]);
    expect(map.checkCoverage()).toEqual({ ok: true, gaps: [], overlaps: [] });
  });
});

describe('ShardMap', () => {
  it('ignores closed shards in lookups but keeps them for get()', () => {
    // Prepare: a parent that was split into two children.
    const half = 1n << 127n;
    const map = new ShardMap([
      shard('parent', 0n, MAX_HASH_KEY, true),
      shard('left', 0n, half - 1n),
      shard('right', half, MAX_HASH_KEY),
    ]);
    // Act / Assess
    expect(map.lookup(0n)?.shardId).toBe('left');
    expect(map.lookup(half)?.shardId).toBe('right');
    expect(map.lookup(MAX_HASH_KEY)?.shardId).toBe('right');
    expect(map.get('parent')?.open).toBe(false);
    expect(map.openShards).toHaveLength(2);
  });

  it('returns undefined for a key in a gap, where the KPL would answer the next shard', () => {
    const map = new ShardMap([shard('a', 0n, 9n), shard('b', 20n, MAX_HASH_KEY)]);
    expect(map.lookup(10n)).toBeUndefined();
    expect(map.lookup(19n)).toBeUndefined();
    expect(map.lookup(20n)?.shardId).toBe('b');
  });

  it('returns undefined when there are no open shards', () => {
    expect(new ShardMap([]).lookup(0n)).toBeUndefined();
    expect(new ShardMap([shard('x', 0n, MAX_HASH_KEY, true)]).lookup(5n)).toBeUndefined();
  });

  it('routes by explicit hash key when given, else by MD5 of the partition key', () => {
    const map = new ShardMap(evenHashKeyRanges(4).map((r, i) => shard(`s${i}`, r.start, r.end)));
    expect(map.shardForPartitionKey('abcd')?.shardId).toBe('s3');
    expect(map.shardForPartitionKey('abcd', '0')?.shardId).toBe('s0');
    expect(map.shardForPartitionKey('abcd', 1n << 126n)?.shardId).toBe('s1');
    expect(() => map.shardForPartitionKey('abcd', 'nope')).toThrow(ValidationError);
  });

  it.each([
    [{ HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' } }, 'ShardId'],
    [{ ShardId: 's', HashKeyRange: { EndingHashKey: '1' } }, 's.HashKeyRange.StartingHashKey'],
    [
      { ShardId: 's', HashKeyRange: { StartingHashKey: '0', EndingHashKey: 'x' } },
      's.HashKeyRange.EndingHashKey',
    ],
    [
      { ShardId: 's', HashKeyRange: { StartingHashKey: '5', EndingHashKey: '4' } },
      's.HashKeyRange',
    ],
  ])('rejects a malformed shard %j naming %s', (bad, field) => {
    let caught: unknown;
    try {
      new ShardMap([bad]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).field).toBe(field);
  });
});

describe('checkCoverage', () => {
  it('reports a gap at the start, in the middle and at the end', () => {
    const report = checkCoverage([shard('a', 5n, 9n), shard('b', 20n, MAX_HASH_KEY - 1n)]);
    expect(report.ok).toBe(false);
    expect(report.gaps).toEqual([
      { start: 0n, end: 4n },
      { start: 10n, end: 19n },
      { start: MAX_HASH_KEY, end: MAX_HASH_KEY },
    ]);
    expect(report.overlaps).toEqual([]);
  });

  it('reports overlaps between open shards and ignores closed ones', () => {
    const report = checkCoverage([
      shard('closed', 0n, MAX_HASH_KEY, true),
      shard('a', 0n, 100n),
      shard('b', 50n, 60n),
      shard('c', 90n, MAX_HASH_KEY),
    ]);
    expect(report.ok).toBe(false);
    expect(report.gaps).toEqual([]);
    expect(report.overlaps).toEqual([
      { range: { start: 50n, end: 60n }, shardIds: ['a', 'b'] },
      { range: { start: 90n, end: 100n }, shardIds: ['a', 'c'] },
    ]);
  });

  it('reports the whole space as a gap for no open shards', () => {
    expect(checkCoverage([])).toEqual({ ok: false, gaps: [FULL_HASH_KEY_RANGE], overlaps: [] });
  });
});

describe('evenHashKeyRanges', () => {
  it.each([1, 2, 3, 7, 64])('splits the key space into %i contiguous ranges', (n) => {
    const ranges = evenHashKeyRanges(n);
    expect(ranges).toHaveLength(n);
    expect(checkCoverage(ranges.map((r, i) => shard(`s${i}`, r.start, r.end))).ok).toBe(true);
  });

  it.each([0, -1, 1.5])('rejects %p', (n) => {
    expect(() => evenHashKeyRanges(n)).toThrow(ValidationError);
  });
});

/** Random partitions of 0..2^128-1 into open shards, shuffled, plus closed shards anywhere. */
const partitionArb = fc
  .tuple(
    fc.uniqueArray(fc.bigInt({ min: 1n, max: MAX_HASH_KEY }), { maxLength: 40 }),
    fc.array(
      fc.tuple(
        fc.bigInt({ min: 0n, max: MAX_HASH_KEY }),
        fc.bigInt({ min: 0n, max: MAX_HASH_KEY }),
      ),
      {
        maxLength: 5,
      },
    ),
    fc.nat(),
  )
  .map(([cuts, closedPairs, seed]) => {
    const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const starts = [0n, ...sorted];
    const open: HashKeyRange[] = starts.map((start, i) => ({
      start,
      end: i + 1 < starts.length ? starts[i + 1]! - 1n : MAX_HASH_KEY,
    }));
    const shards = open.map((r, i) => shard(`open-${i}`, r.start, r.end));
    closedPairs.forEach(([a, b], i) =>
      shards.push(shard(`closed-${i}`, a < b ? a : b, a < b ? b : a, true)),
    );
    // Deterministic shuffle so that the map cannot rely on input order.
    for (let i = shards.length - 1; i > 0; i--) {
      const j = (seed + i * 7919) % (i + 1);
      [shards[i], shards[j]] = [shards[j]!, shards[i]!];
    }
    return { open, shards };
  });

describe('ShardMap properties', () => {
  it('finds exactly one open shard for any key of a valid partition', () => {
    fc.assert(
      fc.property(
        partitionArb,
        fc.bigInt({ min: 0n, max: MAX_HASH_KEY }),
        ({ open, shards }, key) => {
          const map = new ShardMap(shards);
          const owners = map.openShards.filter((s) => hashKeyRangeContains(s.hashKeyRange, key));
          expect(owners).toHaveLength(1);
          expect(map.lookup(key)).toBe(owners[0]);
          expect(map.openShards.map((s) => s.hashKeyRange)).toEqual(open);
          expect(checkCoverage(shards).ok).toBe(true);
        },
      ),
    );
  });

  it('finds each shard at both ends of its range', () => {
    fc.assert(
      fc.property(partitionArb, ({ shards }) => {
        const map = new ShardMap(shards);
        for (const s of map.openShards) {
          expect(map.lookup(s.hashKeyRange.start)).toBe(s);
          expect(map.lookup(s.hashKeyRange.end)).toBe(s);
        }
      }),
    );
  });

  it('reports exactly the range of a removed shard as a gap', () => {
    fc.assert(
      fc.property(partitionArb, fc.nat(), ({ open, shards }, pick) => {
        const victim = open[pick % open.length]!;
        const rest = shards.filter(
          (s) =>
            s.SequenceNumberRange?.EndingSequenceNumber !== undefined ||
            s.HashKeyRange?.StartingHashKey !== victim.start.toString(),
        );
        const report = checkCoverage(rest);
        expect(report.gaps).toEqual([victim]);
        expect(report.overlaps).toEqual([]);
        expect(new ShardMap(rest).lookup(victim.start)).toBeUndefined();
      }),
    );
  });
});
