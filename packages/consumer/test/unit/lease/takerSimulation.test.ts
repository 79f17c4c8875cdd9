/**
 * The planner driven the way the coordinator should drive it (renew every failover/3, taker every
 * `leaseTimings().takerIntervalMs` and at `nextExpiryAtMs`), over the in-memory store with its real
 * conditional semantics, on simulated time. Measures how long a dead worker's leases stay unowned
 * and how fast a fleet balances.
 */
import { ExtendedSequenceNumber, seededRandom } from '@kinesis-kit/common';
import {
  TAKER_DEFAULTS,
  leaseTimings,
  planLeaseTaking,
  planRenewals,
} from '../../../src/core/leasePlanner.js';
import type { LeaseObservation } from '../../../src/core/leasePlanner.js';
import type { Lease } from '../../../src/ports.js';
import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';

const F = 10_000;
const STEP = 50;
const { renewIntervalMs, takerIntervalMs } = leaseTimings(F);

interface SimWorker {
  readonly id: string;
  alive: boolean;
  observations: Map<string, LeaseObservation>;
  held: Map<string, { lease: Lease; lastRenewedAtMs: number }>;
  nextRenewAt: number;
  nextTakeAt: number;
}

class Simulation {
  readonly store = new InMemoryLeaseStore();
  readonly workers: SimWorker[] = [];
  now = 0;
  /** Leases taken from a live owner (a steal: both process the shard until the owner notices). */
  steals = 0;
  private readonly random = seededRandom(7);

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

  start(id: string): SimWorker {
    const w: SimWorker = {
      id,
      alive: true,
      observations: new Map(),
      held: new Map(),
      nextRenewAt: this.now,
      nextTakeAt: this.now,
    };
    this.workers.push(w);
    return w;
  }

  async runUntil(endMs: number, stop?: () => Promise<boolean>): Promise<number> {
    for (; this.now <= endMs; this.now += STEP) {
      for (const w of this.workers.filter((x) => x.alive)) await this.tick(w);
      if (stop && (await stop())) return this.now;
    }
    return Number.NaN;
  }

  private async tick(w: SimWorker): Promise<void> {
    if (this.now >= w.nextRenewAt) {
      w.nextRenewAt += renewIntervalMs;
      const plan = planRenewals([...w.held.values()], this.now, F);
      for (const lost of plan.lost) w.held.delete(lost.leaseKey);
      for (const lease of plan.renew) {
        const r = await this.store.renewLease(lease);
        if (r.ok) w.held.set(lease.leaseKey, { lease: r.lease, lastRenewedAtMs: this.now });
        else w.held.delete(lease.leaseKey);
      }
    }
    if (this.now >= w.nextTakeAt) {
      const leases = await this.store.listLeases();
      const plan = planLeaseTaking({
        leases,
        observations: w.observations,
        workerId: w.id,
        nowMs: this.now,
        config: { ...TAKER_DEFAULTS, failoverTimeMs: F },
        random: this.random,
      });
      w.observations = plan.observations;
      for (const lease of [...plan.take, ...plan.steal]) {
        const r = await this.store.takeLease(lease, w.id);
        if (!r.ok) continue;
        w.held.set(lease.leaseKey, { lease: r.lease, lastRenewedAtMs: this.now });
        const from = this.workers.find((x) => x.id === lease.leaseOwner);
        if (from?.alive === true) this.steals++;
      }
      w.nextTakeAt = Math.min(
        this.now + takerIntervalMs,
        plan.nextExpiryAtMs ?? Number.POSITIVE_INFINITY,
      );
    }
  }

  async owners(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const l of await this.store.listLeases()) {
      const o = l.leaseOwner ?? '(none)';
      counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    return counts;
  }
}

describe('lease taking on simulated time', () => {
  it('balances 12 leases over 3 workers that start 2 s apart', async () => {
    const sim = new Simulation();
    await sim.seed(12);
    sim.start('w1');
    await sim.runUntil(2_000);
    sim.start('w2');
    await sim.runUntil(4_000);
    sim.start('w3');

    const balancedAt = await sim.runUntil(60_000, async () => {
      const c = await sim.owners();
      return ['w1', 'w2', 'w3'].every((w) => c.get(w) === 4);
    });

    // Measured figure: printed so the benchmark report can quote it.
    console.info(
      `[lease sim] 12 leases / 3 workers balanced ${balancedAt - 4_000} ms after the third worker started`,
    );
    expect(balancedAt).toBeLessThan(4_000 + 20_000);
  });

  it.each([1, 2, 3])(
    'replaces a dead worker within failover + one taker interval (seed run %i)',
    async (run) => {
      const sim = new Simulation();
      await sim.seed(9);
      for (const id of ['w1', 'w2', 'w3']) sim.start(id);
      await sim.runUntil(20_000 + run * 777, async () => {
        const c = await sim.owners();
        return ['w1', 'w2', 'w3'].every((w) => c.get(w) === 3);
      });
      await sim.runUntil(sim.now + run * 1_111);
      const killedAt = sim.now;
      sim.workers.find((w) => w.id === 'w2')!.alive = false;

      const recoveredAt = await sim.runUntil(
        killedAt + 60_000,
        async () => (await sim.owners()).get('w2') === undefined,
      );

      const failover = recoveredAt - killedAt;
      console.info(
        `[lease sim] dead worker's 3 leases all taken ${failover} ms after it died (failover ${F} ms)`,
      );
      expect(failover).toBeLessThanOrEqual(F + takerIntervalMs + renewIntervalMs);
      expect(failover).toBeGreaterThan(F - renewIntervalMs);
    },
  );

  it.each([1, 2, 3])(
    'a split in a balanced fleet moves no lease between live workers (seed run %i)',
    async (run) => {
      const sim = new Simulation();
      await sim.seed(6);
      for (const id of ['w1', 'w2', 'w3']) sim.start(id);
      await sim.runUntil(20_000 + run * 333, async () => {
        const c = await sim.owners();
        return ['w1', 'w2', 'w3'].every((w) => c.get(w) === 2);
      });
      const stealsBefore = sim.steals;
      // The parent's owner reads it to the end, checkpoints SHARD_END and creates the children.
      const parent = (await sim.store.listLeases())[run]!;
      const owner = sim.workers.find((w) => w.id === parent.leaseOwner)!;
      const r = await sim.store.updateCheckpoint(owner.held.get(parent.leaseKey)!.lease, {
        checkpoint: ExtendedSequenceNumber.SHARD_END,
      });
      if (!r.ok) throw new Error('checkpoint failed');
      owner.held.set(parent.leaseKey, { lease: r.lease, lastRenewedAtMs: sim.now });
      for (const child of ['shardId-child-a', 'shardId-child-b']) {
        await sim.store.createLeaseIfNotExists({
          leaseKey: child,
          shardId: child,
          checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
          parentShardIds: [parent.leaseKey],
        });
      }
      // The scheduler wakes its taker after creating leases.
      owner.nextTakeAt = sim.now;
      const splitAt = sim.now;

      const ownedAt = await sim.runUntil(splitAt + 60_000, async () => {
        const leases = await sim.store.listLeases();
        return leases.every((l) => l.leaseOwner !== undefined);
      });
      await sim.runUntil(sim.now + 60_000);

      const active = new Map<string, number>();
      for (const l of await sim.store.listLeases()) {
        if (l.checkpoint.isShardEnd) continue;
        active.set(l.leaseOwner!, (active.get(l.leaseOwner!) ?? 0) + 1);
      }
      console.info(
        `[lease sim] split: children owned ${ownedAt - splitAt} ms after creation, ` +
          `steals ${sim.steals - stealsBefore}, active leases per worker ${[...active.values()].join('/')}`,
      );
      expect(sim.steals - stealsBefore).toBe(0);
      expect(ownedAt - splitAt).toBeLessThanOrEqual(STEP);
      expect([...active.values()].sort()).toEqual([2, 2, 3]);
    },
  );

  it('costs about one renew per lease per renew interval plus one scan per taker interval', async () => {
    const sim = new Simulation();
    await sim.seed(6);
    for (const id of ['w1', 'w2']) sim.start(id);
    await sim.runUntil(30_000);
    sim.store.resetCalls();
    const from = sim.now;

    await sim.runUntil(from + 3_600_000 / 20);

    const hours = (sim.now - from) / 3_600_000;
    const perLeaseHour = sim.store.totalCalls / 6 / hours;
    console.info(
      `[lease sim] DynamoDB calls per lease per hour: ${perLeaseHour.toFixed(0)} ` +
        `(renews ${(sim.store.calls.renewLease! / 6 / hours).toFixed(0)}, scans ${(sim.store.calls.listLeases! / 6 / hours).toFixed(0)})`,
    );
    const renewsPerLeaseHour = sim.store.calls.renewLease! / 6 / hours;
    expect(Math.abs(renewsPerLeaseHour - 3_600_000 / renewIntervalMs)).toBeLessThan(20);
    expect(sim.store.calls.takeLease ?? 0).toBe(0);
  });
});
