/**
 * Parent-first resharding rules (kcl.md §4.2–4.4), pure:
 * - a child lease may be processed only when every parent that still has a lease is at SHARD_END
 *   (a missing parent lease does not block: it was cleaned up or expired), for splits and merges;
 * - at a parent's SHARD_END its owner creates the child leases from the ChildShards that
 *   GetRecords returned (checkpoint TRIM_HORIZON by default, configurable), except for a merge
 *   whose other parent's lease is missing while ours exists (the KCL waits, or drops its lease);
 * - a finished parent lease is deleted once every child has started and its own parents are gone.
 */
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import type { ChildShard, Lease, NewLease } from '../ports.js';
import { leaseKeyFor } from './leaseKeys.js';

/** @public */
export interface ParentCheck {
  readonly eligible: boolean;
  /** Lease keys of parents that still have a lease not at SHARD_END. */
  readonly blockingParents: readonly string[];
}

/**
 * Whether `child` may start: `parentLeases(key)` returns the current parent lease or undefined
 * (the coordinator reads it with a consistent GetItem). @public
 */
export function checkParents(
  child: Pick<Lease, 'parentShardIds' | 'streamIdentifier'>,
  parentLeases: ReadonlyMap<string, Lease | undefined>,
): ParentCheck {
  const blockingParents = child.parentShardIds
    .map((id) => leaseKeyFor(id, child.streamIdentifier))
    .filter((key) => {
      const parent = parentLeases.get(key);
      return parent !== undefined && !parent.checkpoint.isShardEnd;
    });
  return { eligible: blockingParents.length === 0, blockingParents };
}

/** The lease keys `checkParents` needs for `child`. @public */
export function parentLeaseKeys(
  child: Pick<Lease, 'parentShardIds' | 'streamIdentifier'>,
): string[] {
  return child.parentShardIds.map((id) => leaseKeyFor(id, child.streamIdentifier));
}

/** Checkpoint sentinel of child leases created at SHARD_END. @public */
export type ChildInitialPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

/** @public */
export interface ShardEndInput {
  readonly parent: Pick<Lease, 'leaseKey' | 'shardId' | 'streamIdentifier'>;
  readonly childShards: readonly ChildShard[];
  /** Leases that exist now, by lease key (at least the children and the merge's other parent). */
  readonly existing: ReadonlyMap<string, Lease | undefined>;
  /** @defaultValue 'TRIM_HORIZON' (the KCL's fixed choice) */
  readonly childInitialPosition?: ChildInitialPosition;
  /** [0, 1), for the KCL's 1-in-30 drop of a lease stuck on a missing merge parent. */
  readonly random: () => number;
}

/** @public */
export type ShardEndPlan =
  | {
      readonly kind: 'create-children';
      /** Child leases that do not exist yet (create each with createLeaseIfNotExists). */
      readonly create: readonly NewLease[];
      /** What to write as the parent's `childShardIds`. */
      readonly childShardIds: readonly string[];
    }
  /** A merge whose other parent lease is missing: retry later (MissingMergeParentLease). */
  | { readonly kind: 'blocked-on-merge-parent'; readonly missingParentLeaseKey: string }
  /** Same, but drop our lease so another worker retries (the KCL does this 1 time in 30). */
  | { readonly kind: 'drop-lease'; readonly missingParentLeaseKey: string }
  /** A merge child listing one parent only: cannot happen with a sane service (MissingMergeParent). */
  | { readonly kind: 'invalid'; readonly problem: string };

const RETRY_RANDOM_MAX_RANGE = 30;

/** Plans the SHARD_END step of a parent's owner (KCL ShutdownTask). @public */
export function planShardEnd(input: ShardEndInput): ShardEndPlan {
  const { parent, childShards } = input;
  const stream = parent.streamIdentifier;
  const only = childShards.length === 1 ? childShards[0] : undefined;
  if (only !== undefined) {
    if (only.parentShards.length !== 2) {
      return {
        kind: 'invalid',
        problem: `${parent.shardId}'s only child ${only.shardId} does not name its other parent`,
      };
    }
    const [a, b] = only.parentShards.map((id) => input.existing.get(leaseKeyFor(id, stream)));
    if ((a === undefined) !== (b === undefined)) {
      const missing = only.parentShards.find(
        (id) => input.existing.get(leaseKeyFor(id, stream)) === undefined,
      );
      const missingParentLeaseKey = leaseKeyFor(missing ?? '', stream);
      return input.random() * RETRY_RANDOM_MAX_RANGE < 1
        ? { kind: 'drop-lease', missingParentLeaseKey }
        : { kind: 'blocked-on-merge-parent', missingParentLeaseKey };
    }
  }
  const checkpoint = ExtendedSequenceNumber.of(input.childInitialPosition ?? 'TRIM_HORIZON');
  const create = childShards
    .filter((c) => input.existing.get(leaseKeyFor(c.shardId, stream)) === undefined)
    .map((c): NewLease => ({
      leaseKey: leaseKeyFor(c.shardId, stream),
      shardId: c.shardId,
      ...(stream !== undefined && { streamIdentifier: stream }),
      checkpoint,
      parentShardIds: [...c.parentShards],
      hashKeyRange: c.hashKeyRange,
    }));
  return { kind: 'create-children', create, childShardIds: childShards.map((c) => c.shardId) };
}

/** @public */
export type CleanupDecision =
  | { readonly kind: 'delete' }
  | { readonly kind: 'keep'; readonly reason: string }
  /** The lease has no childShardIds: ask the service (GetRecords on the closed shard) first. */
  | { readonly kind: 'needs-child-ids' };

/** Checkpoints meaning "this child has not started" (LATEST only ever appears with our option). */
const NOT_STARTED = new Set(['TRIM_HORIZON', 'AT_TIMESTAMP', 'LATEST']);

/**
 * KCL LeaseCleanupManager rule for a finished lease: delete it iff it is at SHARD_END, every child
 * lease exists and has started, and none of its own parents still has a lease. @public
 */
export function planLeaseCleanup(
  lease: Lease,
  existing: ReadonlyMap<string, Lease | undefined>,
): CleanupDecision {
  if (!lease.checkpoint.isShardEnd) return { kind: 'keep', reason: 'not at SHARD_END' };
  if (lease.childShardIds.length === 0) return { kind: 'needs-child-ids' };
  const stream = lease.streamIdentifier;
  for (const child of lease.childShardIds) {
    const childLease = existing.get(leaseKeyFor(child, stream));
    if (childLease === undefined)
      return { kind: 'keep', reason: `child ${child} has no lease yet` };
    if (NOT_STARTED.has(childLease.checkpoint.sequenceNumber)) {
      return { kind: 'keep', reason: `child ${child} has not started` };
    }
  }
  for (const parent of lease.parentShardIds) {
    if (existing.get(leaseKeyFor(parent, stream)) !== undefined) {
      return { kind: 'keep', reason: `parent ${parent} still has a lease` };
    }
  }
  return { kind: 'delete' };
}
