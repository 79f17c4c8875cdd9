import fc from 'fast-check';
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import {
  TAKER_DEFAULTS,
  isExpired,
  leaseTimings,
  observe,
  planLeaseTaking,
  planRenewals,
} from '../../../src/core/leasePlanner.js';
import type { ObservationTable, TakerConfig } from '../../../src/core/leasePlanner.js';
import type { Lease } from '../../../src/ports.js';

const F = 10_000;
const config: TakerConfig = { ...TAKER_DEFAULTS, failoverTimeMs: F };
const first = (): number => 0;

function lease(n: number, owner?: string, counter = 1): Lease {
  return {
    leaseKey: `shardId-${n}`,
    shardId: `shardId-${n}`,
    leaseCounter: counter,
    ...(owner !== undefined && { leaseOwner: owner }),
    checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
  };
}

/** Leases owned as listed: owners[i] owns lease i (undefined = unowned). */
function table(owners: (string | undefined)[]): Lease[] {
  return owners.map((o, i) => lease(i, o));
}

/** Observations that saw every lease at its counter since `sinceMs`, with an unchanged owner. */
function seen(leases: Lease[], sinceMs: number): ObservationTable {
  return new Map(
    leases.map((l) => [
      l.leaseKey,
      {
        leaseCounter: l.leaseCounter,
        counterSinceMs: sinceMs,
        leaseOwner: l.leaseOwner,
        ownerSinceMs: null,
      },
    ]),
  );
}

describe('observe / isExpired (KCL updateAllLeases and Lease#isExpired)', () => {
  it('starts new unowned leases at "infinitely old" and new owned ones at the scan time', () => {
    const obs = observe([lease(0), lease(1, 'w1')], new Map(), 500);

    expect(obs.get('shardId-0')).toMatchObject({ leaseCounter: 1, counterSinceMs: null });
    expect(obs.get('shardId-1')).toMatchObject({ leaseCounter: 1, counterSinceMs: 500 });
  });

  it('keeps the first-seen time while the counter is unchanged and resets it when it moves', () => {
    const t0 = observe([lease(0, 'w1', 5)], new Map(), 0);
    const same = observe([lease(0, 'w1', 5)], t0, 8_000);
    const moved = observe([lease(0, 'w1', 6)], same, 9_000);

    expect(same.get('shardId-0')?.counterSinceMs).toBe(0);
    expect(moved.get('shardId-0')).toMatchObject({ leaseCounter: 6, counterSinceMs: 9_000 });
  });

  it('records when the owner changes, and treats the owner of a first-seen lease as settled', () => {
    const t0 = observe([lease(0, 'w1', 5), lease(1, 'w1', 5)], new Map(), 0);
    const t1 = observe([lease(0, 'w2', 6), lease(1, 'w1', 6)], t0, 4_000);
    const t2 = observe([lease(0, 'w2', 7), lease(1, 'w1', 7)], t1, 7_000);

    expect(t0.get('shardId-0')?.ownerSinceMs).toBeNull();
    expect(t1.get('shardId-0')).toMatchObject({ leaseOwner: 'w2', ownerSinceMs: 4_000 });
    expect(t2.get('shardId-0')?.ownerSinceMs).toBe(4_000);
    expect(t2.get('shardId-1')?.ownerSinceMs).toBeNull();
  });

  it.each([
    [F - 1, false],
    [F, false],
    [F + 1, true],
  ])('a counter unchanged for %i ms is expired: %p', (age, expired) => {
    expect(isExpired({ leaseCounter: 1, counterSinceMs: 0 }, age, F)).toBe(expired);
  });

  it('forgets leases that left the table', () => {
    const obs = observe([lease(1, 'w1')], seen([lease(0, 'w1')], 0), 10);

    expect([...obs.keys()]).toEqual(['shardId-1']);
  });
});

describe('planLeaseTaking (KCL 2.x DynamoDBLeaseTaker)', () => {
  it.each<[string, (string | undefined)[], string, number, number]>([
    // name, owners, me, expected takes, expected steals
    ['takes nothing when at target', ['a', 'a', 'me', 'me'], 'me', 0, 0],
    [
      'takes expired-free unowned leases up to the target',
      ['a', 'a', undefined, undefined],
      'me',
      2,
      0,
    ],
    [
      'steals one from the most loaded worker when nothing is free',
      ['a', 'a', 'a', 'a'],
      'me',
      0,
      1,
    ],
    [
      'does not steal when the victim sits at target and one is needed',
      ['a', 'a', 'b', 'me'],
      'me',
      0,
      0,
    ],
    [
      'steals one when the victim sits at target but two are needed',
      ['a', 'a', 'a', 'b', 'b', 'b'],
      'me',
      0,
      1,
    ],
  ])('%s', (_name, owners, me, takes, steals) => {
    const leases = table(owners);
    // Unowned leases were seen before (so they are not "very old") and owned ones are fresh.
    const plan = planLeaseTaking({
      leases,
      observations: seen(leases, 0),
      workerId: me,
      nowMs: 1_000,
      config,
      random: first,
    });

    expect(plan.take).toHaveLength(takes);
    expect(plan.steal).toHaveLength(steals);
    for (const l of plan.take) expect(l.leaseOwner).toBeUndefined();
    for (const l of plan.steal) expect(l.leaseOwner).not.toBe(me);
  });

  it('takes leases whose counter stopped moving for failoverTimeMs, and computes the target without their dead owner', () => {
    const leases = table(['dead', 'dead', 'dead', 'live', 'live', 'live']);
    const obs = new Map(seen(leases, 0));
    for (const l of leases.slice(3)) obs.set(l.leaseKey, { leaseCounter: 1, counterSinceMs: F });

    const plan = planLeaseTaking({
      leases,
      observations: obs,
      workerId: 'me',
      nowMs: F + 1,
      config,
      random: first,
    });

    expect(plan.stats).toMatchObject({ numWorkers: 2, target: 3, expiredLeases: 3, needed: 3 });
    expect(plan.take.map((l) => l.leaseOwner)).toEqual(['dead', 'dead', 'dead']);
  });

  it('takes never-seen unowned leases first ("very old"), up to the target while another worker is live', () => {
    const leases = table([undefined, undefined, undefined, 'a', 'a', 'a']);
    const obs = new Map(seen(leases.slice(3), 0));
    const unownedSeen = table([undefined, undefined, undefined, undefined]).map((l, i) => ({
      ...l,
      leaseKey: `old-${i}`,
    }));
    for (const l of unownedSeen) obs.set(l.leaseKey, { leaseCounter: 1, counterSinceMs: 9_000 });

    const plan = planLeaseTaking({
      leases: [...unownedSeen, ...leases],
      observations: obs,
      workerId: 'me',
      nowMs: 10_000,
      config,
      random: first,
    });

    // 10 leases, 2 workers: target 5, so 5 taken, the 3 very old ones among them.
    expect(plan.stats).toMatchObject({ numWorkers: 2, target: 5, needed: 5, veryOldLeases: 3 });
    expect(plan.take).toHaveLength(5);
    expect(
      plan.take
        .slice(0, 3)
        .map((l) => l.leaseKey)
        .sort(),
    ).toEqual(['shardId-0', 'shardId-1', 'shardId-2']);
  });

  it('takes no very old lease beyond the target when another worker is live (nothing to steal back)', () => {
    const leases = table(['me', 'me', 'a', 'a', undefined, undefined]);
    const obs = new Map(seen(leases.slice(0, 4), 0));

    const plan = planLeaseTaking({
      leases,
      observations: obs,
      workerId: 'me',
      nowMs: 1_000,
      config,
      random: first,
    });

    expect(plan.stats).toMatchObject({ target: 3, needed: 1, veryOldLeases: 2 });
    expect(plan.take).toHaveLength(1);
  });

  it('takes every very old lease when alone, up to maxLeasesForWorker', () => {
    const leases = table([undefined, undefined, undefined, undefined, undefined]);

    const all = planLeaseTaking({
      leases,
      observations: new Map(),
      workerId: 'me',
      nowMs: 0,
      config,
      random: first,
    });
    const capped = planLeaseTaking({
      leases,
      observations: new Map(),
      workerId: 'me',
      nowMs: 0,
      config: { ...config, maxLeasesForWorker: 2 },
      random: first,
    });
    const off = planLeaseTaking({
      leases,
      observations: new Map(),
      workerId: 'me',
      nowMs: 0,
      config: { ...config, enablePriorityLeaseAssignment: false },
      random: first,
    });

    expect(all.take).toHaveLength(5);
    expect(capped.take).toHaveLength(2);
    expect(capped.stats.spillover).toBe(3);
    expect(off.take).toHaveLength(5);
  });

  it('does not steal a lease that changed owner less than a failover time ago', () => {
    const leases = table(['a', 'a', 'a', 'a']);
    const obs = new Map(seen(leases, 8_000));
    // shardId-0..2 moved to "a" 2 s ago; only shardId-3 has been a's for long.
    for (const l of leases.slice(0, 3)) {
      obs.set(l.leaseKey, {
        leaseCounter: 1,
        counterSinceMs: 8_000,
        leaseOwner: 'a',
        ownerSinceMs: 8_000,
      });
    }

    const soon = planLeaseTaking({
      leases,
      observations: obs,
      workerId: 'me',
      nowMs: 10_000,
      config,
      random: first,
    });
    const allRecent = planLeaseTaking({
      leases: leases.slice(0, 3),
      observations: obs,
      workerId: 'me',
      nowMs: 10_000,
      config,
      random: first,
    });
    const later = planLeaseTaking({
      leases: leases.slice(0, 3),
      observations: obs,
      workerId: 'me',
      nowMs: 8_000 + F,
      config,
      random: first,
    });

    expect(soon.steal.map((l) => l.leaseKey)).toEqual(['shardId-3']);
    expect(allRecent.steal).toHaveLength(0);
    expect(later.steal).toHaveLength(1);
  });

  it('leaves SHARD_END leases out of the balance, and takes orphaned ones only for cleanup', () => {
    const ended = (l: Lease): Lease => ({ ...l, checkpoint: ExtendedSequenceNumber.SHARD_END });
    const base = table(['me', 'me', 'a', 'a', 'a', undefined, 'dead']);
    const leases = [ended(base[0]!), ...base.slice(1, 6), ended(base[6]!)];
    const obs = new Map(seen(leases, 0));
    obs.delete('shardId-5');
    obs.set('shardId-6', { leaseCounter: 1, counterSinceMs: -2 * F, leaseOwner: 'dead' });

    const plan = planLeaseTaking({
      leases,
      observations: obs,
      workerId: 'me',
      nowMs: 1_000,
      config: { ...config, enablePriorityLeaseAssignment: false },
      random: first,
    });

    // Active: shardId-1 (me), 2–4 (a), 5 (unowned) → 5 over 2 workers, target 3, I need 2 but
    // only shardId-5 is free; the dead worker's ended lease is taken on top, for cleanup.
    expect(plan.stats).toMatchObject({ totalLeases: 7, target: 3, myLeases: 1, needed: 2 });
    expect(plan.take.map((l) => l.leaseKey)).toEqual(['shardId-6', 'shardId-5']);
    expect(plan.steal).toHaveLength(0);
  });

  it('gives the owner of a parent that just ended room for a child', () => {
    const ended = (l: Lease): Lease => ({ ...l, checkpoint: ExtendedSequenceNumber.SHARD_END });
    const base = table(['me', 'me', 'a', 'a', 'b', 'b']);
    const leases = [ended(base[0]!), ...base.slice(1), lease(6), lease(7)];
    const obs = new Map(seen(base, 0));

    const plan = planLeaseTaking({
      leases,
      observations: obs,
      workerId: 'me',
      nowMs: 1_000,
      config,
      random: first,
    });

    // 7 active leases over 3 workers: target 3; I hold 1 active one, so both children are mine.
    expect(plan.stats).toMatchObject({ target: 3, myLeases: 1, needed: 2 });
    expect(plan.take.map((l) => l.leaseKey).sort()).toEqual(['shardId-6', 'shardId-7']);
  });

  it('caps steals at maxLeasesToStealAtOneTime', () => {
    const leases = table(['a', 'a', 'a', 'a', 'a', 'a']);

    const plan = planLeaseTaking({
      leases,
      observations: seen(leases, 0),
      workerId: 'me',
      nowMs: 1,
      config: { ...config, maxLeasesToStealAtOneTime: 2 },
      random: first,
    });

    expect(plan.steal).toHaveLength(2);
  });

  it('reports when the next lease of another worker would expire', () => {
    const leases = table(['a', 'b', 'me']);
    const obs = new Map([
      ['shardId-0', { leaseCounter: 1, counterSinceMs: 300 }],
      ['shardId-1', { leaseCounter: 1, counterSinceMs: 100 }],
      ['shardId-2', { leaseCounter: 1, counterSinceMs: 0 }],
    ]);

    const plan = planLeaseTaking({
      leases,
      observations: obs,
      workerId: 'me',
      nowMs: 400,
      config,
      random: first,
    });

    expect(plan.nextExpiryAtMs).toBe(100 + F + 1);
  });

  it('only ever plans leases that are available (take) or held by another live worker (steal)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.constantFrom('me', 'a', 'b', 'c'), { nil: undefined }), {
          maxLength: 30,
        }),
        fc.array(fc.integer({ min: 0, max: 3 * F }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (owners, ages, steal, r) => {
          const leases = table(owners);
          const now = 3 * F;
          const obs = new Map(
            leases.map((l, i) => [
              l.leaseKey,
              { leaseCounter: 1, counterSinceMs: now - (ages[i] ?? 0) },
            ]),
          );
          const plan = planLeaseTaking({
            leases,
            observations: obs,
            workerId: 'me',
            nowMs: now,
            config: { ...config, maxLeasesToStealAtOneTime: steal },
            random: () => r,
          });
          for (const l of plan.take) {
            expect(l.leaseOwner === undefined || isExpired(obs.get(l.leaseKey), now, F)).toBe(true);
          }
          for (const l of plan.steal) {
            expect(l.leaseOwner).not.toBe('me');
            expect(isExpired(obs.get(l.leaseKey), now, F)).toBe(false);
          }
          expect(plan.steal.length).toBeLessThanOrEqual(steal);
          expect(plan.take.length > 0 && plan.steal.length > 0).toBe(false);
          expect(new Set([...plan.take, ...plan.steal].map((l) => l.leaseKey)).size).toBe(
            plan.take.length + plan.steal.length,
          );
        },
      ),
    );
  });
});

describe('planRenewals', () => {
  it('stops renewing leases not renewed within failoverTimeMs (no zombie renewals)', () => {
    const held = [
      { lease: lease(0, 'me'), lastRenewedAtMs: 0 },
      { lease: lease(1, 'me'), lastRenewedAtMs: 5_000 },
    ];

    const plan = planRenewals(held, F + 1, F);

    expect(plan.lost.map((l) => l.leaseKey)).toEqual(['shardId-0']);
    expect(plan.renew.map((l) => l.leaseKey)).toEqual(['shardId-1']);
  });
});

describe('leaseTimings', () => {
  it.each([
    [10_000, 3_308, 1_500],
    [3_000, 975, 500],
    [600, 175, 200],
  ])('failover %i ms → renew %i ms, taker %i ms', (failover, renew, taker) => {
    expect(leaseTimings(failover)).toMatchObject({
      renewIntervalMs: renew,
      takerIntervalMs: taker,
    });
  });
});
