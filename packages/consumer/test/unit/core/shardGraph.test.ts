import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import {
  checkParents,
  parentLeaseKeys,
  planLeaseCleanup,
  planShardEnd,
} from '../../../src/core/shardGraph.js';
import type { Lease } from '../../../src/ports.js';

const STREAM = '123456789012:orders:1700000000';

function lease(shardId: string, checkpoint: string, extra: Partial<Lease> = {}): Lease {
  return {
    leaseKey:
      extra.streamIdentifier === undefined ? shardId : `${extra.streamIdentifier}:${shardId}`,
    shardId,
    leaseCounter: 3,
    leaseOwner: 'w1',
    checkpoint: ExtendedSequenceNumber.of(checkpoint),
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
    ...extra,
  };
}

function existing(...leases: Lease[]): Map<string, Lease> {
  return new Map(leases.map((l) => [l.leaseKey, l]));
}

describe('checkParents: a child waits for every parent that still has a lease', () => {
  it.each<[string, string[], Lease[], boolean, string[]]>([
    ['split child, parent at SHARD_END', ['p'], [lease('p', 'SHARD_END')], true, []],
    ['split child, parent still processing', ['p'], [lease('p', '100')], false, ['p']],
    ['split child, parent lease gone (cleaned up)', ['p'], [], true, []],
    [
      'merge child, both parents done',
      ['p1', 'p2'],
      [lease('p1', 'SHARD_END'), lease('p2', 'SHARD_END')],
      true,
      [],
    ],
    [
      'merge child, one parent behind',
      ['p1', 'p2'],
      [lease('p1', 'SHARD_END'), lease('p2', 'TRIM_HORIZON')],
      false,
      ['p2'],
    ],
    [
      'merge child, one parent gone, other done',
      ['p1', 'p2'],
      [lease('p2', 'SHARD_END')],
      true,
      [],
    ],
    ['no parents', [], [], true, []],
  ])('%s', (_name, parents, leases, eligible, blocking) => {
    expect(checkParents({ parentShardIds: parents }, existing(...leases))).toEqual({
      eligible,
      blockingParents: blocking,
    });
  });

  it('looks parents up under the multi-stream prefix', () => {
    const child = { parentShardIds: ['p'], streamIdentifier: STREAM };
    const parent = lease('p', '5', { streamIdentifier: STREAM });

    expect(parentLeaseKeys(child)).toEqual([`${STREAM}:p`]);
    expect(checkParents(child, existing(parent)).blockingParents).toEqual([`${STREAM}:p`]);
  });
});

const range = (s: string, e: string) => ({ startingHashKey: s, endingHashKey: e });

describe('planShardEnd: child leases created by the parent owner at SHARD_END', () => {
  const split = [
    { shardId: 'c1', parentShards: ['p'], hashKeyRange: range('0', '9') },
    { shardId: 'c2', parentShards: ['p'], hashKeyRange: range('10', '19') },
  ];

  it('creates split children at TRIM_HORIZON with parents and hash range, and names them for childShardIds', () => {
    const plan = planShardEnd({
      parent: lease('p', '100'),
      childShards: split,
      existing: existing(lease('p', '100')),
      random: () => 0.5,
    });

    expect(plan).toEqual({
      kind: 'create-children',
      childShardIds: ['c1', 'c2'],
      create: [
        {
          leaseKey: 'c1',
          shardId: 'c1',
          checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
          parentShardIds: ['p'],
          hashKeyRange: range('0', '9'),
        },
        {
          leaseKey: 'c2',
          shardId: 'c2',
          checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
          parentShardIds: ['p'],
          hashKeyRange: range('10', '19'),
        },
      ],
    });
  });

  it('honours a configured child position and skips children that already have a lease', () => {
    const plan = planShardEnd({
      parent: lease('p', '100'),
      childShards: split,
      existing: existing(lease('p', '100'), lease('c1', 'TRIM_HORIZON')),
      childInitialPosition: 'LATEST',
      random: () => 0.5,
    });

    expect(
      plan.kind === 'create-children' &&
        plan.create.map((l) => [l.shardId, l.checkpoint.sequenceNumber]),
    ).toEqual([['c2', 'LATEST']]);
  });

  const merged = [{ shardId: 'm', parentShards: ['p1', 'p2'], hashKeyRange: range('0', '19') }];

  it.each<[string, Lease[], number, string]>([
    [
      'both merge parents have leases',
      [lease('p1', '1'), lease('p2', '1')],
      0.5,
      'create-children',
    ],
    ['both merge parent leases are gone', [], 0.5, 'create-children'],
    [
      'the other merge parent has no lease: wait',
      [lease('p1', '1')],
      0.5,
      'blocked-on-merge-parent',
    ],
    [
      'the other merge parent has no lease: drop 1 time in 30',
      [lease('p1', '1')],
      0.01,
      'drop-lease',
    ],
  ])('%s', (_name, leases, r, kind) => {
    const plan = planShardEnd({
      parent: lease('p1', '1'),
      childShards: merged,
      existing: existing(...leases),
      random: () => r,
    });

    expect(plan.kind).toBe(kind);
    expect('missingParentLeaseKey' in plan ? plan.missingParentLeaseKey : 'p2').toBe('p2');
  });

  it('rejects a merge child that names a single parent', () => {
    const plan = planShardEnd({
      parent: lease('p1', '1'),
      childShards: [{ shardId: 'm', parentShards: ['p1'], hashKeyRange: range('0', '1') }],
      existing: existing(),
      random: () => 0.5,
    });

    expect(plan.kind).toBe('invalid');
  });

  it('creates multi-stream child keys under the parent stream', () => {
    const parent = lease('p', '100', { streamIdentifier: STREAM });

    const plan = planShardEnd({
      parent,
      childShards: split,
      existing: existing(parent),
      random: () => 0.5,
    });

    expect(
      plan.kind === 'create-children' && plan.create.map((l) => [l.leaseKey, l.streamIdentifier]),
    ).toEqual([
      [`${STREAM}:c1`, STREAM],
      [`${STREAM}:c2`, STREAM],
    ]);
  });
});

describe('planLeaseCleanup (KCL LeaseCleanupManager)', () => {
  const parent = lease('p', 'SHARD_END', { childShardIds: ['c1', 'c2'], parentShardIds: ['gp'] });

  it.each<[string, Lease, Lease[], string]>([
    [
      'deletes a finished parent whose children started and whose parents are gone',
      parent,
      [lease('c1', '5'), lease('c2', 'SHARD_END')],
      'delete',
    ],
    [
      'keeps a lease not at SHARD_END',
      lease('p', '100', { childShardIds: ['c1'] }),
      [lease('c1', '5')],
      'keep',
    ],
    ['keeps it while a child has no lease', parent, [lease('c1', '5')], 'keep'],
    [
      'keeps it while a child has not started',
      parent,
      [lease('c1', '5'), lease('c2', 'TRIM_HORIZON')],
      'keep',
    ],
    [
      'keeps it while its own parent still has a lease',
      parent,
      [lease('c1', '5'), lease('c2', '6'), lease('gp', 'SHARD_END')],
      'keep',
    ],
    ['asks for child ids when the lease has none', lease('p', 'SHARD_END'), [], 'needs-child-ids'],
  ])('%s', (_name, target, others, kind) => {
    expect(planLeaseCleanup(target, existing(target, ...others)).kind).toBe(kind);
  });
});
