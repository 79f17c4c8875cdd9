/**
 * `holdsFresh`: what a shard worker asks before each batch. A lease not renewed within the
 * failover time may be another worker's already (found by the chaos suite's SIGSTOP).
 */
import { ExtendedSequenceNumber, noopMetricsSink, silentLogger } from '@kinesis-kit/common';
import type { Clock } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import { TAKER_DEFAULTS } from '../../../src/core/leasePlanner.js';
import { LeaseCoordinator } from '../../../src/runtime/leaseCoordinator.js';
import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';

const FAILOVER = 10_000;
const SHARD = 'shardId-000000000000';

describe('LeaseCoordinator.holdsFresh', () => {
  it('is true after renewals, and drops a lease whose renewal is overdue (a stalled process)', async () => {
    // A clock that can jump without running any timer: what a process sees right after SIGCONT.
    const fake = new FakeClock();
    let stalledMs = 0;
    const clock: Clock = {
      now: () => fake.now() + stalledMs,
      monotonic: () => fake.monotonic() + stalledMs,
      sleep: (ms, signal) => fake.sleep(ms, signal),
    };
    const store = new InMemoryLeaseStore();
    await store.createLeaseIfNotExists({
      leaseKey: SHARD,
      shardId: SHARD,
      checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
      parentShardIds: [],
    });
    const coordinator = new LeaseCoordinator({
      store,
      workerId: 'w1',
      taker: { ...TAKER_DEFAULTS, failoverTimeMs: FAILOVER },
      renewIntervalMs: 3000,
      takerIntervalMs: 1000,
      clock,
      random: () => 0.5,
      logger: silentLogger,
      metrics: noopMetricsSink,
    });
    const lost: unknown[] = [];
    coordinator.events.on('leaseLost', (e) => lost.push(e));
    await coordinator.start();
    await fake.advance(2 * FAILOVER); // renewals keep it fresh
    expect(coordinator.holdsFresh(SHARD)).toBe(true);

    stalledMs = FAILOVER + 1;

    expect(coordinator.holdsFresh(SHARD)).toBe(false);
    expect(lost).toEqual([{ leaseKey: SHARD, reason: 'not-renewed' }]);
    expect(coordinator.heldLeases()).toEqual([]);
    expect(coordinator.holdsFresh('shardId-000000000009')).toBe(false);
    await coordinator.stop();
  });
});
