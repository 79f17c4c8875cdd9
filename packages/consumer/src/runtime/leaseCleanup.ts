/**
 * The KCL's LeaseCleanupManager rules for the leases this worker holds (kcl.md §4.4): a finished
 * (SHARD_END) lease is deleted once every child has started and none of its own parents still has
 * a lease; one taken over without `childShardIds` first asks the service for its children; one
 * whose shard (or whole stream) no longer exists is garbage and deleted. Runs after every lease
 * scan, one lease at a time.
 */
import { planLeaseCleanup } from '../core/shardGraph.js';
import type { Lease, LeaseStore } from '../ports.js';
import { isRetrievalError } from '../retrievalPorts.js';
import type { LeaseCoordinator } from './leaseCoordinator.js';
import type { StreamSet } from './streamSet.js';

/** @internal */
export interface LeaseCleanupOptions {
  readonly store: Pick<LeaseStore, 'updateChildShardIds'>;
  readonly coordinator: Pick<LeaseCoordinator, 'heldLeases' | 'deleteHeld'>;
  readonly streams: Pick<StreamSet, 'forLease'>;
  readonly onDeleted: (leaseKey: string, reason: 'cleanup' | 'garbage') => void;
  readonly onError: (error: unknown) => void;
}

/** @internal */
export class LeaseCleanup {
  private readonly cleaning = new Set<string>();

  constructor(private readonly o: LeaseCleanupOptions) {}

  /** One pass over the held SHARD_END leases, judged against the scan `leases`. */
  async run(leases: readonly Lease[]): Promise<void> {
    const byKey = new Map<string, Lease | undefined>(leases.map((l) => [l.leaseKey, l]));
    for (const held of this.o.coordinator.heldLeases()) {
      if (!held.checkpoint.isShardEnd || this.cleaning.has(held.leaseKey)) continue;
      this.cleaning.add(held.leaseKey);
      try {
        await this.cleanOne(held, byKey);
      } catch (error) {
        this.o.onError(error);
      } finally {
        this.cleaning.delete(held.leaseKey);
      }
    }
  }

  private async cleanOne(
    held: Lease,
    byKey: ReadonlyMap<string, Lease | undefined>,
  ): Promise<void> {
    let lease = held;
    let decision = planLeaseCleanup(lease, byKey);
    if (decision.kind === 'needs-child-ids') {
      const children = await this.childShardsOf(lease);
      if (children === 'gone') {
        // The KCL's garbage-lease rule: the shard (or its whole stream) no longer exists.
        await this.o.coordinator.deleteHeld(lease.leaseKey);
        this.o.onDeleted(lease.leaseKey, 'garbage');
        return;
      }
      if (children.length > 0) {
        await this.o.store.updateChildShardIds(lease.leaseKey, children);
        lease = { ...lease, childShardIds: children };
        decision = planLeaseCleanup(lease, byKey);
      }
    }
    if (decision.kind === 'delete') {
      await this.o.coordinator.deleteHeld(lease.leaseKey);
      this.o.onDeleted(lease.leaseKey, 'cleanup');
    }
  }

  /**
   * A closed shard's children, asked of the service (a lease taken over without childShardIds);
   * `gone` when the shard or its stream no longer exists.
   */
  private async childShardsOf(lease: Lease): Promise<string[] | 'gone'> {
    const reader = this.o.streams.forLease(lease)?.reader;
    if (reader === undefined) return [];
    try {
      const iterator = await reader.getShardIterator(lease.shardId, { type: 'LATEST' });
      const result = await reader.getRecords(iterator, 1);
      return (result.childShards ?? []).map((c) => c.shardId);
    } catch (error) {
      if (isRetrievalError(error, 'shard-not-found')) return 'gone';
      throw error;
    }
  }
}
