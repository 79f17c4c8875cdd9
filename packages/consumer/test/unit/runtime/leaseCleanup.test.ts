import { ConfigurationError, ExtendedSequenceNumber } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import type { Lease } from '../../../src/ports.js';
import { RetrievalError } from '../../../src/retrievalPorts.js';
import { LeaseCleanup, resolveLeaseCleanupTimings } from '../../../src/runtime/leaseCleanup.js';
import type { LeaseCleanupTimings } from '../../../src/runtime/leaseCleanup.js';
import type { StreamBinding } from '../../../src/runtime/streamSet.js';

const SCAN_MS = 1500;
const MINUTE = 60_000;

function lease(shardId: string, fields: Partial<Lease> = {}): Lease {
  return {
    leaseKey: shardId,
    shardId,
    leaseOwner: 'worker-a',
    leaseCounter: 5,
    checkpoint: ExtendedSequenceNumber.SHARD_END,
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
    ...fields,
  };
}

/** A finished parent, a started child, and the service's view of the parent's shard. */
function harness(
  parent: Lease,
  others: Lease[],
  service: 'children' | 'gone',
  timings?: Partial<LeaseCleanupTimings>,
) {
  const clock = new FakeClock();
  const held = new Map([[parent.leaseKey, parent]]);
  const deleted: [string, string][] = [];
  const serviceCalls: string[] = [];
  const reader = {
    getShardIterator: (shardId: string) => {
      serviceCalls.push(`GetShardIterator ${shardId}`);
      return service === 'gone'
        ? Promise.reject(new RetrievalError('shard-not-found', 'gone', { shardId }))
        : Promise.resolve('iterator');
    },
    getRecords: () => {
      serviceCalls.push('GetRecords');
      return Promise.resolve({
        records: [],
        childShards: [{ shardId: 'shardId-child', parentShards: [parent.shardId] }],
      });
    },
  } as unknown as StreamBinding['reader'];
  const childWrites: string[][] = [];
  const cleanup = new LeaseCleanup({
    store: {
      updateChildShardIds: (_key, ids) => {
        childWrites.push([...ids]);
        return Promise.resolve(true);
      },
    },
    coordinator: {
      heldLeases: () => [...held.values()],
      deleteHeld: (key) => {
        held.delete(key);
        return Promise.resolve();
      },
      clock,
    },
    streams: { forLease: () => ({ reader }) as StreamBinding },
    onDeleted: (key, reason) => deleted.push([key, reason]),
    onError: (error) => {
      throw error;
    },
    ...(timings !== undefined && { timings }),
  });
  /** Offers `run` at every taker scan for `ms`, as the scheduler does. */
  const scanFor = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += SCAN_MS) {
      await cleanup.run([parent, ...others]);
      await clock.advance(SCAN_MS);
    }
  };
  return { cleanup, clock, deleted, serviceCalls, childWrites, scanFor };
}

const startedChild = lease('shardId-child', {
  checkpoint: ExtendedSequenceNumber.of('49590338271490256608559692538361571095921575989136588898'),
  leaseOwner: 'worker-b',
});

describe('LeaseCleanup cadence (the KCL LeaseCleanupManager: 60 s passes, 5 min, 30 min)', () => {
  it('deletes a finished lease only once 5 minutes have passed, not at every scan', async () => {
    const parent = lease('shardId-parent', { childShardIds: ['shardId-child'] });
    const h = harness(parent, [startedChild], 'children');
    await h.scanFor(4.5 * MINUTE);
    expect(h.deleted).toEqual([]);
    await h.scanFor(1.5 * MINUTE);
    expect(h.deleted).toEqual([['shardId-parent', 'cleanup']]);
    expect(h.serviceCalls).toEqual([]);
  });

  it('asks the service for missing child ids at most once a minute after 5 minutes', async () => {
    // Taken over without childShardIds, and its child has not started: not deletable yet.
    const parent = lease('shardId-parent');
    const waitingChild = { ...startedChild, checkpoint: ExtendedSequenceNumber.TRIM_HORIZON };
    const h = harness(parent, [waitingChild], 'children');
    await h.scanFor(10 * MINUTE);
    // Passes at 5, 6, 7, 8, 9 min (and maybe 10): never the 400 scans' worth.
    const iterators = h.serviceCalls.filter((c) => c.startsWith('GetShardIterator')).length;
    expect(iterators).toBeGreaterThanOrEqual(5);
    expect(iterators).toBeLessThanOrEqual(6);
    expect(h.childWrites[0]).toEqual(['shardId-child']);
    expect(h.deleted).toEqual([]);
  });

  it('deletes a lease whose shard is gone only at the 30-minute garbage check', async () => {
    // Has child ids, so the completed check needs no service call; the child never started.
    const parent = lease('shardId-parent', { childShardIds: ['shardId-child'] });
    const h = harness(parent, [], 'gone');
    await h.scanFor(29 * MINUTE);
    expect(h.serviceCalls).toEqual([]);
    expect(h.deleted).toEqual([]);
    await h.scanFor(2 * MINUTE);
    expect(h.deleted).toEqual([['shardId-parent', 'garbage']]);
    expect(h.serviceCalls).toEqual(['GetShardIterator shardId-parent']);
  });

  it('honours custom timings (zero intervals judge at every offer)', async () => {
    const parent = lease('shardId-parent', { childShardIds: ['shardId-child'] });
    const h = harness(parent, [startedChild], 'children', {
      intervalMs: 0,
      completedLeaseIntervalMs: 0,
    });
    await h.cleanup.run([parent, startedChild]);
    expect(h.deleted).toEqual([['shardId-parent', 'cleanup']]);
  });

  it('rejects invalid timings with one ConfigurationError naming every field', () => {
    const attempt = (): unknown =>
      resolveLeaseCleanupTimings({ intervalMs: -1, garbageLeaseIntervalMs: 1.5 });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/intervalMs: .*garbageLeaseIntervalMs: /);
    expect(resolveLeaseCleanupTimings()).toEqual({
      intervalMs: 60_000,
      completedLeaseIntervalMs: 300_000,
      garbageLeaseIntervalMs: 1_800_000,
    });
  });
});
