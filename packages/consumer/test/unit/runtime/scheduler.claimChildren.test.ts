/**
 * Children of a split in a fleet: the parent's worker claims them at the parent's end, so both
 * start within the parent's last moments, and hands the one it holds beyond its target to a
 * worker below its target gracefully (checkpoint, release), without a steal and without a record
 * processed twice.
 */
import type { LeaseLossReason } from '../../../src/runtime/leaseCoordinator.js';
import { Fleet, TAKER_MS } from './schedulerHarness.js';
import type { TestWorker } from './schedulerHarness.js';
import type { RecordingProcessor } from './workerHarness.js';

const SHARDS = [0, 1, 2, 3].map((i) => `shardId-00000000000${i}`);

/** Workers' live leases (not at SHARD_END), by worker id. */
async function liveCounts(fleet: Fleet): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const lease of await fleet.store.listLeases()) {
    if (lease.leaseOwner === undefined || lease.checkpoint.isShardEnd) continue;
    counts.set(lease.leaseOwner, (counts.get(lease.leaseOwner) ?? 0) + 1);
  }
  return counts;
}

describe('Scheduler: children claimed at their parent’s end', () => {
  it('start at once on the parent’s worker; the one beyond its target is handed over, not stolen', async () => {
    // Prepare: 4 shards on 3 workers (2/1/1), records in every shard.
    const fleet = new Fleet();
    for (const shardId of SHARDS) fleet.kinesis.createShard(shardId);
    const firstBatchAt = new Map<string, number>();
    let parentEndedAt: number | undefined;
    const setup = (p: RecordingProcessor, shardId: string): void => {
      const process = p.onProcess;
      p.onProcess = (input, call) => {
        if (input.records.length > 0 && !firstBatchAt.has(shardId)) {
          firstBatchAt.set(shardId, fleet.clock.monotonic());
        }
        return process(input, call);
      };
      const ended = p.onShardEnded;
      p.onShardEnded = async (input, call) => {
        await ended(input, call);
        parentEndedAt = fleet.clock.monotonic();
      };
    };
    const losses: { worker: string; leaseKey: string; reason: LeaseLossReason }[] = [];
    const workers: TestWorker[] = [];
    for (const id of ['a', 'b', 'c']) {
      const w = await fleet.start({ id, setup });
      w.coordinator.events.on('leaseLost', ({ leaseKey, reason }) =>
        losses.push({ worker: id, leaseKey, reason }),
      );
      workers.push(w);
    }
    await fleet.run(10_000);
    const counts = await liveCounts(fleet);
    expect([...counts.values()].sort()).toEqual([1, 1, 2]);
    losses.length = 0; // the first worker took all four, the others stole theirs: not this test's
    const busy = [...counts].find(([, n]) => n === 2)![0];
    const parentWorker = workers.find((w) => w.id === busy)!;
    const parent = (await fleet.store.listLeases()).find((l) => l.leaseOwner === busy)!.shardId;
    const [childA, childB] = fleet.kinesis.split(parent).map((c) => c.shardId) as [string, string];
    let n = 0;
    const put = (shardId: string): void => {
      for (let i = 0; i < 5; i++) fleet.kinesis.put(shardId, `${shardId}:${n++}`, `pk-${n}`);
    };
    put(childA);
    put(childB);

    // Act: the parent's worker reads to the end; time passes for a few scans.
    await fleet.drive(() => firstBatchAt.has(childA) && firstBatchAt.has(childB), 5_000);
    const startedAfterEnd = [childA, childB].map((c) => firstBatchAt.get(c)! - parentEndedAt!);
    await fleet.run(6 * TAKER_MS);
    put(childA);
    put(childB);
    await fleet.run(6 * TAKER_MS);

    // Assess: both children started on the parent's worker before any scan could give them out.
    expect(Math.max(...startedAfterEnd)).toBeLessThan(TAKER_MS);
    const owners = await Promise.all([childA, childB].map((c) => fleet.owner(c)));
    expect(owners).toContain(busy);
    expect(owners.filter((o) => o !== busy)).toHaveLength(1);
    expect(parentWorker.events.leaseHandedOver).toHaveLength(1);
    // Handed over after the parent's worker had read it for a while, not before its first batch.
    const handed = [childA, childB][owners.findIndex((o) => o !== busy)]!;
    expect(parentWorker.processors.get(handed)?.delivered.length).toBeGreaterThan(0);
    expect([...(await liveCounts(fleet)).values()].sort()).toEqual([1, 2, 2]);
    // Nothing was stolen or lost (the parent's release after its end is the only other move).
    expect(losses.filter((l) => l.reason === 'taken' || l.reason === 'not-renewed')).toEqual([]);
    // Every record of the children was delivered once, in order, across both owners.
    for (const child of [childA, childB]) {
      const delivered = workers.flatMap(
        (w) => w.processors.get(child)?.delivered.map((r) => r.sequenceNumber) ?? [],
      );
      const expected = fleet.kinesis.records(child).map((r) => r.sequenceNumber);
      expect(delivered.sort()).toEqual([...expected].sort());
    }
    await fleet.stopAll();
  });
});
