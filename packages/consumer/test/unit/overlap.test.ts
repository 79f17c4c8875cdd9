// The overlap measure the in-process end-to-end test asserts with (test/integration/consumer/
// overlap.ts): it must see two workers on one shard at once, and must not mistake a lease that
// moved away and came back for one long session.
import { longestOverlap } from '../integration/consumer/overlap.js';

const d = (worker: string, at: number, shardId = 's0') => ({ worker, shardId, at });

describe('longestOverlap', () => {
  it('is 0 for a clean handover', () => {
    expect(longestOverlap([d('a', 0), d('a', 100), d('b', 150), d('b', 400)], []).ms).toBe(0);
  });

  it('measures two workers delivering from one shard at the same time', () => {
    const deliveries = [d('a', 0), d('b', 1000), d('a', 4000), d('b', 5000)];

    expect(longestOverlap(deliveries, [])).toEqual({
      ms: 3000,
      shardId: 's0',
      workers: ['a', 'b'],
    });
  });

  it('ignores other shards and the same worker', () => {
    const deliveries = [d('a', 0), d('a', 1000), d('b', 0, 's1'), d('b', 1000, 's1')];

    expect(longestOverlap(deliveries, []).ms).toBe(0);
  });

  it('splits a worker into sessions at its shardStarted events', () => {
    // a had the shard, b took it, a took it back after b was gone.
    const deliveries = [d('a', 0), d('a', 100), d('b', 200), d('b', 900), d('a', 1000)];
    const starts = [d('a', -1), d('b', 150), d('a', 950)];

    expect(longestOverlap(deliveries, starts).ms).toBe(0);
    // Without the restart marker the same deliveries would look like 700 ms of overlap.
    expect(longestOverlap(deliveries, starts.slice(0, 2)).ms).toBe(700);
  });
});
