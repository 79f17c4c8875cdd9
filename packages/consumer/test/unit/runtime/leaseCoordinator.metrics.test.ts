import { ExtendedSequenceNumber, silentLogger } from '@kinesis-kit/common';
import { FakeClock, MemoryMetricsSink } from '@kinesis-kit/common/testing';
import { TAKER_DEFAULTS } from '../../../src/core/leasePlanner.js';
import { LeaseCoordinator } from '../../../src/runtime/leaseCoordinator.js';
import { LEASE_METRICS as M } from '../../../src/runtime/leaseMetrics.js';
import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';

const FAILOVER = 10_000;
const RENEW = 3308;
const TAKER = 1500;

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
  metrics: MemoryMetricsSink,
  taker: Partial<typeof TAKER_DEFAULTS> = {},
): LeaseCoordinator {
  let seed = workerId.length;
  return new LeaseCoordinator({
    store,
    workerId,
    taker: { ...TAKER_DEFAULTS, ...taker, failoverTimeMs: FAILOVER },
    renewIntervalMs: RENEW,
    takerIntervalMs: TAKER,
    clock,
    random: () => (seed = (seed * 9301 + 49297) % 233280) / 233280,
    logger: silentLogger,
    metrics,
    metricDimensions: { WorkerIdentifier: workerId },
  });
}

/** The values recorded under `name`, in order. */
function values(sink: MemoryMetricsSink, name: string): number[] {
  return sink.data.filter((d) => d.name === name).map((d) => d.value);
}

describe('LeaseCoordinator metrics (KCL names)', () => {
  it('records CurrentLeases per renewer run and the TakeLeases statistics per taker run', async () => {
    // Prepare
    const clock = new FakeClock();
    const store = await storeWithLeases(3);
    const sink = new MemoryMetricsSink();
    const a = coordinator(store, 'worker-a', clock, sink);
    // Act: the first taker run takes all three (new unowned leases are very old).
    await a.start();
    await clock.advance(RENEW + 10);
    // Assess
    expect(values(sink, M.takenLeases)[0]).toBe(3);
    expect(values(sink, M.leasesToTake)[0]).toBe(3);
    expect(values(sink, M.untakenLeases)[0]).toBe(0);
    expect(values(sink, M.totalLeases)[0]).toBe(3);
    expect(values(sink, M.numWorkers)[0]).toBe(1);
    expect(values(sink, M.neededLeases)[0]).toBe(3);
    expect(values(sink, M.veryOldLeases)[0]).toBe(3);
    expect(values(sink, M.leaseSpillover)[0]).toBe(0);
    expect(values(sink, M.currentLeases).at(-1)).toBe(3);
    expect(sink.sum(M.takenLeases, { Operation: 'TakeLeases', WorkerIdentifier: 'worker-a' })).toBe(
      3,
    );
    expect(sink.count(M.currentLeases, { Operation: 'RenewAllLeases' })).toBeGreaterThan(0);
    expect(sink.sum(M.lostLeases)).toBe(0);
    await a.stop();
  });

  it('reports spillover beyond maxLeasesForWorker', async () => {
    const clock = new FakeClock();
    const store = await storeWithLeases(4);
    const sink = new MemoryMetricsSink();
    const a = coordinator(store, 'worker-a', clock, sink, { maxLeasesForWorker: 1 });
    await a.start();
    await clock.advance(TAKER + 10);
    expect(a.heldLeases()).toHaveLength(1);
    // Target ceil(4/1) = 4, capped at 1: 3 leases spill over.
    expect(values(sink, M.leaseSpillover)[0]).toBe(3);
    await a.stop();
  });

  it('counts a lease stolen under it as lost (renewal conflict)', async () => {
    const clock = new FakeClock();
    const store = await storeWithLeases(1);
    const sink = new MemoryMetricsSink();
    const a = coordinator(store, 'worker-a', clock, sink);
    await a.start();
    await clock.advance(100);
    const [lease] = await store.listLeases();
    await store.takeLease(lease!, 'thief');
    await clock.advance(RENEW + 10);
    expect(a.heldLeases()).toHaveLength(0);
    expect(sink.sum(M.lostLeases, { Operation: 'RenewAllLeases' })).toBe(1);
    await a.stop();
  });

  it('counts a lease dropped because it could not be renewed in time as lost', async () => {
    const clock = new FakeClock();
    const store = await storeWithLeases(1);
    const sink = new MemoryMetricsSink();
    const a = coordinator(store, 'worker-a', clock, sink);
    const lost: string[] = [];
    a.events.on('leaseLost', ({ reason }) => lost.push(reason));
    await a.start();
    await clock.advance(100);
    expect(a.heldLeases()).toHaveLength(1);
    // Every renewal throws (throttled) until the failover time has passed since the last success.
    store.failNext(1_000, { operations: ['renewLease'] });
    await clock.advance(FAILOVER + RENEW);
    expect(lost).toContain('not-renewed');
    expect(sink.sum(M.lostLeases)).toBe(1);
    store.failNext(0);
    await a.stop();
  });

  it('counts a checkpoint conflict as a lost lease', async () => {
    const clock = new FakeClock();
    const store = await storeWithLeases(1);
    const sink = new MemoryMetricsSink();
    const a = coordinator(store, 'worker-a', clock, sink);
    await a.start();
    await clock.advance(100);
    const [lease] = await store.listLeases();
    await store.takeLease(lease!, 'thief');
    const result = await a.checkpoint(lease!.leaseKey, {
      checkpoint: ExtendedSequenceNumber.of(
        '49590338271490256608559692538361571095921575989136588898',
      ),
    });
    expect(result.ok).toBe(false);
    expect(sink.sum(M.lostLeases)).toBe(1);
    await a.stop();
  });

  it('does not count a release or a shutdown as lost', async () => {
    const clock = new FakeClock();
    const store = await storeWithLeases(2);
    const sink = new MemoryMetricsSink();
    const a = coordinator(store, 'worker-a', clock, sink);
    await a.start();
    await clock.advance(100);
    await a.release(a.heldLeases()[0]!.leaseKey);
    await a.stop();
    expect(sink.sum(M.lostLeases)).toBe(0);
  });
});
