/**
 * The KCL's LeaseCleanupManager rules for the leases this worker holds (kcl.md §4.4): a finished
 * (SHARD_END) lease is deleted once every child has started and none of its own parents still has
 * a lease; one taken over without `childShardIds` first asks the service for its children; one
 * whose shard (or whole stream) no longer exists is garbage and deleted.
 *
 * Cadence. `run` is offered at every lease scan (1.5 s). Judging a finished lease reads nothing
 * (the scan has every lease the KCL would GetItem), so by default it happens at every offer and a
 * finished lease is deleted about a scan after its children start: every second it stays it is
 * renewed like any held lease (about 90 UpdateItems for the KCL's 5 minutes, bench
 * `dynamoCallsCleanup.ts`). What costs is asking the service (GetShardIterator + GetRecords on the
 * closed shard): that is rationed to once per `serviceCallIntervalMs` per lease, and the garbage
 * question is asked only every `garbageLeaseIntervalMs` (the KCL's 30 min).
 * {@link KCL_LEASE_CLEANUP_TIMINGS} reproduces the KCL's cadence exactly.
 */
import { ConfigurationError, systemClock } from '@kinesis-kit/common';
import type { Clock } from '@kinesis-kit/common';
import { planLeaseCleanup } from '../core/shardGraph.js';
import type { Lease, LeaseStore } from '../ports.js';
import { isRetrievalError } from '../retrievalPorts.js';
import type { LeaseCoordinator } from './leaseCoordinator.js';
import type { StreamSet } from './streamSet.js';

/** How often cleanup looks at finished leases (after the KCL's `LeaseCleanupConfig`). @public */
export interface LeaseCleanupTimings {
  /** Least time between two passes (the KCL: 60 000). @defaultValue 0 (every lease scan) */
  readonly intervalMs: number;
  /**
   * Finished leases are judged only once this long after start or the last deletion (the KCL:
   * 300 000). @defaultValue 0
   */
  readonly completedLeaseIntervalMs: number;
  /** The service is asked whether a finished lease's shard still exists this often. @defaultValue 1 800 000 */
  readonly garbageLeaseIntervalMs: number;
  /** Least time between two service calls about one lease (the KCL: its pass interval). @defaultValue 60 000 */
  readonly serviceCallIntervalMs: number;
}

/** Ours: judge at every scan (free), ration the service calls. @public */
export const LEASE_CLEANUP_DEFAULTS = {
  intervalMs: 0,
  completedLeaseIntervalMs: 0,
  garbageLeaseIntervalMs: 1_800_000,
  serviceCallIntervalMs: 60_000,
} as const satisfies LeaseCleanupTimings;

/** The Java KCL's `LeaseCleanupConfig` defaults, for parity. @public */
export const KCL_LEASE_CLEANUP_TIMINGS = {
  intervalMs: 60_000,
  completedLeaseIntervalMs: 300_000,
  garbageLeaseIntervalMs: 1_800_000,
  serviceCallIntervalMs: 0,
} as const satisfies LeaseCleanupTimings;

/** Merges and validates; throws one ConfigurationError listing every bad field. @public */
export function resolveLeaseCleanupTimings(
  timings: Partial<LeaseCleanupTimings> = {},
): LeaseCleanupTimings {
  const resolved = { ...LEASE_CLEANUP_DEFAULTS, ...timings };
  const problems = Object.entries(resolved)
    .filter(([, v]) => !Number.isInteger(v) || v < 0)
    .map(([field, v]) => ({ field, message: `must be a non-negative integer, got ${String(v)}` }));
  if (problems.length > 0) throw new ConfigurationError('leaseCleanup', problems);
  return resolved;
}

/** @internal */
export interface LeaseCleanupOptions {
  readonly store: Pick<LeaseStore, 'updateChildShardIds'>;
  /** Its clock (when it has one) paces the passes. */
  readonly coordinator: Pick<LeaseCoordinator, 'heldLeases' | 'deleteHeld'> & {
    readonly clock?: Clock;
  };
  readonly streams: Pick<StreamSet, 'forLease'>;
  readonly onDeleted: (leaseKey: string, reason: 'cleanup' | 'garbage') => void;
  readonly onError: (error: unknown) => void;
  readonly timings?: Partial<LeaseCleanupTimings>;
}

/** @internal */
export class LeaseCleanup {
  private readonly cleaning = new Set<string>();
  private readonly clock: Clock;
  private readonly timings: LeaseCleanupTimings;
  /** Monotonic times of the last pass, and of the last completed and garbage deletion (or start). */
  private marks: { pass: number; completed: number; garbage: number } | undefined;
  /** Lease key → monotonic time of the last service call about it. */
  private readonly asked = new Map<string, number>();

  constructor(private readonly o: LeaseCleanupOptions) {
    this.clock = o.coordinator.clock ?? systemClock;
    this.timings = resolveLeaseCleanupTimings(o.timings);
  }

  /** Offered at every lease scan; judges the held SHARD_END leases when the cadence allows. */
  async run(leases: readonly Lease[]): Promise<void> {
    const now = this.clock.monotonic();
    const t = this.timings;
    if (this.marks === undefined) this.marks = { pass: now, completed: now, garbage: now };
    const marks = this.marks;
    if (now - marks.pass < t.intervalMs) return;
    const completedDue = now - marks.completed >= t.completedLeaseIntervalMs;
    const garbageDue = now - marks.garbage >= t.garbageLeaseIntervalMs;
    if (!completedDue && !garbageDue) return;
    marks.pass = now;
    const byKey = new Map<string, Lease | undefined>(leases.map((l) => [l.leaseKey, l]));
    const held = this.o.coordinator.heldLeases();
    const heldKeys = new Set(held.map((l) => l.leaseKey));
    for (const key of this.asked.keys()) if (!heldKeys.has(key)) this.asked.delete(key);
    for (const lease of held) {
      if (!lease.checkpoint.isShardEnd || this.cleaning.has(lease.leaseKey)) continue;
      this.cleaning.add(lease.leaseKey);
      try {
        const deleted = await this.cleanOne(lease, byKey, completedDue, garbageDue);
        if (deleted !== undefined) marks[deleted === 'cleanup' ? 'completed' : 'garbage'] = now;
      } catch (error) {
        this.o.onError(error);
      } finally {
        this.cleaning.delete(lease.leaseKey);
      }
    }
  }

  private async cleanOne(
    held: Lease,
    byKey: ReadonlyMap<string, Lease | undefined>,
    completedDue: boolean,
    garbageDue: boolean,
  ): Promise<'cleanup' | 'garbage' | undefined> {
    let lease = held;
    let askedService = false;
    if (completedDue) {
      let decision = planLeaseCleanup(lease, byKey);
      if (decision.kind === 'needs-child-ids') {
        if (!this.mayAsk(lease)) return undefined;
        askedService = true;
        const children = await this.childShardsOf(lease);
        if (children === 'gone') return this.delete(lease, 'garbage');
        if (children.length > 0) {
          await this.o.store.updateChildShardIds(lease.leaseKey, children);
          lease = { ...lease, childShardIds: children };
          decision = planLeaseCleanup(lease, byKey);
        }
      }
      if (decision.kind === 'delete') return this.delete(lease, 'cleanup');
    }
    // The KCL's garbage rule: the shard (or its whole stream) no longer exists.
    if (garbageDue && !askedService && this.mayAsk(lease)) {
      if ((await this.childShardsOf(lease)) === 'gone') return this.delete(lease, 'garbage');
    }
    return undefined;
  }

  /** True (and noted) when the service may be asked about `lease` now. */
  private mayAsk(lease: Lease): boolean {
    const now = this.clock.monotonic();
    const last = this.asked.get(lease.leaseKey);
    if (last !== undefined && now - last < this.timings.serviceCallIntervalMs) return false;
    this.asked.set(lease.leaseKey, now);
    return true;
  }

  private async delete(lease: Lease, reason: 'cleanup' | 'garbage'): Promise<typeof reason> {
    await this.o.coordinator.deleteHeld(lease.leaseKey);
    this.o.onDeleted(lease.leaseKey, reason);
    return reason;
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
