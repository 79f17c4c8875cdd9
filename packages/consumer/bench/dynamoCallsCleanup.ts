/**
 * What lease cleanup costs per finished (SHARD_END) lease, ours against the KCL's: the steady-state
 * figures in dynamoCalls.ts have no resharding, so cleanup never shows there.
 *
 * Simulated: one split parent (SHARD_END) and its two children, held by one real LeaseCoordinator
 * on an InMemoryLeaseStore, with the real LeaseCleanup offered every scan as the scheduler does;
 * the children start 30 s in. Counted until the parent lease is deleted: its renewals (a finished
 * lease stays held and renewed until cleanup deletes it, as in the KCL), the cleanup's own
 * DynamoDB writes, and the Kinesis calls that fetch child ids for a lease taken over without
 * `childShardIds`. Three cadences run in the same process: every scan with unrationed service
 * calls (before), ours (judged every scan, service calls rationed), and the KCL's. Deterministic,
 * so one run of each is enough.
 */
import { ExtendedSequenceNumber, noopMetricsSink, silentLogger } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import { TAKER_DEFAULTS } from '../src/core/leasePlanner.js';
import type { CallOptions, Lease, LeaseWriteResult } from '../src/ports.js';
import { LeaseCleanup } from '../src/runtime/leaseCleanup.js';
import { KCL_LEASE_CLEANUP_TIMINGS } from '../src/runtime/leaseCleanup.js';
import type { LeaseCleanupTimings } from '../src/runtime/leaseCleanup.js';
import { LeaseCoordinator } from '../src/runtime/leaseCoordinator.js';
import type { StreamBinding } from '../src/runtime/streamSet.js';
import { InMemoryLeaseStore } from '../src/testing/inMemoryLeaseStore.js';
import { num, note, table } from './report.js';

const PARENT = 'shardId-000000000000';
const CHILDREN = ['shardId-000000000001', 'shardId-000000000002'];
const CHILDREN_START_MS = 30_000;
const LIMIT_MS = 20 * 60_000;

/** Counts renewals per lease key. */
class CountingStore extends InMemoryLeaseStore {
  readonly renewals = new Map<string, number>();
  override renewLease(lease: Lease, options?: CallOptions): Promise<LeaseWriteResult> {
    this.renewals.set(lease.leaseKey, (this.renewals.get(lease.leaseKey) ?? 0) + 1);
    return super.renewLease(lease, options);
  }
}

/** Where the finished lease's child ids come from. */
type ChildIds = 'written' | 'missing' | 'service-names-none';

const CHILD_IDS_LABEL: Record<ChildIds, string> = {
  written: 'written at SHARD_END',
  missing: 'missing (taken over)',
  'service-names-none': 'missing, service names none',
};

interface CleanupCost {
  readonly deletedAfterMs: number | undefined;
  readonly renewals: number;
  readonly dynamoWrites: number;
  readonly kinesisCalls: number;
}

async function simulate(
  timings: Partial<LeaseCleanupTimings>,
  childIds: ChildIds,
  failoverTimeMs: number,
): Promise<CleanupCost> {
  const childIdsWritten = childIds === 'written';
  const store = new CountingStore();
  const clock = new FakeClock();
  await store.createLeaseIfNotExists({
    leaseKey: PARENT,
    shardId: PARENT,
    checkpoint: ExtendedSequenceNumber.SHARD_END,
    parentShardIds: [],
    ...(childIdsWritten && { childShardIds: CHILDREN }),
  });
  for (const child of CHILDREN) {
    await store.createLeaseIfNotExists({
      leaseKey: child,
      shardId: child,
      checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
      parentShardIds: [PARENT],
    });
  }
  const coordinator = new LeaseCoordinator({
    store,
    workerId: 'worker-0',
    taker: { ...TAKER_DEFAULTS, failoverTimeMs },
    renewIntervalMs: Math.floor(failoverTimeMs / 3) - 25,
    takerIntervalMs: Math.min(1500, Math.max(200, Math.floor(failoverTimeMs / 6))),
    clock,
    random: () => 0.5,
    logger: silentLogger,
    metrics: noopMetricsSink,
  });
  let kinesisCalls = 0;
  const reader = {
    getShardIterator: () => {
      kinesisCalls += 1;
      return Promise.resolve('iterator');
    },
    getRecords: () => {
      kinesisCalls += 1;
      return Promise.resolve({
        records: [],
        childShards:
          childIds === 'service-names-none'
            ? []
            : CHILDREN.map((shardId) => ({ shardId, parentShards: [PARENT] })),
      });
    },
  } as unknown as StreamBinding['reader'];
  let deletedAt: number | undefined;
  const start = clock.monotonic();
  const cleanup = new LeaseCleanup({
    store,
    coordinator,
    streams: { forLease: () => ({ reader }) as unknown as StreamBinding },
    onDeleted: () => (deletedAt = clock.monotonic() - start),
    onError: () => undefined,
    timings,
  });
  coordinator.events.on('scanned', ({ leases }) => void cleanup.run(leases));
  await coordinator.start();
  await clock.advance(CHILDREN_START_MS);
  for (const child of CHILDREN) {
    await coordinator.checkpoint(child, { checkpoint: ExtendedSequenceNumber.of('1000') });
  }
  while (deletedAt === undefined && clock.monotonic() - start < LIMIT_MS) {
    await clock.advance(1000);
  }
  const writes = (store.calls.deleteLease ?? 0) + (store.calls.updateChildShardIds ?? 0);
  await coordinator.stop();
  return {
    deletedAfterMs: deletedAt,
    renewals: store.renewals.get(PARENT) ?? 0,
    dynamoWrites: writes,
    kinesisCalls,
  };
}

/**
 * The KCL's cost for the same lease (kcl.md §4.4, LeaseCleanupManager): its first completed-lease
 * check comes 5 min after start; each check reads the lease, every child and every parent with
 * GetItem, then deletes; without childShardIds it first asks the service (GetShardIterator +
 * GetRecords) and writes them. Renewed meanwhile every failover/3 − 25 ms.
 */
function kclCost(childIds: ChildIds, failoverTimeMs: number): CleanupCost {
  const childIdsWritten = childIds === 'written';
  if (childIds === 'service-names-none') {
    // Never deletable: from 5 min on, a GetItem and a service call pair at every 60 s pass.
    const checks = Math.floor((LIMIT_MS - 300_000) / 60_000) + 1;
    return {
      deletedAfterMs: undefined,
      renewals: Math.floor(LIMIT_MS / (failoverTimeMs / 3 - 25)),
      dynamoWrites: checks,
      kinesisCalls: 2 * checks,
    };
  }
  const deletedAfterMs = 300_000;
  const getItems = 1 + CHILDREN.length; // the lease, its children (no parents here)
  return {
    deletedAfterMs,
    renewals: Math.floor(deletedAfterMs / (failoverTimeMs / 3 - 25)),
    dynamoWrites: getItems + 1 + (childIdsWritten ? 0 : 1),
    kinesisCalls: childIdsWritten ? 0 : 2,
  };
}

/** Prints the per-finished-lease comparison (part of the `calls` section). */
export async function runCleanupCallsBench(): Promise<void> {
  const failover = 10_000;
  // The previous behaviour: judged at every scan, the service asked only for missing child ids.
  const everyScan = {
    intervalMs: 0,
    completedLeaseIntervalMs: 0,
    garbageLeaseIntervalMs: Number.MAX_SAFE_INTEGER,
    serviceCallIntervalMs: 0,
  };
  const rows = [];
  for (const childIds of ['written', 'missing', 'service-names-none'] as const) {
    const variants: [string, CleanupCost][] = [
      ['ours, every scan (before)', await simulate(everyScan, childIds, failover)],
      ['ours, default (now)', await simulate({}, childIds, failover)],
      [
        'ours, KCL_LEASE_CLEANUP_TIMINGS',
        await simulate(KCL_LEASE_CLEANUP_TIMINGS, childIds, failover),
      ],
      ['Java KCL (model)', kclCost(childIds, failover)],
    ];
    for (const [cadence, c] of variants) {
      rows.push({
        cadence,
        childShardIds: CHILD_IDS_LABEL[childIds],
        'deleted after (s)':
          c.deletedAfterMs === undefined
            ? `not in ${String(LIMIT_MS / 60_000)} min`
            : num(c.deletedAfterMs / 1000, 1),
        'renewals of the finished lease': num(c.renewals),
        'cleanup DynamoDB calls': num(c.dynamoWrites),
        'Kinesis calls': num(c.kinesisCalls),
      });
    }
  }
  table(rows);
  note(
    'Per finished lease, from the start of the run; its children start 30 s in. Cleanup reads no DynamoDB ' +
      'item (it judges from the taker scan); the KCL reads the lease, each child and each parent ' +
      'with GetItem at every check (counted in its DynamoDB column with the DeleteItem). Holding ' +
      "the finished lease until the KCL's 5-minute check costs about 80 more renewals.",
  );
}
