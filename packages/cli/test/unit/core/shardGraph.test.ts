import { childrenReady, initialShards, shardHolding } from '../../../src/core/shardGraph.js';
import type { ShardNode } from '../../../src/core/shardGraph.js';

// 0 split into 2 and 3; 1 and 2 merged into 4; 5 is a child of a trimmed-away parent.
const nodes: ShardNode[] = [
  {
    shardId: 's0',
    parents: [],
    open: false,
    startingSequenceNumber: '100',
    endingSequenceNumber: '199',
  },
  {
    shardId: 's1',
    parents: [],
    open: false,
    startingSequenceNumber: '200',
    endingSequenceNumber: '299',
  },
  {
    shardId: 's2',
    parents: ['s0'],
    open: false,
    startingSequenceNumber: '300',
    endingSequenceNumber: '399',
  },
  { shardId: 's3', parents: ['s0'], open: true, startingSequenceNumber: '400' },
  { shardId: 's4', parents: ['s1', 's2'], open: true, startingSequenceNumber: '500' },
  { shardId: 's5', parents: ['gone'], open: true, startingSequenceNumber: '600' },
];

describe('tail shard graph', () => {
  it('starts from the roots, the open shards, or the given ones', () => {
    expect(initialShards(nodes, 'roots')).toEqual(['s0', 's1', 's5']);
    expect(initialShards(nodes, 'open')).toEqual(['s3', 's4', 's5']);
    expect(initialShards(nodes, ['s2'])).toEqual(['s2']);
  });

  it('starts a merged child only once both parents it reads have ended', () => {
    const reading = new Set(['s0', 's1', 's2', 's3']);
    expect(childrenReady('s0', nodes, reading, new Set(['s0']))).toEqual(['s2', 's3']);
    expect(childrenReady('s2', nodes, reading, new Set(['s0', 's2']))).toEqual([]);
    expect(childrenReady('s1', nodes, reading, new Set(['s0', 's2', 's1']))).toEqual(['s4']);
  });

  it('does not wait for a parent it does not read (tail --shard)', () => {
    expect(childrenReady('s2', nodes, new Set(['s2']), new Set(['s2']))).toEqual(['s4']);
  });

  it('finds the shard holding a sequence number, numerically', () => {
    expect(shardHolding(nodes, '250')).toBe('s1');
    expect(shardHolding(nodes, '450')).toBe('s3');
    expect(shardHolding(nodes, '99')).toBeUndefined();
  });
});
