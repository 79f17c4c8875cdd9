/**
 * The taker around children claimed at their parent's end: the claiming worker learns how many
 * it should hand over (`surplus`), and the others do not steal from it meanwhile.
 */
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { TAKER_DEFAULTS, planLeaseTaking } from '../../../src/core/leasePlanner.js';
import type { ObservationTable, TakerConfig } from '../../../src/core/leasePlanner.js';
import type { Lease } from '../../../src/ports.js';

const F = 10_000;
const config: TakerConfig = { ...TAKER_DEFAULTS, failoverTimeMs: F };
const first = (): number => 0;

function lease(key: string, owner: string | undefined, ended = false): Lease {
  return {
    leaseKey: key,
    shardId: key,
    leaseCounter: 1,
    ...(owner !== undefined && { leaseOwner: owner }),
    checkpoint: ended ? ExtendedSequenceNumber.SHARD_END : ExtendedSequenceNumber.TRIM_HORIZON,
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
  };
}

/** Before the split: a holds p and q, b holds r, c holds s, all seen long ago. */
const before = [lease('p', 'a'), lease('q', 'a'), lease('r', 'b'), lease('s', 'c')];
/** After it: p ended, its children p1 and p2 appeared already owned by a (claimed). */
const after = [
  lease('p', 'a', true),
  lease('q', 'a'),
  lease('r', 'b'),
  lease('s', 'c'),
  lease('p1', 'a'),
  lease('p2', 'a'),
];

function scan(
  workerId: string,
  leases: Lease[],
  observations: ObservationTable,
  nowMs: number,
): ReturnType<typeof planLeaseTaking> {
  return planLeaseTaking({ leases, observations, workerId, nowMs, config, random: first });
}

describe('planLeaseTaking: children claimed at a parent’s end', () => {
  it('tells the claiming worker how many the others below target are waiting for', () => {
    const earlier = scan('a', before, new Map(), 0);
    const plan = scan('a', after, earlier.observations, 1_000);

    // 5 live leases, 3 workers: target 2; a holds 3, b and c 1 each.
    expect(plan.stats.target).toBe(2);
    expect(plan.surplus).toBe(1);
    // In the KCL's balance (no claim) nobody is beyond the target by what others miss.
    expect(scan('a', before, new Map(), 0).surplus).toBe(0);
  });

  it('counts available leases first: no surplus when an unowned lease fills the gap', () => {
    const withFree = [...after, lease('t', undefined)];
    const plan = scan('a', withFree, scan('a', before, new Map(), 0).observations, 1_000);

    // 6 live leases, target 2: b and c miss 1 each, and t is free for one of them.
    expect(plan.surplus).toBe(1);
    const moreFree = [...withFree, lease('u', undefined)];
    expect(scan('a', moreFree, new Map(), 1_000).surplus).toBe(0);
  });

  it('does not steal while the victim is beyond its target only by leases it just claimed', () => {
    const earlier = scan('b', before, new Map(), 0);
    const soon = scan('b', after, earlier.observations, 1_000);
    // Every lease renewed since (counters moved), so none is expired.
    const renewed = after.map((l) => ({ ...l, leaseCounter: 5 }));
    const later = scan('b', renewed, soon.observations, 1_000 + F);

    // Without the claim rule b would steal q (a's settled lease) at once.
    expect(soon.steal).toEqual([]);
    // Not handed over within a failover time: stolen as any lease would be.
    expect(later.steal).toHaveLength(1);
  });

  it('still steals at once from a worker whose surplus is not made of claimed leases', () => {
    // b's first scan: nothing is known of how long a has held anything.
    const plan = scan('b', after, new Map(), 1_000);

    expect(plan.steal).toHaveLength(1);
  });
});
