/**
 * Children waiting on a parent with real work left (a new TRIM_HORIZON application leases a
 * closed parent and its children together): the wait may last hours, so it must cost few reads,
 * and the child must still start soon after the parent's SHARD_END.
 */
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { putPlain, SHARD } from './workerHarness.js';
import type { RecordingProcessor } from './workerHarness.js';
import { Fleet } from './schedulerHarness.js';

const CHILDREN = [`${SHARD}-a`, `${SHARD}-b`];
const BUSY_MS = 30 * 60_000;

/** The parent's processor takes BUSY_MS on its batch; first starts and its end are timed. */
function timing(fleet: Fleet) {
  const initializedAt = new Map<string, number>();
  let parentEndedAt: number | undefined;
  const setup = (p: RecordingProcessor, shardId: string): void => {
    const initialize = p.initialize.bind(p);
    p.initialize = (input) => {
      // The first start (a child may be stolen later to even the balance).
      if (!initializedAt.has(shardId)) initializedAt.set(shardId, fleet.clock.now());
      return initialize(input);
    };
    if (shardId !== SHARD) return;
    p.onProcess = async (input) => {
      await fleet.clock.sleep(BUSY_MS);
      await input.checkpointer.checkpoint();
    };
    p.onShardEnded = async (input) => {
      await input.checkpointer.checkpoint();
      parentEndedAt = fleet.clock.now();
    };
  };
  return { setup, initializedAt, parentEndedAt: () => parentEndedAt };
}

/** A closed parent with records and its two children, all leased at TRIM_HORIZON. */
async function splitTable(fleet: Fleet): Promise<void> {
  fleet.kinesis.createShard(SHARD);
  putPlain(fleet.kinesis, 1);
  fleet.kinesis.split(SHARD);
  for (const [shardId, parents] of [
    [SHARD, []],
    [CHILDREN[0]!, [SHARD]],
    [CHILDREN[1]!, [SHARD]],
  ] as const) {
    await fleet.store.createLeaseIfNotExists({
      leaseKey: shardId,
      shardId,
      checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
      parentShardIds: parents,
    });
  }
}

describe('Scheduler: children waiting on a busy parent', () => {
  it('on the parent’s worker: no parent reads while waiting, started when the parent ends', async () => {
    // Prepare
    const fleet = new Fleet();
    await splitTable(fleet);
    const t = timing(fleet);
    const a = await fleet.start({ id: 'a', setup: t.setup, listShards: () => [] });

    // Act
    await fleet.drive(() => t.initializedAt.size === 3, BUSY_MS + 60_000, 1_000);

    // Assess
    // The one read is the shard-end step's own (which child leases exist), none while waiting.
    expect(a.reads.get(SHARD) ?? 0).toBeLessThanOrEqual(1);
    for (const child of CHILDREN) {
      expect(t.initializedAt.get(child)! - t.parentEndedAt()!).toBeLessThanOrEqual(1_000);
    }
    await fleet.stopAll();
  });

  it('on another worker: about 10 s between parent reads once the wait is long', async () => {
    // Prepare: a holds the parent, b the children (re-claimed at start as their owner).
    const fleet = new Fleet();
    await splitTable(fleet);
    for (const [key, owner] of [
      [SHARD, 'a'],
      [CHILDREN[0]!, 'b'],
      [CHILDREN[1]!, 'b'],
    ] as const) {
      await fleet.store.takeLease((await fleet.store.getLease(key))!, owner);
    }
    const t = timing(fleet);
    await fleet.start({ id: 'a', setup: t.setup, listShards: () => [] });
    const b = await fleet.start({ id: 'b', setup: t.setup, listShards: () => [] });

    // Act
    await fleet.drive(() => t.initializedAt.size === 3, BUSY_MS + 60_000, 1_000);

    // Assess: two children, each about 6 reads a minute after the first seconds (was 240).
    const minutes = BUSY_MS / 60_000;
    expect(b.reads.get(SHARD)).toBeLessThan(2 * (6 * minutes + 40));
    for (const child of CHILDREN) {
      expect(t.initializedAt.get(child)! - t.parentEndedAt()!).toBeLessThanOrEqual(11_000);
    }
    await fleet.stopAll();
  });
});
