/**
 * A lease held by `worker-1` in an InMemoryLeaseStore (real conditional semantics), and a
 * checkpoint target on it: what the coordinator would hand a shard worker.
 */
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { leaseCheckpointTarget } from '../../src/checkpointer.js';
import type { CheckpointTarget } from '../../src/checkpointer.js';
import type { Lease, LeaseHashKeyRange } from '../../src/ports.js';
import { InMemoryLeaseStore } from '../../src/testing/inMemoryLeaseStore.js';

export const OWNER = 'worker-1';

export interface HeldLease {
  readonly store: InMemoryLeaseStore;
  readonly lease: Lease;
  readonly target: CheckpointTarget & { readonly lease: Lease };
  /** The lease as stored now. */
  read(): Promise<Lease>;
  /** Another worker takes the lease (the next checkpoint of ours must fail). */
  steal(): Promise<void>;
}

export async function heldLease(
  shardId: string,
  checkpoint: ExtendedSequenceNumber = ExtendedSequenceNumber.TRIM_HORIZON,
  options: { parentShardIds?: readonly string[]; hashKeyRange?: LeaseHashKeyRange } = {},
): Promise<HeldLease> {
  const store = new InMemoryLeaseStore();
  await store.createLeaseIfNotExists({
    leaseKey: shardId,
    shardId,
    checkpoint,
    parentShardIds: options.parentShardIds ?? [],
    ...(options.hashKeyRange && { hashKeyRange: options.hashKeyRange }),
  });
  const taken = await store.takeLease((await store.getLease(shardId))!, OWNER);
  if (!taken.ok) throw new Error('could not take the fixture lease');
  const read = async (): Promise<Lease> => (await store.getLease(shardId))!;
  return {
    store,
    lease: taken.lease,
    target: leaseCheckpointTarget(store, taken.lease),
    read,
    async steal() {
      const result = await store.takeLease(await read(), 'worker-2');
      if (!result.ok) throw new Error('could not steal the fixture lease');
    },
  };
}
