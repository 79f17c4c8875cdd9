import { BatchPlanner } from '../../../src/core/batchPlanner.js';
import { RATE_LIMITER_DEFAULTS, ShardRateLimiter } from '../../../src/core/rateLimiter.js';
import { ShardBuffer } from '../../../src/core/shardBuffer.js';
import { pending } from '../../fakes/pendingRecords.js';

const MiB = 1024 * 1024;
const config = {
  aggregationEnabled: false,
  aggregationMaxCount: 1,
  aggregationMaxSize: 51_200,
  recordMaxBufferedTime: 100,
};

function setup(shardCount: number, ceiling = 1) {
  const shards = Array.from(
    { length: shardCount },
    (_, i) => new ShardBuffer(`s${i}`, config, undefined),
  );
  const limiters = new Map(
    shards.map((s) => [
      s,
      new ShardRateLimiter(
        { ...RATE_LIMITER_DEFAULTS, recordsPerSecond: 1000, bytesPerSecond: MiB, ceiling },
        0,
      ),
    ]),
  );
  const limiterOf = (s: ShardBuffer): ShardRateLimiter => limiters.get(s)!;
  return { shards, limiterOf };
}

const fill = (shard: ShardBuffer, n: number, size: number, arrivedAt = 0): void => {
  for (let i = 0; i < n; i++) shard.add(pending(`k${i}`, new Uint8Array(size), { arrivedAt }));
};

describe('BatchPlanner', () => {
  it('waits until a record is due, then sends it', () => {
    const { shards, limiterOf } = setup(1);
    fill(shards[0]!, 3, 100, 0);
    const planner = new BatchPlanner({ maxEntries: 500, maxBytes: 5 * MiB, preserveOrder: false });
    expect(planner.plan(shards, limiterOf, 50, false)).toBeUndefined();
    expect(planner.nextWakeAt(shards, limiterOf, 50, false)).toBe(100);
    const batch = planner.plan(shards, limiterOf, 100, false);
    expect(batch?.records).toHaveLength(3);
  });

  it('sends a full request before anything is due, within the entry limit', () => {
    const { shards, limiterOf } = setup(1);
    fill(shards[0]!, 12, 10);
    const planner = new BatchPlanner({ maxEntries: 10, maxBytes: 5 * MiB, preserveOrder: false });
    expect(planner.plan(shards, limiterOf, 1, false)?.records).toHaveLength(10);
    expect(shards[0]!.queuedCount).toBe(2);
  });

  it('keeps a request within the byte limit, counting partition keys', () => {
    const { shards, limiterOf } = setup(4);
    for (const s of shards) fill(s, 3, 1000);
    // Each record is 1000 data + 2 key bytes; 5 fit in 5010 bytes.
    const planner = new BatchPlanner({ maxEntries: 500, maxBytes: 5010, preserveOrder: false });
    const batch = planner.plan(shards, limiterOf, 100, false)!;
    expect(batch.records).toHaveLength(5);
    expect(batch.records.reduce((a, r) => a + r.sizeBytes, 0)).toBeLessThanOrEqual(5010);
  });

  it('sends a record larger than the request limit alone', () => {
    const { shards, limiterOf } = setup(1);
    fill(shards[0]!, 2, 6000);
    const planner = new BatchPlanner({ maxEntries: 500, maxBytes: 5000, preserveOrder: false });
    expect(planner.plan(shards, limiterOf, 100, true)?.records).toHaveLength(1);
  });

  it('shares a request between shards round-robin', () => {
    const { shards, limiterOf } = setup(3);
    for (const s of shards) fill(s, 10, 10);
    const planner = new BatchPlanner({ maxEntries: 6, maxBytes: 5 * MiB, preserveOrder: false });
    const batch = planner.plan(shards, limiterOf, 100, false)!;
    const perShard = batch.records.map((r) => r.shardId).sort();
    expect(perShard).toEqual(['s0', 's0', 's1', 's1', 's2', 's2']);
  });

  it('stops a shard at its byte budget and says when it refills', () => {
    const { shards, limiterOf } = setup(1);
    fill(shards[0]!, 30, 50_000);
    const planner = new BatchPlanner({ maxEntries: 500, maxBytes: 5 * MiB, preserveOrder: false });
    const batch = planner.plan(shards, limiterOf, 100, false)!;
    // The bucket holds burstMs of 1 MiB/s: about that many bytes go, not all 1.5 MB queued.
    const burst = (RATE_LIMITER_DEFAULTS.burstMs / 1000) * MiB;
    const sent = batch.records.length * 50_002;
    expect(sent).toBeGreaterThan(burst - 50_002);
    expect(sent).toBeLessThanOrEqual(burst + 50_002);
    const wake = planner.nextWakeAt(shards, limiterOf, 100, false);
    // The next record's 50 kB take about 48 ms at 1 MiB/s.
    expect(wake).toBeGreaterThan(100);
    expect(wake).toBeLessThan(200);
  });

  it('with preserveOrder takes one record per shard and none while one is in flight', () => {
    const { shards, limiterOf } = setup(2);
    for (const s of shards) fill(s, 5, 10);
    const planner = new BatchPlanner({ maxEntries: 500, maxBytes: 5 * MiB, preserveOrder: true });
    const batch = planner.plan(shards, limiterOf, 100, false)!;
    expect(batch.records.map((r) => r.shardId).sort()).toEqual(['s0', 's1']);
    shards[0]!.inFlight = 1;
    const next = planner.plan(shards, limiterOf, 100, false)!;
    expect(next.records.map((r) => r.shardId)).toEqual(['s1']);
  });

  it('holds retries until their backoff passes, and with preserveOrder blocks the shard', () => {
    const { shards, limiterOf } = setup(1);
    fill(shards[0]!, 2, 10);
    const planner = new BatchPlanner({ maxEntries: 500, maxBytes: 5 * MiB, preserveOrder: true });
    const first = planner.plan(shards, limiterOf, 100, false)!.records[0]!;
    first.notBefore = 300;
    shards[0]!.requeue(first);
    expect(planner.plan(shards, limiterOf, 200, false)).toBeUndefined();
    expect(planner.nextWakeAt(shards, limiterOf, 200, false)).toBe(300);
    expect(planner.plan(shards, limiterOf, 300, false)!.records[0]).toBe(first);
  });

  it('force sends records that are not yet due', () => {
    const { shards, limiterOf } = setup(1);
    fill(shards[0]!, 1, 10, 0);
    const planner = new BatchPlanner({ maxEntries: 500, maxBytes: 5 * MiB, preserveOrder: false });
    expect(planner.plan(shards, limiterOf, 1, true)?.records).toHaveLength(1);
  });
});
