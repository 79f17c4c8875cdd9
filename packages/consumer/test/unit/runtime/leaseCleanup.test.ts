import { ConfigurationError, ExtendedSequenceNumber } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import type { Lease } from '../../../src/ports.js';
import { RetrievalError } from '../../../src/retrievalPorts.js';
import {
  KCL_LEASE_CLEANUP_TIMINGS,
  LeaseCleanup,
  resolveLeaseCleanupTimings,
} from '../../../src/runtime/leaseCleanup.js';
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
  service: 'children' | 'no-children' | 'gone',
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
        childShards:
          service === 'no-children'
            ? []
            : [{ shardId: 'shardId-child', parentShards: [parent.shardId] }],
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

describe('LeaseCleanup cadence', () => {
  it('deletes a finished lease at the first scan after its children started (no DynamoDB read)', async () => {
    const parent = lease('shardId-parent', { childShardIds: ['shardId-child'] });
    const h = harness(parent, [startedChild], 'children');
    await h.scanFor(SCAN_MS);
    expect(h.deleted).toEqual([['shardId-parent', 'cleanup']]);
    expect(h.serviceCalls).toEqual([]);
  });

  it('with the KCL timings, deletes it only at the 5-minute check', async () => {
    const parent = lease('shardId-parent', { childShardIds: ['shardId-child'] });
    const h = harness(parent, [startedChild], 'children', KCL_LEASE_CLEANUP_TIMINGS);
    await h.scanFor(4.5 * MINUTE);
    expect(h.deleted).toEqual([]);
    await h.scanFor(1.5 * MINUTE);
    expect(h.deleted).toEqual([['shardId-parent', 'cleanup']]);
  });

  it('asks the service about one lease at most once a minute, not at every scan', async () => {
    // Taken over without childShardIds, and the service names no children: the previous code
    // asked at every 1.5 s scan (400 GetShardIterator + GetRecords pairs in 10 minutes).
    const parent = lease('shardId-parent');
    const h = harness(parent, [], 'no-children');
    await h.scanFor(10 * MINUTE);
    const iterators = h.serviceCalls.filter((c) => c.startsWith('GetShardIterator')).length;
    expect(iterators).toBeGreaterThanOrEqual(10);
    expect(iterators).toBeLessThanOrEqual(11);
    expect(h.deleted).toEqual([]);
  });

  it('writes the child ids the service names (once it has asked)', async () => {
    const parent = lease('shardId-parent');
    const waitingChild = { ...startedChild, checkpoint: ExtendedSequenceNumber.TRIM_HORIZON };
    const h = harness(parent, [waitingChild], 'children');
    await h.scanFor(2 * MINUTE);
    expect(h.childWrites[0]).toEqual(['shardId-child']);
    expect(h.deleted).toEqual([]);
  });

  it('deletes a lease whose shard is gone at the 30-minute garbage check', async () => {
    // Has child ids, so judging needs no service call; the child never started.
    const parent = lease('shardId-parent', { childShardIds: ['shardId-child'] });
    const h = harness(parent, [], 'gone');
    await h.scanFor(29 * MINUTE);
    expect(h.serviceCalls).toEqual([]);
    expect(h.deleted).toEqual([]);
    await h.scanFor(2 * MINUTE);
    expect(h.deleted).toEqual([['shardId-parent', 'garbage']]);
    expect(h.serviceCalls).toEqual(['GetShardIterator shardId-parent']);
  });

  it('rejects invalid timings with one ConfigurationError naming every field', () => {
    const attempt = (): unknown =>
      resolveLeaseCleanupTimings({ intervalMs: -1, garbageLeaseIntervalMs: 1.5 });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/intervalMs: .*garbageLeaseIntervalMs: /);
    expect(resolveLeaseCleanupTimings()).toEqual({
      intervalMs: 0,
      completedLeaseIntervalMs: 0,
      garbageLeaseIntervalMs: 1_800_000,
      serviceCallIntervalMs: 60_000,
    });
  });
});
