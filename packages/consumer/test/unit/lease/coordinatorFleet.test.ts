/**
 * The figures README.lease.md quotes, measured on the real LeaseCoordinator (its renewer and
 * taker loops, the timings the consumer derives from failoverTimeMs) over the in-memory store,
 * on simulated time: how fast a fleet balances, how long a dead worker's leases stay unowned,
 * and what a split does to a balanced fleet. (takerSimulation.test.ts drives the pure planner
 * with its own loop; this one has no loop of its own.)
 */
import {
  ExtendedSequenceNumber,
  noopMetricsSink,
  seededRandom,
  silentLogger,
} from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import { TAKER_DEFAULTS, leaseTimings } from '../../../src/core/leasePlanner.js';
import { LeaseCoordinator } from '../../../src/runtime/leaseCoordinator.js';
import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';

const F = 10_000;
const STEP = 50;
const { renewIntervalMs, takerIntervalMs } = leaseTimings(F);

class Fleet {
  readonly store = new InMemoryLeaseStore();
  readonly clock = new FakeClock();
  readonly workers = new Map<string, LeaseCoordinator>();
  /** Leases lost by a live worker because another took them (both read the shard meanwhile). */
  steals = 0;
  private readonly t0 = this.clock.monotonic();

  get now(): number {
    return this.clock.monotonic() - this.t0;
  }

  async seed(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const id = `shardId-${String(i).padStart(12, '0')}`;
      await this.store.createLeaseIfNotExists({
        leaseKey: id,
        shardId: id,
        checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
        parentShardIds: [],
      });
    }
  }

  async start(id: string, seed: number): Promise<LeaseCoordinator> {
    const c = new LeaseCoordinator({
      store: this.store,
      workerId: id,
      taker: { ...TAKER_DEFAULTS, failoverTimeMs: F },
      renewIntervalMs,
      takerIntervalMs,
      clock: this.clock,
      random: seededRandom(seed),
      logger: silentLogger,
      metrics: noopMetricsSink,
    });
    c.events.on('leaseLost', ({ reason }) => {
      if (reason === 'taken' && this.workers.get(id) === c) this.steals++;
    });
    this.workers.set(id, c);
    await c.start();
    return c;
  }

  /** A SIGKILL: the loops stop, nothing is released, the leases expire. */
  async kill(id: string): Promise<void> {
    const c = this.workers.get(id)!;
    this.workers.delete(id);
    await c.stop();
  }

  async owners(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const l of await this.store.listLeases()) {
      const o = l.leaseOwner ?? '(none)';
      counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    return counts;
  }

  /** Advances in 50 ms steps until `until` holds (returns the time) or `endMs` (NaN). */
  async runUntil(endMs: number, until?: () => Promise<boolean>): Promise<number> {
    while (this.now <= endMs) {
      if (until && (await until())) return this.now;
      await this.clock.advance(STEP);
    }
    return Number.NaN;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.workers.values()].map((c) => c.stop()));
  }
}

const balanced = (fleet: Fleet, ids: string[], each: number) => async () => {
  const c = await fleet.owners();
  return ids.every((w) => c.get(w) === each);
};

describe('the real LeaseCoordinator in a fleet, on simulated time', () => {
  it('balances 12 leases over 3 workers that start 2 s apart', async () => {
    const fleet = new Fleet();
    await fleet.seed(12);
    await fleet.start('w1', 1);
    await fleet.runUntil(2_000);
    await fleet.start('w2', 2);
    await fleet.runUntil(4_000);
    await fleet.start('w3', 3);
    const startedAt = fleet.now;

    const at = await fleet.runUntil(60_000, balanced(fleet, ['w1', 'w2', 'w3'], 4));

    console.info(
      `[coordinator fleet] 12 leases / 3 workers balanced ${at - startedAt} ms after the third started`,
    );
    expect(at - startedAt).toBeLessThan(20_000);
    await fleet.stopAll();
  });

  it.each([1, 2, 3])(
    'replaces a dead worker within failover + one taker interval + one renew interval (run %i)',
    async (run) => {
      const fleet = new Fleet();
      await fleet.seed(9);
      for (const [i, id] of ['w1', 'w2', 'w3'].entries()) await fleet.start(id, i + run * 10);
      await fleet.runUntil(60_000, balanced(fleet, ['w1', 'w2', 'w3'], 3));
      await fleet.runUntil(fleet.now + run * 1_111);
      const killedAt = fleet.now;
      await fleet.kill('w2');

      const at = await fleet.runUntil(
        killedAt + 60_000,
        async () => (await fleet.owners()).get('w2') === undefined,
      );

      console.info(
        `[coordinator fleet] dead worker's 3 leases all taken ${at - killedAt} ms after it died (failover ${F} ms)`,
      );
      expect(at - killedAt).toBeLessThanOrEqual(F + takerIntervalMs + renewIntervalMs);
      expect(at - killedAt).toBeGreaterThan(F - renewIntervalMs);
      await fleet.stopAll();
    },
  );

  it.each([1, 2, 3])(
    'a split in a balanced fleet moves no lease between live workers (run %i)',
    async (run) => {
      const fleet = new Fleet();
      await fleet.seed(6);
      for (const [i, id] of ['w1', 'w2', 'w3'].entries()) await fleet.start(id, i + run * 10);
      await fleet.runUntil(60_000, balanced(fleet, ['w1', 'w2', 'w3'], 2));
      // Let the balancing settle: a worker learns at its next renewal that a lease was stolen.
      await fleet.runUntil(fleet.now + F);
      const stealsBefore = fleet.steals;
      // The parent's owner checkpoints SHARD_END, creates the children and wakes its taker.
      const parent = (await fleet.store.listLeases())[run]!;
      const owner = fleet.workers.get(parent.leaseOwner!)!;
      const r = await owner.checkpoint(parent.leaseKey, {
        checkpoint: ExtendedSequenceNumber.SHARD_END,
      });
      expect(r.ok).toBe(true);
      for (const child of ['shardId-child-a', 'shardId-child-b']) {
        await fleet.store.createLeaseIfNotExists({
          leaseKey: child,
          shardId: child,
          checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
          parentShardIds: [parent.shardId],
        });
      }
      owner.wake();
      const splitAt = fleet.now;

      const ownedAt = await fleet.runUntil(splitAt + 60_000, async () =>
        (await fleet.store.listLeases()).every((l) => l.leaseOwner !== undefined),
      );
      await fleet.runUntil(fleet.now + 60_000);

      const active = new Map<string, number>();
      for (const l of await fleet.store.listLeases()) {
        if (l.checkpoint.isShardEnd) continue;
        active.set(l.leaseOwner!, (active.get(l.leaseOwner!) ?? 0) + 1);
      }
      console.info(
        `[coordinator fleet] split: children owned ${ownedAt - splitAt} ms after creation, ` +
          `steals ${fleet.steals - stealsBefore}, active leases per worker ${[...active.values()].sort().join('/')}`,
      );
      expect(fleet.steals - stealsBefore).toBe(0);
      expect(ownedAt - splitAt).toBeLessThanOrEqual(STEP);
      expect([...active.values()].sort()).toEqual([2, 2, 3]);
      await fleet.stopAll();
    },
  );
});
