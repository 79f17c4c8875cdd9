import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import type { Lease } from '@kinesis-kit/consumer';
import { heldLeases, planReset, selectLeases } from '../../../src/core/resetPlan.js';

function lease(shard: number, patch: Partial<Lease> = {}): Lease {
  const id = `shardId-00000000000${shard}`;
  return {
    leaseKey: id,
    shardId: id,
    leaseCounter: 10,
    checkpoint: ExtendedSequenceNumber.of('4965000000000000000000000001'),
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
    ...patch,
  };
}

describe('reset safety', () => {
  it('counts a lease with an owner as held', () => {
    expect(heldLeases([lease(0), lease(1, { leaseOwner: 'w1' })])).toEqual([
      { leaseKey: 'shardId-000000000001', owner: 'w1', reason: 'owner' },
    ]);
  });

  it('counts a lease whose counter moved, or that vanished, between two reads as held', () => {
    const before = [lease(0), lease(1), lease(2)];
    const after = [lease(0), lease(1, { leaseCounter: 11, leaseOwner: 'w2' })];
    expect(heldLeases(before, after)).toEqual([
      { leaseKey: 'shardId-000000000001', owner: 'w2', reason: 'counter moved' },
      { leaseKey: 'shardId-000000000002', owner: undefined, reason: 'gone' },
    ]);
    expect(heldLeases(before, before)).toEqual([]);
  });

  it('selects leases by shard id and names the unknown ones', () => {
    const { selected, unknown } = selectLeases(
      [lease(0), lease(1)],
      ['shardId-000000000001', 'nope'],
    );
    expect(selected.map((l) => l.shardId)).toEqual(['shardId-000000000001']);
    expect(unknown).toEqual(['nope']);
    expect(selectLeases([lease(0)], []).selected).toHaveLength(1);
  });

  it('plans a set per lease, skipping those already there or excluded', () => {
    const plan = planReset(
      [lease(0), lease(1, { checkpoint: ExtendedSequenceNumber.TRIM_HORIZON }), lease(2)],
      (l) =>
        l.shardId.endsWith('2') ? { skip: 'shard finished' } : ExtendedSequenceNumber.TRIM_HORIZON,
    );
    expect(
      plan.map((s) => [s.lease.shardId, s.action, s.action === 'skip' ? s.why : s.to.toString()]),
    ).toEqual([
      ['shardId-000000000000', 'set', 'TRIM_HORIZON'],
      ['shardId-000000000001', 'skip', 'already there'],
      ['shardId-000000000002', 'skip', 'shard finished'],
    ]);
  });
});
