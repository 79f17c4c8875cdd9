import { ExtendedSequenceNumber, noopMetricsSink, silentLogger } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import { TAKER_DEFAULTS } from '../../../src/core/leasePlanner.js';
import { LeaseCoordinator } from '../../../src/runtime/leaseCoordinator.js';
import type { LeaseLossReason } from '../../../src/runtime/leaseCoordinator.js';
import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';

const FAILOVER = 10_000;

async function storeWithLeases(n: number): Promise<InMemoryLeaseStore> {
  const store = new InMemoryLeaseStore();
  for (let i = 0; i < n; i++) {
    const shardId = `shardId-${String(i).padStart(12, '0')}`;
    await store.createLeaseIfNotExists({
      leaseKey: shardId,
      shardId,
      checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
      parentShardIds: [],
    });
  }
  return store;
}

function coordinator(
  store: InMemoryLeaseStore,
  workerId: string,
  clock: FakeClock,
): LeaseCoordinator {
  let seed = workerId.length;
  return new LeaseCoordinator({
    store,
    workerId,
    taker: { ...TAKER_DEFAULTS, failoverTimeMs: FAILOVER },
    renewIntervalMs: 3308,
    takerIntervalMs: 1500,
    clock,
    random: () => (seed = (seed * 9301 + 49297) % 233280) / 233280,
    logger: silentLogger,
    metrics: noopMetricsSink,
  });
}

function owners(store: InMemoryLeaseStore): Promise<Map<string, number>> {
  return store.listLeases().then((leases) => {
    const counts = new Map<string, number>();
    for (const l of leases)
      counts.set(l.leaseOwner ?? '-', (counts.get(l.leaseOwner ?? '-') ?? 0) + 1);
    return counts;
  });
}

describe('LeaseCoordinator', () => {
  it('two workers split the leases evenly', async () => {
    // Prepare
    const clock = new FakeClock();
    const store = await storeWithLeases(4);
    const a = coordinator(store, 'worker-a', clock);
    const b = coordinator(store, 'worker-b', clock);
    // Act
    await a.start();
    await clock.advance(100);
    await b.start();
    // Stealing moves one lease per taker run until both sit at the target of 2.
    await clock.advance(20_000);
    // Assess
    expect(a.heldLeases()).toHaveLength(2);
    expect(b.heldLeases()).toHaveLength(2);
    expect(await owners(store)).toEqual(
      new Map([
        ['worker-a', 2],
        ['worker-b', 2],
      ]),
    );
    await Promise.all([a.stop(), b.stop()]);
  });

  it("takes a dead worker's leases within failover plus one taker interval", async () => {
    const clock = new FakeClock();
    const store = await storeWithLeases(2);
    const dead = coordinator(store, 'dead', clock);
    await dead.start();
    await clock.advance(2000);
    expect(dead.heldLeases()).toHaveLength(2);
    const survivor = coordinator(store, 'survivor', clock);
    await survivor.start();
    await clock.advance(1600);
    // The "dead" worker stops renewing without releasing (a SIGKILL as the table sees it).
    await dead.stop();
    const diedAt = clock.now();
    let takenAt: number | undefined;
    survivor.events.on('leaseTaken', () => {
      if (survivor.heldLeases().length === 2) takenAt ??= clock.now();
    });
    await clock.advance(FAILOVER + 5000);
    expect(survivor.heldLeases()).toHaveLength(2);
    expect(takenAt).toBeDefined();
    expect(takenAt! - diedAt).toBeLessThanOrEqual(FAILOVER + 1500 + 100);
    await survivor.stop();
  });

  it('a released lease is taken at the next scan, without waiting for expiry', async () => {
    const clock = new FakeClock();
    const store = await storeWithLeases(2);
    const a = coordinator(store, 'a', clock);
    const b = coordinator(store, 'b', clock);
    await a.start();
    await clock.advance(1000);
    await b.start();
    await clock.advance(30_000);
    const [mine] = a.heldLeases();
    expect(mine).toBeDefined();
    await a.stopTaking();
    const releasedAt = clock.now();
    await a.release(mine!.leaseKey);
    let takenAt: number | undefined;
    b.events.on('leaseTaken', ({ lease }) => {
      if (lease.leaseKey === mine!.leaseKey) takenAt = clock.now();
    });
    await clock.advance(3000);
    expect(takenAt).toBeDefined();
    expect(takenAt! - releasedAt).toBeLessThanOrEqual(1500);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('checkpoints and renewals of one lease never fail each other', async () => {
    const clock = new FakeClock();
    const store = await storeWithLeases(1);
    const a = coordinator(store, 'a', clock);
    const lost: LeaseLossReason[] = [];
    a.events.on('leaseLost', ({ reason }) => lost.push(reason));
    await a.start();
    await clock.advance(100);
    const [lease] = a.heldLeases();
    // Fire many checkpoints while the renewer runs on the same lease.
    const writes: Promise<unknown>[] = [];
    for (let i = 1; i <= 20; i++) {
      writes.push(
        a.checkpoint(lease!.leaseKey, { checkpoint: ExtendedSequenceNumber.of(String(i)) }),
      );
      await clock.advance(400);
    }
    const results = (await Promise.all(writes)) as { ok: boolean }[];
    expect(results.every((r) => r.ok)).toBe(true);
    expect(lost).toEqual([]);
    expect((await store.getLease(lease!.leaseKey))?.checkpoint.sequenceNumber).toBe('20');
    await a.stop();
  });

  it('notices a stolen lease at its next renewal and reports it lost', async () => {
    const clock = new FakeClock();
    const store = await storeWithLeases(1);
    const a = coordinator(store, 'a', clock);
    const lost: LeaseLossReason[] = [];
    a.events.on('leaseLost', ({ reason }) => lost.push(reason));
    await a.start();
    await clock.advance(100);
    const current = await store.getLease(a.heldLeases()[0]!.leaseKey);
    await store.takeLease(current!, 'thief');
    await clock.advance(3500);
    expect(lost).toEqual(['taken']);
    expect(a.heldLeases()).toHaveLength(0);
    await a.stop();
  });
});
