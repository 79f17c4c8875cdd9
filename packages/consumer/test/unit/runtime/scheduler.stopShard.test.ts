/**
 * The `'stop-shard'` processor-error policy (the default) end to end through the Scheduler: the
 * worker gives up on a batch after `maxProcessorAttempts`, the scheduler releases the lease and
 * keeps away from it for failoverTimeMs, so another worker retries it at once, and a lone worker
 * retries it itself about every failoverTimeMs.
 */
import { putPlain, SHARD, text } from './workerHarness.js';
import type { RecordingProcessor } from './workerHarness.js';
import { FAILOVER_MS, Fleet, TAKER_MS } from './schedulerHarness.js';
import type { WorkerOptions } from './schedulerHarness.js';

/** Every processor throws on batches holding r1; the others are checkpointed. */
function poisonR1(p: RecordingProcessor): void {
  p.onProcess = async (input) => {
    if (text(input.records).includes('r1')) throw new Error('cannot handle r1');
    await input.checkpointer.checkpoint();
  };
}

const STOP_SHARD: Omit<WorkerOptions, 'id'> = {
  worker: { processorErrorPolicy: 'stop-shard', maxProcessorAttempts: 2, maxRecords: 1 },
  setup: poisonR1,
};

function poisonedShard(fleet: Fleet): string[] {
  fleet.kinesis.createShard(SHARD);
  return putPlain(fleet.kinesis, 3);
}

describe("Scheduler: the 'stop-shard' policy", () => {
  it('releases the lease with the good records checkpointed, and a lone worker retries after failoverTimeMs', async () => {
    // Prepare
    const fleet = new Fleet();
    const [r0] = poisonedShard(fleet);
    const a = await fleet.start({ id: 'a', ...STOP_SHARD });

    // Act
    await fleet.drive(() => a.events.shardFinished.length > 0, 10_000);
    const stoppedAt = fleet.clock.now();

    // Assess: handed back, checkpointed up to the batch before the poison one.
    expect(a.events.shardFinished[0]).toMatchObject({
      shardId: SHARD,
      outcome: { reason: 'stopped-on-error' },
    });
    const first = a.processors.get(SHARD)!;
    expect(first.calls.slice(-1)).toEqual(['shutdownRequested']);
    const lease = await fleet.store.getLease(SHARD);
    expect(lease?.leaseOwner).toBeUndefined();
    expect(lease?.checkpoint.sequenceNumber).toBe(r0);
    expect(a.scheduler.activeShards).toBe(0);

    // Not retaken at the next scans, but once failoverTimeMs has passed.
    await fleet.run(FAILOVER_MS - 2 * TAKER_MS);
    expect(a.made).toEqual([SHARD]);
    await fleet.drive(() => a.made.length === 2, 2 * FAILOVER_MS);
    const retriedAfter = fleet.clock.now() - stoppedAt;
    expect(retriedAfter).toBeGreaterThanOrEqual(FAILOVER_MS);
    expect(retriedAfter).toBeLessThanOrEqual(FAILOVER_MS + 2 * TAKER_MS);
    // The retry resumes at the poison batch (r0 was checkpointed).
    const second = a.processors.get(SHARD)!;
    await fleet.drive(() => second.inputs.length > 0, 5_000);
    expect(text(second.inputs[0]!.records)).toEqual(['r1']);
    await fleet.stopAll();
  });

  it('another worker takes the released lease at its next scan', async () => {
    // Prepare: b holds nothing, a has the poisoned shard.
    const fleet = new Fleet();
    poisonedShard(fleet);
    const a = await fleet.start({ id: 'a', ...STOP_SHARD });
    await fleet.drive(() => a.made.length === 1, 5_000);
    const b = await fleet.start({ id: 'b', ...STOP_SHARD });

    // Act
    await fleet.drive(() => a.events.shardFinished.length > 0, 10_000);
    const stoppedAt = fleet.clock.now();
    await fleet.drive(() => b.made.includes(SHARD), 5_000);

    // Assess
    expect(fleet.clock.now() - stoppedAt).toBeLessThanOrEqual(TAKER_MS + 50);
    expect(await fleet.owner(SHARD)).toBe('b');
    await fleet.stopAll();
  });
});
