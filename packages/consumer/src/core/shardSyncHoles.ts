/**
 * Hash-key coverage checks for shard sync (kcl.md §4.1): the first sync of an empty table retries
 * ListShards until the returned shards cover 0..2^128−1, and the periodic audit looks for holes in
 * the hash-key space of the leases not at SHARD_END, acting only when the same hole is seen
 * `confidenceThreshold` times in a row (the KCL's default is 3), so a reshard in flight does not
 * trigger a needless sync. The sweep is `checkCoverage` from `@kinesis-kit/common`.
 */
import { checkCoverage } from '@kinesis-kit/common';
import type { HashKeyRange } from '@kinesis-kit/common';
import type { Lease, ShardDescription } from '../ports.js';

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
export function leaseHashRangeHoles(leases: readonly Lease[]): {
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
