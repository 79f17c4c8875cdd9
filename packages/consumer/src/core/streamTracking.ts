/**
 * The Java KCL's multi-stream bookkeeping (Scheduler `checkAndSyncStreamShardsAndLeases`, kcl.md
 * §4.4) as one pure step. Each stream-sync tick compares what the tracker lists now with the
 * streams being synced, and decides which streams start being synced, which stop, and whose leases
 * are deleted, per the former-streams strategy:
 *
 * - `no-deletion` (`NoLeaseDeletionStrategy`): a stream that leaves the list stops being synced;
 *   its leases stay (and, as in the KCL, are still processed to their end by whoever holds them).
 * - `auto-detect` (`AutoDetectionAndDeferredDeletionStrategy`): a stream missing from the list is
 *   marked stale and its leases are deleted once it has been missing for `waitPeriodMs`, which
 *   gives workers with an older list time to learn of a new stream before anything is deleted.
 * - `provided` (`ProvidedStreamsDeferredDeletionStrategy`): the same, for the streams the
 *   application names, and only while they are not in the list.
 *
 * A stream that the service says no longer exists (ListShards `ResourceNotFoundException`) and
 * that is not in the list has its leases deleted at once, whatever the strategy (as the KCL does).
 */

/** @public */
export type FormerStreamsDeletionKind = 'no-deletion' | 'auto-detect' | 'provided';

/** @public */
export interface StreamTrackingInput {
  /** Stream identifiers the tracker lists now. */
  readonly tracked: readonly string[];
  /** Streams being synced (tracked before, plus streams first seen in the lease table). */
  readonly current: readonly string[];
  /** When each stale stream was first seen missing (epoch ms). */
  readonly staleSince: ReadonlyMap<string, number>;
  readonly strategy: FormerStreamsDeletionKind;
  /** `provided` only: the streams the application wants cleaned up. */
  readonly provided?: readonly string[];
  /** How long a stale stream waits before its leases are deleted. */
  readonly waitPeriodMs: number;
  /** Streams ListShards reported as not found since the last step. */
  readonly notFound: readonly string[];
  readonly nowMs: number;
}

/** @public */
export interface StreamTrackingPlan {
  /** Newly tracked streams: sync their shards now. */
  readonly add: readonly string[];
  /** Streams that stop being synced without their leases being deleted (`no-deletion`). */
  readonly forget: readonly string[];
  /** Streams whose leases are deleted now (then they stop being synced). */
  readonly deleteLeases: readonly string[];
  /** Stale streams still waiting (their leases are deleted at `since + waitPeriodMs`). */
  readonly staleSince: ReadonlyMap<string, number>;
}

/** One stream-sync step; see the module comment. @public */
export function planStreamTracking(input: StreamTrackingInput): StreamTrackingPlan {
  const tracked = new Set(input.tracked);
  const current = new Set(input.current);
  const add = [...tracked].filter((s) => !current.has(s));
  const staleSince = new Map(input.staleSince);
  const markStale = (s: string): void => {
    if (!tracked.has(s) && !staleSince.has(s)) staleSince.set(s, input.nowMs);
  };
  const forget: string[] = [];
  if (input.strategy === 'auto-detect') {
    for (const s of current) markStale(s);
  } else if (input.strategy === 'provided') {
    for (const s of input.provided ?? []) markStale(s);
  } else {
    for (const s of current) if (!tracked.has(s)) forget.push(s);
  }
  // Listed again before its wait ran out: revived, nothing is deleted.
  for (const s of [...staleSince.keys()]) if (tracked.has(s)) staleSince.delete(s);
  const deleteLeases = new Set<string>();
  for (const [s, since] of staleSince) {
    if (input.nowMs - since >= input.waitPeriodMs) deleteLeases.add(s);
  }
  for (const s of input.notFound) if (!tracked.has(s)) deleteLeases.add(s);
  for (const s of deleteLeases) staleSince.delete(s);
  return {
    add,
    forget: forget.filter((s) => !deleteLeases.has(s)),
    deleteLeases: [...deleteLeases],
    staleSince,
  };
}
