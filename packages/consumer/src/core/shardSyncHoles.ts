/**
 * Hash-key coverage checks for shard sync (kcl.md §4.1): the first sync of an empty table retries
 * ListShards until the returned shards cover 0..2^128−1, and the periodic audit looks for holes in
 * the hash-key space of the leases not at SHARD_END, acting only when the same hole is seen
 * `confidenceThreshold` times in a row (the KCL's default is 3), so a reshard in flight does not
 * trigger a needless sync. The sweep is `checkCoverage` from `@kinesis-kit/common`.
 */
import { checkCoverage } from '@kinesis-kit/common';
import type { HashKeyRange } from '@kinesis-kit/common';
import type { Lease, LeaseHashKeyRange, ShardDescription } from '../ports.js';

/** What the hole audit reads of a lease (a lease just created by the sync qualifies too). @public */
export type AuditedLease = Pick<Lease, 'leaseKey' | 'checkpoint' | 'hashKeyRange'>;

/**
 * Gaps in the union of the shards' hash ranges, open or closed (an empty table's filtered
 * ListShards may return closed shards at the trim horizon). @public
 */
export function shardHashRangeGaps(shards: readonly ShardDescription[]): readonly HashKeyRange[] {
  return checkCoverage(
    shards.map((s) => ({
      ShardId: s.ShardId,
      HashKeyRange: s.HashKeyRange,
      SequenceNumberRange: {},
    })),
  ).gaps;
}

/**
 * Holes in the hash-key space of the leases that are not at SHARD_END, as the KCL's
 * PeriodicShardSyncManager computes it. Leases without a hash range cannot be judged: the result
 * says so (`missingHashRanges`) and the caller back-fills them from ListShards first. No active
 * lease at all is one hole over the whole key space. @public
 */
export function leaseHashRangeHoles(leases: readonly AuditedLease[]): {
  holes: readonly HashKeyRange[];
  missingHashRanges: readonly string[];
} {
  const active = leases.filter((l) => !l.checkpoint.isShardEnd);
  const missingHashRanges = active
    .filter((l) => l.hashKeyRange === undefined)
    .map((l) => l.leaseKey);
  const ranged = active.flatMap((l) =>
    l.hashKeyRange === undefined
      ? []
      : [
          {
            ShardId: l.leaseKey,
            HashKeyRange: {
              StartingHashKey: l.hashKeyRange.startingHashKey,
              EndingHashKey: l.hashKeyRange.endingHashKey,
            },
            SequenceNumberRange: {},
          },
        ],
  );
  // Overlaps are normal mid-reshard (children exist before the parent checkpoints SHARD_END).
  return { holes: checkCoverage(ranged).gaps, missingHashRanges };
}

/** State of the hole audit between runs. @public */
export interface HoleAuditState {
  readonly hole: string | undefined;
  readonly consecutive: number;
}

/** @public */
export const INITIAL_HOLE_AUDIT: HoleAuditState = { hole: undefined, consecutive: 0 };

/**
 * Feeds one audit result in; `sync` is true when the same first hole was seen
 * `confidenceThreshold` times in a row (then the count restarts). @public
 */
export function auditHoles(
  state: HoleAuditState,
  holes: readonly HashKeyRange[],
  confidenceThreshold = 3,
): { state: HoleAuditState; sync: boolean } {
  const first = holes[0];
  if (first === undefined) return { state: INITIAL_HOLE_AUDIT, sync: false };
  const key = `${first.start}-${first.end}`;
  const consecutive = state.hole === key ? state.consecutive + 1 : 1;
  if (consecutive >= confidenceThreshold) return { state: INITIAL_HOLE_AUDIT, sync: true };
  return { state: { hole: key, consecutive }, sync: false };
}

/**
 * The hash ranges to back-fill: leases not at SHARD_END that have no hash range (tables written by
 * Java KCL before 2.3, or by hand) whose shard is in the listing. The KCL's periodic audit fills
 * them from ListShards before judging coverage; a lease whose shard is not listed stays without
 * one and is left out of the audit, as in the KCL. @public
 */
export function hashRangeBackfill(
  leases: readonly Pick<Lease, 'leaseKey' | 'shardId' | 'checkpoint' | 'hashKeyRange'>[],
  shards: readonly ShardDescription[],
): { readonly leaseKey: string; readonly range: LeaseHashKeyRange }[] {
  const byId = new Map(shards.map((s) => [s.ShardId, s.HashKeyRange]));
  return leases.flatMap((l) => {
    if (l.checkpoint.isShardEnd || l.hashKeyRange !== undefined) return [];
    const r = byId.get(l.shardId);
    if (r === undefined) return [];
    return [
      {
        leaseKey: l.leaseKey,
        range: { startingHashKey: r.StartingHashKey, endingHashKey: r.EndingHashKey },
      },
    ];
  });
}
