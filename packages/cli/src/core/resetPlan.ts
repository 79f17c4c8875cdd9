/**
 * The safety rules of `reset`, pure: which leases count as held by a worker, and what each lease
 * will be set to.
 */
import type { ExtendedSequenceNumber } from '@kinesis-kit/common';
import type { Lease } from '@kinesis-kit/consumer';

/** Why a lease counts as held. */
export interface HeldLease {
  readonly leaseKey: string;
  readonly owner: string | undefined;
  readonly reason: 'owner' | 'counter moved' | 'gone';
}

/**
 * Leases a worker holds: every lease with an owner (`before`), and, when a second read taken a
 * failover time later is given, every lease whose counter moved or that disappeared meanwhile (a
 * worker renewed, took or checkpointed it).
 */
export function heldLeases(before: readonly Lease[], after?: readonly Lease[]): HeldLease[] {
  const held: HeldLease[] = [];
  const later = after === undefined ? undefined : new Map(after.map((l) => [l.leaseKey, l]));
  for (const l of before) {
    const now = later?.get(l.leaseKey);
    if (later !== undefined && now === undefined) {
      held.push({ leaseKey: l.leaseKey, owner: l.leaseOwner, reason: 'gone' });
    } else if (now !== undefined && now.leaseCounter !== l.leaseCounter) {
      held.push({ leaseKey: l.leaseKey, owner: now.leaseOwner, reason: 'counter moved' });
    } else if ((now ?? l).leaseOwner !== undefined) {
      held.push({ leaseKey: l.leaseKey, owner: (now ?? l).leaseOwner, reason: 'owner' });
    }
  }
  return held;
}

/** What happens to one lease. */
export type ResetStep =
  | { readonly lease: Lease; readonly action: 'set'; readonly to: ExtendedSequenceNumber }
  | { readonly lease: Lease; readonly action: 'skip'; readonly why: string };

/** Leases whose key or shard id is in `shards` (all when empty); unknown names are returned. */
export function selectLeases(
  leases: readonly Lease[],
  shards: readonly string[],
): { selected: Lease[]; unknown: string[] } {
  if (shards.length === 0) return { selected: [...leases], unknown: [] };
  const selected = leases.filter((l) => shards.includes(l.shardId) || shards.includes(l.leaseKey));
  const unknown = shards.filter((s) => !leases.some((l) => l.shardId === s || l.leaseKey === s));
  return { selected, unknown };
}

/** A step per lease; `target` is the new checkpoint, or a reason to leave the lease alone. */
export function planReset(
  leases: readonly Lease[],
  target: (lease: Lease) => ExtendedSequenceNumber | { readonly skip: string },
): ResetStep[] {
  return leases.map((lease) => {
    const t = target(lease);
    if ('skip' in t) return { lease, action: 'skip', why: t.skip };
    if (t.equals(lease.checkpoint)) return { lease, action: 'skip', why: 'already there' };
    return { lease, action: 'set', to: t };
  });
}
