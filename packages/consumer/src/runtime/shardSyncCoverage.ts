/**
 * Hash-key coverage for shard sync (kcl.md §4.1), the runtime half of `core/shardSyncHoles.ts`:
 * the first sync of a stream with no leases lists shards until they cover the hash-key space
 * (the KCL's EmptyLeaseTableSynchronizer), leases without a hash range are back-filled from the
 * listing, and a hole left in the leases' ranges is reported once it has outlived
 * {@link HOLE_CONFIDENCE_THRESHOLD} syncs in a row (the KCL's PeriodicShardSyncManager audit).
 */
import { KinesisKitError } from '@kinesis-kit/common';
import type { Clock, Logger } from '@kinesis-kit/common';
import { shardFilterFor } from '../core/shardSync.js';
import {
  INITIAL_HOLE_AUDIT,
  auditHoles,
  hashRangeBackfill,
  leaseHashRangeHoles,
  shardHashRangeGaps,
} from '../core/shardSyncHoles.js';
import type { AuditedLease, HoleAuditState } from '../core/shardSyncHoles.js';
import type { Lease, LeaseHashKeyRange, LeaseStore, ShardDescription } from '../ports.js';
import type { StreamBinding } from './streamSet.js';

/**
 * The first sync of a stream with no leases got shard listings with holes in the hash-key space
 * every time (the KCL's rule: three ListShards, 1 s apart); no lease was created, and the next
 * periodic sync tries again. Reported on the consumer's `error` event.
 * @public
 * @example
 * ```ts
 * consumer.events.on('error', ({ error }) => {
 *   if (error instanceof IncompleteShardListError) console.warn(error.gaps);
 * });
 * ```
 */
export class IncompleteShardListError extends KinesisKitError {
  constructor(
    readonly streamName: string,
    /** The uncovered ranges of the last listing, as decimal strings. */
    readonly gaps: readonly LeaseHashKeyRange[],
    readonly attempts: number,
  ) {
    super(
      'KT_AWS',
      `ListShards of ${streamName} did not cover the hash-key space (${String(attempts)} tries)`,
      {
        retriable: true,
        context: { streamName, gaps: gaps.length },
      },
    );
  }
}

/** The KCL's empty-table listing retries (HierarchicalShardSyncer): 3 tries, 1 s apart. @internal */
export const EMPTY_TABLE_LISTING = { attempts: 3, delayMs: 1000 } as const;

/** Consecutive syncs that must see the same hole before it is reported (the KCL's default). @internal */
export const HOLE_CONFIDENCE_THRESHOLD = 3;

/** What one sync's hole audit saw for a stream. @internal */
export type HoleAuditKind = 'none' | 'hole' | 'confirmed';

/**
 * The KCL's empty-table listing: ListShards with the initial position's ShardFilter until the
 * shards cover the hash-key space (a listing taken mid-reshard can miss a range), else fail.
 * @internal
 */
export async function listInitialShards(
  binding: Pick<StreamBinding, 'lister' | 'initialPosition' | 'streamName' | 'streamIdentifier'>,
  clock: Clock,
  signal: AbortSignal,
): Promise<ShardDescription[]> {
  const filter = shardFilterFor(binding.initialPosition);
  const { attempts, delayMs } = EMPTY_TABLE_LISTING;
  for (let attempt = 1; ; attempt++) {
    const shards = await binding.lister.listShards(filter, { signal });
    const gaps = shardHashRangeGaps(shards);
    if (gaps.length === 0) return shards;
    if (attempt >= attempts) {
      throw new IncompleteShardListError(
        binding.streamIdentifier ?? binding.streamName,
        gaps.map((g) => ({ startingHashKey: g.start.toString(), endingHashKey: g.end.toString() })),
        attempt,
      );
    }
    await clock.sleep(delayMs, signal);
  }
}

/**
 * Writes the hash range of leases that lack one (older Java tables) from the listing, as the
 * KCL's periodic audit does (metadata update, no counter bump), and returns the leases with it.
 * @internal
 */
export async function backfillHashRanges(
  store: Pick<LeaseStore, 'updateHashKeyRange'>,
  leases: readonly Lease[],
  shards: readonly ShardDescription[],
  signal: AbortSignal,
  logger: Logger,
): Promise<Lease[]> {
  const filled = new Map<string, LeaseHashKeyRange>();
  for (const { leaseKey, range } of hashRangeBackfill(leases, shards)) {
    if (await store.updateHashKeyRange(leaseKey, range, { signal })) filled.set(leaseKey, range);
  }
  if (filled.size > 0) logger.info('back-filled lease hash ranges', { count: filled.size });
  return leases.map((l) => {
    const range = filled.get(l.leaseKey);
    return range === undefined ? l : { ...l, hashKeyRange: range };
  });
}

/** The hole audit's state per stream, between syncs. @internal */
export class HoleAuditor {
  private readonly states = new Map<string, HoleAuditState>();

  /** One audit step over a stream's leases (those at SHARD_END do not count). */
  step(
    binding: Pick<StreamBinding, 'streamName' | 'streamIdentifier'>,
    leases: readonly AuditedLease[],
  ):
    | { readonly kind: 'none' | 'hole' }
    | { readonly kind: 'confirmed'; readonly holes: number; readonly hole: LeaseHashKeyRange } {
    const key = binding.streamIdentifier ?? binding.streamName;
    const { holes } = leaseHashRangeHoles(leases);
    const next = auditHoles(
      this.states.get(key) ?? INITIAL_HOLE_AUDIT,
      holes,
      HOLE_CONFIDENCE_THRESHOLD,
    );
    this.states.set(key, next.state);
    const first = holes[0];
    if (first === undefined) return { kind: 'none' };
    if (!next.sync) return { kind: 'hole' };
    return {
      kind: 'confirmed',
      holes: holes.length,
      hole: { startingHashKey: first.start.toString(), endingHashKey: first.end.toString() },
    };
  }
}
