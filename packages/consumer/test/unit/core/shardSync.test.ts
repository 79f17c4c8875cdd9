import fc from 'fast-check';
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { initialCheckpoint, planShardSync, shardFilterFor } from '../../../src/core/shardSync.js';
import type { InitialPosition } from '../../../src/core/shardSync.js';
import {
  INITIAL_HOLE_AUDIT,
  auditHoles,
  leaseHashRangeHoles,
  shardHashRangeGaps,
} from '../../../src/core/shardSyncHoles.js';
import type { Lease, ShardDescription } from '../../../src/ports.js';
import { GRAPH_A } from '../../fixtures/shardGraphs.js';

const MAX = (1n << 128n) - 1n;

function leaseOf(shardId: string, checkpoint = ExtendedSequenceNumber.of('100')): Lease {
  const shard = GRAPH_A.find((s) => s.ShardId === shardId);
  return {
    leaseKey: shardId,
    shardId,
    leaseCounter: 1,
    checkpoint,
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
    ...(shard && {
      hashKeyRange: {
        startingHashKey: shard.HashKeyRange.StartingHashKey,
        endingHashKey: shard.HashKeyRange.EndingHashKey,
      },
    }),
  };
}

const AT_TS: InitialPosition = { timestamp: new Date('2026-01-01T00:00:00Z') };

describe('planShardSync on a non-empty table (the KCL javadoc examples, graph A)', () => {
  it.each<[string, string[], InitialPosition, string[], string]>([
    ['leases 4,5,7 LATEST', ['4', '5', '7'], 'LATEST', ['6'], 'LATEST'],
    ['leases 4,5,7 TRIM_HORIZON', ['4', '5', '7'], 'TRIM_HORIZON', ['0', '1'], 'TRIM_HORIZON'],
    ['leases 4,5,7 AT_TIMESTAMP', ['4', '5', '7'], AT_TS, ['0', '1'], 'AT_TIMESTAMP'],
    ['leases 4,5 LATEST', ['4', '5'], 'LATEST', ['8'], 'LATEST'],
    ['leases 4,5 TRIM_HORIZON', ['4', '5'], 'TRIM_HORIZON', ['0', '1', '2', '3'], 'TRIM_HORIZON'],
    ['leases on every open shard', ['4', '8', '9', '10'], 'TRIM_HORIZON', [], ''],
  ])('%s', (_name, leased, position, expected, checkpoint) => {
    const plan = planShardSync({
      shards: GRAPH_A,
      leases: leased.map((n) => leaseOf(`shardId-${n}`)),
      initialPosition: position,
    });

    expect(plan.create.map((l) => l.shardId)).toEqual(expected.map((n) => `shardId-${n}`));
    for (const lease of plan.create) expect(lease.checkpoint.sequenceNumber).toBe(checkpoint);
    expect(plan.inconsistentShardIds).toEqual([]);
  });

  it('gives new leases their parents and hash range, and multi-stream keys', () => {
    const plan = planShardSync({
      shards: GRAPH_A,
      leases: [leaseOf('shardId-4'), leaseOf('shardId-5')],
      initialPosition: 'LATEST',
      streamIdentifier: '123456789012:orders:1700000000',
    });

    expect(plan.create).toEqual([
      {
        leaseKey: '123456789012:orders:1700000000:shardId-8',
        shardId: 'shardId-8',
        streamIdentifier: '123456789012:orders:1700000000',
        checkpoint: ExtendedSequenceNumber.LATEST,
        parentShardIds: ['shardId-6', 'shardId-7'],
        hashKeyRange: {
          startingHashKey: GRAPH_A[8]!.HashKeyRange.StartingHashKey,
          endingHashKey: GRAPH_A[8]!.HashKeyRange.EndingHashKey,
        },
      },
    ]);
  });

  it('skips and reports open children of open parents (a listing taken mid-reshard)', () => {
    const shards: ShardDescription[] = [
      {
        ShardId: 'shardId-1',
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: MAX.toString() },
        SequenceNumberRange: { StartingSequenceNumber: '1' },
      },
      {
        ShardId: 'shardId-2',
        ParentShardId: 'shardId-1',
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: '5' },
        SequenceNumberRange: { StartingSequenceNumber: '2' },
      },
      {
        ShardId: 'shardId-3',
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' },
        SequenceNumberRange: { StartingSequenceNumber: '3' },
      },
    ];

    const plan = planShardSync({
      shards,
      leases: [leaseOf('shardId-1')],
      initialPosition: 'LATEST',
    });

    expect(plan.inconsistentShardIds).toEqual(['shardId-2']);
    expect(plan.create.map((l) => l.shardId)).toEqual(['shardId-3']);
  });
});

describe('planShardSync on an empty table', () => {
  it.each<[InitialPosition, string]>([
    ['LATEST', 'LATEST'],
    ['TRIM_HORIZON', 'TRIM_HORIZON'],
    [AT_TS, 'AT_TIMESTAMP'],
  ])(
    'creates a lease per returned shard at %p, ordered by starting sequence number',
    (position, cp) => {
      const returned = [GRAPH_A[9]!, GRAPH_A[4]!, GRAPH_A[8]!, GRAPH_A[10]!];

      const plan = planShardSync({ shards: returned, leases: [], initialPosition: position });

      expect(plan.create.map((l) => l.shardId)).toEqual([
        'shardId-4',
        'shardId-10',
        'shardId-8',
        'shardId-9',
      ]);
      expect(new Set(plan.create.map((l) => l.checkpoint.sequenceNumber))).toEqual(new Set([cp]));
    },
  );

  it('maps initial positions to ShardFilters and sentinels', () => {
    expect(shardFilterFor('LATEST')).toEqual({ Type: 'AT_LATEST' });
    expect(shardFilterFor('TRIM_HORIZON')).toEqual({ Type: 'AT_TRIM_HORIZON' });
    expect(shardFilterFor(AT_TS)).toEqual({ Type: 'AT_TIMESTAMP', Timestamp: AT_TS.timestamp });
    expect(initialCheckpoint(AT_TS)).toBe(ExtendedSequenceNumber.AT_TIMESTAMP);
  });
});

/** Splits 0..2^128-1 at the given cut points into contiguous ranges. */
function partition(cuts: bigint[]): { start: bigint; end: bigint }[] {
  const points = [...new Set(cuts)]
    .filter((c) => c > 0n && c <= MAX)
    .sort((a, b) => (a < b ? -1 : 1));
  const out: { start: bigint; end: bigint }[] = [];
  let start = 0n;
  for (const p of points) {
    out.push({ start, end: p - 1n });
    start = p;
  }
  out.push({ start, end: MAX });
  return out;
}

const cutsArb = fc.array(fc.bigInt({ min: 1n, max: MAX }), { maxLength: 12 });

describe('hash-key holes', () => {
  function leasesFor(ranges: { start: bigint; end: bigint }[]): Lease[] {
    return ranges.map((r, i) => ({
      ...leaseOf(`shardId-${i}`),
      hashKeyRange: { startingHashKey: r.start.toString(), endingHashKey: r.end.toString() },
    }));
  }

  it('finds no hole in any partition of the key space', () => {
    fc.assert(
      fc.property(cutsArb, (cuts) => {
        expect(leaseHashRangeHoles(leasesFor(partition(cuts))).holes).toEqual([]);
      }),
    );
  });

  it('finds exactly the range of a missing lease, and ignores SHARD_END leases', () => {
    fc.assert(
      fc.property(cutsArb, fc.nat(), (cuts, pick) => {
        const ranges = partition(cuts);
        const victim = pick % ranges.length;
        const leases = leasesFor(ranges);
        leases[victim] = { ...leases[victim]!, checkpoint: ExtendedSequenceNumber.SHARD_END };

        const { holes } = leaseHashRangeHoles(leases);

        expect(holes).toEqual([ranges[victim]]);
      }),
    );
  });

  it('reports leases without a hash range instead of guessing', () => {
    const noRange: Lease = { ...leaseOf('shardId-x') };
    delete (noRange as { hashKeyRange?: unknown }).hashKeyRange;

    expect(leaseHashRangeHoles([noRange]).missingHashRanges).toEqual(['shardId-x']);
  });

  it('checks that an empty table listing covers the key space (open or closed shards)', () => {
    expect(
      shardHashRangeGaps(
        GRAPH_A.filter((s) =>
          ['shardId-4', 'shardId-8', 'shardId-9', 'shardId-10'].includes(s.ShardId),
        ),
      ),
    ).toEqual([]);
    expect(
      shardHashRangeGaps([GRAPH_A[0]!, GRAPH_A[1]!, GRAPH_A[7]!, GRAPH_A[4]!, GRAPH_A[5]!]),
    ).toEqual([]);
    expect(shardHashRangeGaps([GRAPH_A[4]!])).toHaveLength(2);
  });

  it('triggers a sync only after the same hole was seen three times in a row', () => {
    const hole = [{ start: 5n, end: 9n }];
    const other = [{ start: 1n, end: 2n }];
    let state = INITIAL_HOLE_AUDIT;
    const syncs: boolean[] = [];
    for (const holes of [hole, hole, other, hole, hole, [], hole, hole, hole]) {
      const r = auditHoles(state, holes);
      state = r.state;
      syncs.push(r.sync);
    }

    expect(syncs).toEqual([false, false, false, false, false, false, false, false, true]);
  });
});
