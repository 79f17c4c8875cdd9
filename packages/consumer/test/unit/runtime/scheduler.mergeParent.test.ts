/**
 * The KCL's merge-parent rule at SHARD_END (kcl.md §4.2): a merge child is created only when both
 * parent leases exist (or neither). With one missing, the owner keeps its lease and retries
 * (29 times in 30) or drops it so another worker retries (1 in 30); both count
 * MissingMergeParentLease. A merge child naming one parent only counts MissingMergeParent.
 */
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { SHARD_END_METRICS } from '../../../src/runtime/shardEnd.js';
import { FAILOVER_MS, Fleet, TAKER_MS } from './schedulerHarness.js';
import type { TestWorker } from './schedulerHarness.js';

const P0 = 'shardId-000000000000';
const P1 = 'shardId-000000000001';
const CHILD = 'shardId-000000000002';
const MAX = (2n ** 128n - 1n).toString();
const MID = (2n ** 127n).toString();

/** P0 and P1 merged into CHILD; only P0 has a lease. Shard sync is kept out (no ListShards). */
async function mergeWithMissingParentLease(
  fleet: Fleet,
  childParents: readonly string[] = [P0, P1],
): Promise<void> {
  const { kinesis } = fleet;
  kinesis.createShard(P0, { hashKeyRange: { startingHashKey: '0', endingHashKey: MID } });
  kinesis.createShard(P1, {
    hashKeyRange: { startingHashKey: (BigInt(MID) + 1n).toString(), endingHashKey: MAX },
  });
  kinesis.put(P0, 'last of p0');
  const child = {
    shardId: CHILD,
    parents: childParents,
    hashKeyRange: { startingHashKey: '0', endingHashKey: MAX },
  };
  kinesis.closeShard(P0, [child]);
  kinesis.closeShard(P1, [child]);
  await fleet.store.createLeaseIfNotExists({
    leaseKey: P0,
    shardId: P0,
    checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
    parentShardIds: [],
  });
}

const missingLease = (w: TestWorker): number =>
  w.metrics.sum(SHARD_END_METRICS.missingMergeParentLease, { Operation: 'ShutdownTask' });

describe('Scheduler: a merge whose other parent lease is missing', () => {
  it('keeps the lease and retries (random ≥ 1/30) until the other parent lease appears', async () => {
    // Prepare
    const fleet = new Fleet();
    await mergeWithMissingParentLease(fleet);
    const a = await fleet.start({ id: 'a', random: () => 0.5, listShards: () => [] });

    // Act: blocked for a while.
    await fleet.drive(() => missingLease(a) >= 3, 10_000);

    // Assess: still ours, not ended, no child lease yet.
    const p0 = a.processors.get(P0)!;
    expect(p0.calls).not.toContain('shardEnded');
    expect(p0.calls).not.toContain('leaseLost');
    expect(await fleet.owner(P0)).toBe('a');
    expect(await fleet.store.getLease(CHILD)).toBeUndefined();
    expect(a.workerEvents.processorError?.every((e) => e.phase === 'onShardEnd')).toBe(true);

    // Act: the other parent's lease shows up (another worker's shard sync, say).
    await fleet.store.createLeaseIfNotExists({
      leaseKey: P1,
      shardId: P1,
      checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
      parentShardIds: [],
    });
    await fleet.drive(() => p0.calls.includes('shardEnded'), 10_000);

    // Assess: the child was created and the parent finished.
    expect((await fleet.store.getLease(CHILD))?.parentShardIds).toEqual([P0, P1]);
    expect((await fleet.store.getLease(P0))?.checkpoint.isShardEnd).toBe(true);
    await fleet.stopAll();
  });

  it('drops the lease (random < 1/30): leaseLost, released, retried elsewhere first', async () => {
    // Prepare
    const fleet = new Fleet();
    await mergeWithMissingParentLease(fleet);
    // 0.01, not 0: a zero backoff would spin the fake clock if the drop ever regressed to a retry.
    const a = await fleet.start({ id: 'a', random: () => 0.01, listShards: () => [] });

    // Act
    await fleet.drive(() => a.events.shardFinished.length > 0, 10_000);
    const droppedAt = fleet.clock.now();
    await fleet.run(TAKER_MS * 3);

    // Assess
    expect(a.events.shardFinished[0]).toEqual({ shardId: P0, outcome: { reason: 'lease-lost' } });
    const p0 = a.processors.get(P0)!;
    expect(p0.calls.slice(-1)).toEqual(['leaseLost']);
    expect(p0.calls).not.toContain('shardEnded');
    expect(missingLease(a)).toBe(1);
    expect(a.workerEvents.processorError).toEqual([]);
    expect(await fleet.owner(P0)).toBeUndefined();
    expect(await fleet.store.getLease(CHILD)).toBeUndefined();

    // Another worker takes it at its next scan; we would only after the failover time.
    const b = await fleet.start({ id: 'b', random: () => 0.5, listShards: () => [] });
    await fleet.drive(() => b.made.includes(P0), 2_000);
    expect(fleet.clock.now() - droppedAt).toBeLessThan(FAILOVER_MS);
    await fleet.stopAll();
  });

  it('drops the lease of a merge child naming one parent only, counting MissingMergeParent', async () => {
    // Prepare: the service's ChildShards for a lone child lacks its other parent.
    const fleet = new Fleet();
    await mergeWithMissingParentLease(fleet, [P0]);
    const a = await fleet.start({ id: 'a', random: () => 0.5, listShards: () => [] });

    // Act
    await fleet.drive(() => a.events.shardFinished.length > 0, 10_000);

    // Assess
    expect(a.events.shardFinished[0]?.outcome).toEqual({ reason: 'lease-lost' });
    expect(a.metrics.sum(SHARD_END_METRICS.missingMergeParent)).toBe(1);
    expect(await fleet.owner(P0)).toBeUndefined();
    await fleet.stopAll();
  });
});
