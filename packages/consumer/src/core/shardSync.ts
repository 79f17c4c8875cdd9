/**
 * The KCL's lease-creation rules (HierarchicalShardSyncer, kcl.md §4.1) as pure functions over a
 * ListShards result and the existing leases:
 *
 * - empty table: a lease for every shard ListShards returned with the ShardFilter of the initial
 *   position, at the initial-position sentinel;
 * - non-empty table: for every open shard without a lease, walk its ancestry; a shard that does not
 *   descend from a leased shard gets a lease at the initial position; for a descendant, only the
 *   first missing ancestor level gets leases (TRIM_HORIZON, or AT_TIMESTAMP), and the open
 *   descendant itself waits for its parents' SHARD_END, where its lease is created.
 *
 * New leases come back sorted by starting sequence number (then shard id), the order the KCL
 * persists them in, so a crash mid-way leaves a prefix that the next sync completes.
 */
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import type { Lease, NewLease, ShardDescription } from '../ports.js';
import { leaseKeyFor } from './leaseKeys.js';

/** Where a new application starts reading. @public */
export type InitialPosition = 'LATEST' | 'TRIM_HORIZON' | { readonly timestamp: Date };

/** @public */
export interface ShardSyncInput {
  /** Empty table: ListShards with the initial position's ShardFilter. Otherwise: all shards. */
  readonly shards: readonly ShardDescription[];
  readonly leases: readonly Lease[];
  readonly initialPosition: InitialPosition;
  /** Multi-stream `account:stream:epoch`; lease keys get it as a prefix. */
  readonly streamIdentifier?: string;
}

/** @public */
export interface ShardSyncPlan {
  readonly create: readonly NewLease[];
  /**
   * Open shards whose parent is open too: a listing taken mid-reshard. The KCL fails the sync
   * unless `ignoreUnexpectedChildShards`; we skip them and report them.
   */
  readonly inconsistentShardIds: readonly string[];
}

/** The sentinel a lease gets for an initial position (the timestamp is not stored). @public */
export function initialCheckpoint(position: InitialPosition): ExtendedSequenceNumber {
  if (position === 'LATEST') return ExtendedSequenceNumber.LATEST;
  if (position === 'TRIM_HORIZON') return ExtendedSequenceNumber.TRIM_HORIZON;
  return ExtendedSequenceNumber.AT_TIMESTAMP;
}

/** The ListShards ShardFilter for an empty table's first sync. @public */
export function shardFilterFor(
  position: InitialPosition,
): { Type: 'AT_LATEST' | 'AT_TRIM_HORIZON' } | { Type: 'AT_TIMESTAMP'; Timestamp: Date } {
  if (position === 'LATEST') return { Type: 'AT_LATEST' };
  if (position === 'TRIM_HORIZON') return { Type: 'AT_TRIM_HORIZON' };
  return { Type: 'AT_TIMESTAMP', Timestamp: position.timestamp };
}

/** Plans lease creation, choosing the empty- or non-empty-table rules by `leases.length`. @public */
export function planShardSync(input: ShardSyncInput): ShardSyncPlan {
  return input.leases.length === 0 ? planEmptyTable(input) : planNonEmptyTable(input);
}

function planEmptyTable(input: ShardSyncInput): ShardSyncPlan {
  const checkpoint = initialCheckpoint(input.initialPosition);
  const create = input.shards.map((s) => newLeaseFor(s, checkpoint, input.streamIdentifier));
  return { create: sortByStart(create, byId(input.shards)), inconsistentShardIds: [] };
}

function planNonEmptyTable(input: ShardSyncInput): ShardSyncPlan {
  const shards = byId(input.shards);
  const leased = new Set(input.leases.map((l) => l.shardId));
  const position = input.initialPosition;
  const processAll = position !== 'LATEST';
  const created = new Map<string, NewLease>();
  const descendant = new Map<string, boolean>();
  const shouldCreate = new Set<string>();
  const inconsistent = inconsistentShards(input.shards);

  const make = (shardId: string, checkpoint: ExtendedSequenceNumber): void => {
    const shard = shards.get(shardId);
    if (shard !== undefined)
      created.set(shardId, newLeaseFor(shard, checkpoint, input.streamIdentifier));
  };

  // KCL checkIfDescendantAndAddNewLeasesForAncestors, memoized per sync.
  const isDescendant = (shardId: string): boolean => {
    const memo = descendant.get(shardId);
    if (memo !== undefined) return memo;
    const shard = shards.get(shardId);
    let result = false;
    if (shard !== undefined && leased.has(shardId)) {
      result = true;
    } else if (shard !== undefined) {
      const parents = parentsInMap(shard, shards);
      const descendantParents = new Set<string>();
      for (const p of parents) {
        if (isDescendant(p) || shouldCreate.has(p)) descendantParents.add(p);
      }
      result = descendantParents.size > 0;
      if (result) {
        for (const p of parents) {
          if (leased.has(p)) continue;
          if (!created.has(p) && (shouldCreate.has(p) || !descendantParents.has(p))) {
            make(p, initialCheckpoint(position));
          }
          if (created.has(p)) {
            const cp =
              descendantParents.has(p) && typeof position === 'string'
                ? ExtendedSequenceNumber.TRIM_HORIZON
                : initialCheckpoint(position);
            make(p, cp);
          }
        }
      } else if (processAll) {
        // Not a descendant, but TRIM_HORIZON / AT_TIMESTAMP want its data: its children will
        // create it as the first ancestor level.
        shouldCreate.add(shardId);
      }
    }
    descendant.set(shardId, result);
    return result;
  };

  for (const shard of input.shards) {
    const id = shard.ShardId;
    if (shard.SequenceNumberRange.EndingSequenceNumber !== undefined) continue;
    if (leased.has(id) || inconsistent.has(id)) continue;
    if (!isDescendant(id)) make(id, initialCheckpoint(position));
  }
  return {
    create: sortByStart([...created.values()], shards),
    inconsistentShardIds: [...inconsistent].filter((id) => !leased.has(id)).sort(),
  };
}

/** Open shards with an open parent (KCL `findInconsistentShardIds`). */
function inconsistentShards(all: readonly ShardDescription[]): Set<string> {
  const open = new Set(
    all
      .filter((s) => s.SequenceNumberRange.EndingSequenceNumber === undefined)
      .map((s) => s.ShardId),
  );
  const out = new Set<string>();
  for (const s of all) {
    if (!open.has(s.ShardId)) continue;
    for (const p of [s.ParentShardId, s.AdjacentParentShardId]) {
      if (p !== undefined && open.has(p)) out.add(s.ShardId);
    }
  }
  return out;
}

/** Parents that are still in the listing (expired parents no longer matter). */
function parentsInMap(
  shard: ShardDescription,
  shards: ReadonlyMap<string, ShardDescription>,
): string[] {
  return [shard.ParentShardId, shard.AdjacentParentShardId].filter(
    (p): p is string => p !== undefined && shards.has(p),
  );
}

/** The KCL's `newKCLLease`: parents (even ones gone from the listing), hash range, no owner. @public */
export function newLeaseFor(
  shard: ShardDescription,
  checkpoint: ExtendedSequenceNumber,
  streamIdentifier?: string,
): NewLease {
  const parentShardIds = [shard.ParentShardId, shard.AdjacentParentShardId].filter(
    (p): p is string => p !== undefined && p !== '',
  );
  return {
    leaseKey: leaseKeyFor(shard.ShardId, streamIdentifier),
    shardId: shard.ShardId,
    ...(streamIdentifier !== undefined && { streamIdentifier }),
    checkpoint,
    parentShardIds,
    hashKeyRange: {
      startingHashKey: shard.HashKeyRange.StartingHashKey,
      endingHashKey: shard.HashKeyRange.EndingHashKey,
    },
  };
}

function byId(shards: readonly ShardDescription[]): Map<string, ShardDescription> {
  return new Map(shards.map((s) => [s.ShardId, s]));
}

/** KCL `StartingSequenceNumberAndShardIdBasedComparator`. */
function sortByStart(
  leases: NewLease[],
  shards: ReadonlyMap<string, ShardDescription>,
): NewLease[] {
  const start = (l: NewLease): bigint | undefined => {
    const s = shards.get(l.shardId)?.SequenceNumberRange.StartingSequenceNumber;
    return s === undefined ? undefined : BigInt(s);
  };
  return leases.sort((a, b) => {
    const sa = start(a);
    const sb = start(b);
    if (sa !== undefined && sb !== undefined && sa !== sb) return sa < sb ? -1 : 1;
    return a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0;
  });
}
