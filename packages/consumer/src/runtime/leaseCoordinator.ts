/**
 * Holds this worker's leases: renews them, takes and steals others with the KCL 2.x taker, and
 * releases them on shutdown. It is the only writer of the leases it holds: checkpoints go through
 * `checkpoint()`, serialised with renewals per lease, because both are conditional on the same
 * `leaseCounter` and would otherwise fail each other and look like a lost lease.
 *
 * Timing: renew every failover/3 (what Java observers expect), scan the table every
 * `takerIntervalMs` (far more often than the KCL's 2 × failover) and again just after the
 * earliest moment another worker's lease could expire, so a dead worker's shards move after
 * failoverTimeMs plus a scan, not after up to 40 s.
 */
import { setMaxListeners } from 'node:events';
import { Task, TypedEmitter, childLogger, systemClock } from '@kinesis-kit/common';
import type { Clock, Logger, MetricsSink } from '@kinesis-kit/common';
import { planLeaseTaking, planRenewals } from '../core/leasePlanner.js';
import type { ObservationTable, TakerConfig } from '../core/leasePlanner.js';
import type { CheckpointUpdate, Lease, LeaseStore, LeaseWriteResult } from '../ports.js';
import { LeaseMetrics } from './leaseMetrics.js';

/** Why a lease left this worker. @public */
export type LeaseLossReason = 'taken' | 'not-renewed' | 'released' | 'shutdown';

/** @public */
export interface LeaseCoordinatorEvents {
  leaseTaken: { readonly lease: Lease; readonly stolen: boolean };
  leaseLost: { readonly leaseKey: string; readonly reason: LeaseLossReason };
  /** Every table scan, for code that needs the latest view (parents, cleanup, metrics). */
  scanned: { readonly leases: readonly Lease[] };
  error: { readonly operation: string; readonly error: unknown };
  /**
   * A lease claimed beyond the target (a child at its parent's end) is wanted by a worker below
   * its target: the holder should stop its processor gracefully (checkpoint) and `release` it.
   */
  handOver: { readonly leaseKey: string };
}

/** @internal */
export interface LeaseCoordinatorOptions {
  readonly store: LeaseStore;
  readonly workerId: string;
  readonly taker: TakerConfig;
  readonly renewIntervalMs: number;
  readonly takerIntervalMs: number;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  /** Extra dimensions for the lease metrics (e.g. the worker id). */
  readonly metricDimensions?: Readonly<Record<string, string>>;
}

interface Held {
  lease: Lease;
  lastRenewedAtMs: number;
}

/** @internal */
export class LeaseCoordinator {
  readonly events = new TypedEmitter<LeaseCoordinatorEvents>();
  private readonly held = new Map<string, Held>();
  /** Per-lease promise chain: renewals, checkpoints and the release run one at a time. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private observations: ObservationTable = new Map();
  private lastScan: readonly Lease[] = [];
  private taking = true;
  /** Lease key → monotonic time until which the taker leaves it to other workers. */
  private readonly avoided = new Map<string, number>();
  /** The coordinator's clock, shared with the scheduler's helpers (sync retries, cleanup pacing). */
  readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly renewer: Task;
  private readonly taker: Task;
  private wakeTaker: (() => void) | undefined;
  private readonly metrics: LeaseMetrics;
  /** Malformed items already reported (lease key, attribute and problem). */
  private readonly malformed = new Set<string>();
  /** Leases claimed beyond the target (lease key → monotonic time of the claim). */
  private readonly claimed = new Map<string, number>();

  constructor(private readonly options: LeaseCoordinatorOptions) {
    this.clock = options.clock ?? systemClock;
    this.metrics = new LeaseMetrics(options.metrics, options.metricDimensions);
    this.random = options.random ?? Math.random;
    this.log = childLogger(options.logger, { component: 'lease-coordinator' });
    this.renewer = new Task({
      name: 'lease-renewer',
      clock: this.clock,
      tick: async (signal) => {
        await this.renewAll(signal);
        return options.renewIntervalMs;
      },
      onError: (error) => this.reportError('renewLeases', error),
    });
    this.taker = new Task({
      name: 'lease-taker',
      clock: this.clock,
      tick: async (signal) => {
        const delay = this.taking ? await this.takeOnce(signal) : options.takerIntervalMs;
        await this.sleepOrWake(delay, signal);
        return 0;
      },
      onError: (error) => this.reportError('takeLeases', error),
    });
  }

  /** Re-claims leases this worker id still owns (as the KCL renewer does), then starts the loops. */
  async start(signal?: AbortSignal): Promise<void> {
    const leases = await this.listLeases(signal);
    for (const lease of leases) {
      if (lease.leaseOwner !== this.options.workerId) continue;
      const result = await this.options.store.renewLease(lease, { signal });
      if (result.ok) this.adopt(result.lease, false);
    }
    // Every renewal of a held lease passes the renewer's signal to the SDK, which adds one abort
    // listener per call in flight: a worker holding many leases would trip Node's leak warning.
    setMaxListeners(0, this.renewer.signal, this.taker.signal);
    this.renewer.start();
    this.taker.start();
  }

  /** Leases held right now. */
  heldLeases(): Lease[] {
    return [...this.held.values()].map((h) => h.lease);
  }

  /**
   * True while `leaseKey` is held and was renewed within the failover time. Past that, another
   * worker may own the shard already: the lease is dropped at once (`not-renewed`), as the
   * renewer would do on its next run. Shard workers ask before each batch, because after a stall
   * (the process stopped, the event loop blocked) a batch can reach the processor before the
   * renewer runs (found by the chaos suite's SIGSTOP).
   */
  holdsFresh(leaseKey: string): boolean {
    const held = this.held.get(leaseKey);
    if (held === undefined) return false;
    const { renew } = planRenewals(
      [held],
      this.clock.monotonic(),
      this.options.taker.failoverTimeMs,
    );
    if (renew.length > 0) return true;
    this.drop(leaseKey, 'not-renewed');
    return false;
  }

  getHeld(leaseKey: string): Lease | undefined {
    return this.held.get(leaseKey)?.lease;
  }

  /** The leases of the latest scan (may be up to one taker interval old). */
  latestScan(): readonly Lease[] {
    return this.lastScan;
  }

  /** Runs the taker now instead of at its next tick (after a shard sync created leases, say). */
  wake(): void {
    this.wakeTaker?.();
  }

  /**
   * Writes a checkpoint for a held lease. A conflict means the lease is gone: it is dropped
   * locally and `leaseLost` is emitted.
   */
  checkpoint(leaseKey: string, update: CheckpointUpdate): Promise<LeaseWriteResult> {
    return this.serial(leaseKey, async () => {
      const held = this.held.get(leaseKey);
      if (!held) return { ok: false, reason: 'conflict' } as const;
      const result = await this.options.store.updateCheckpoint(held.lease, update);
      if (result.ok) {
        held.lease = result.lease;
        held.lastRenewedAtMs = this.clock.monotonic();
      } else {
        this.drop(leaseKey, 'taken');
      }
      return result;
    });
  }

  /** Gives a held lease back (conditional on still owning it) so another worker takes it at once. */
  release(leaseKey: string): Promise<void> {
    return this.serial(leaseKey, async () => {
      const held = this.held.get(leaseKey);
      if (!held) return;
      this.held.delete(leaseKey);
      try {
        const result = await this.options.store.releaseLease(held.lease, this.options.workerId);
        if (!result.ok) this.log.warn('lease was no longer ours at release', { leaseKey });
      } catch (error) {
        // Not fatal: the lease simply expires after failoverTimeMs, as a Java worker's would.
        this.reportError('releaseLease', error);
      }
      this.events.emit('leaseLost', { leaseKey, reason: 'released' });
    });
  }

  /**
   * Takes an unowned lease now, whatever the target: a child created at the end of a parent this
   * worker processed, so it starts within the parent's last moments instead of at some worker's
   * next scan. If a worker below its target then needs it, the taker asks for it to be handed
   * over gracefully (`handOver`) within a failover time; after that it is an ordinary lease.
   * Resolves true when taken.
   */
  claim(leaseKey: string): Promise<boolean> {
    return this.serial(leaseKey, async () => {
      if (!this.taking || this.held.has(leaseKey)) return false;
      const lease = await this.options.store.getLease(leaseKey);
      if (lease === undefined || lease.leaseOwner !== undefined) return false;
      const result = await this.options.store.takeLease(lease, this.options.workerId);
      if (!result.ok) return false;
      this.claimed.set(leaseKey, this.clock.monotonic());
      this.adopt(result.lease, false);
      return true;
    });
  }

  /**
   * Leaves `leaseKey` to other workers for `ms` (a shard this worker gave up on after processor
   * errors is retried elsewhere first).
   */
  avoid(leaseKey: string, ms: number): void {
    this.avoided.set(leaseKey, this.clock.monotonic() + ms);
  }

  /** Deletes a held lease (cleanup of a finished shard) and forgets it without a loss event. */
  deleteHeld(leaseKey: string): Promise<void> {
    return this.serial(leaseKey, async () => {
      if (!this.held.has(leaseKey)) return;
      await this.options.store.deleteLease(leaseKey);
      this.held.delete(leaseKey);
    });
  }

  /** Stops taking new leases (first step of a graceful shutdown); renewals go on. */
  async stopTaking(): Promise<void> {
    this.taking = false;
    await this.taker.stop();
  }

  /** Stops every loop; leases not released are left to expire. */
  async stop(): Promise<void> {
    this.taking = false;
    await Promise.all([this.taker.stop(), this.renewer.stop()]);
    await Promise.all([...this.chains.values()].map((p) => p.catch(() => undefined)));
    for (const leaseKey of [...this.held.keys()]) this.drop(leaseKey, 'shutdown');
  }

  private async renewAll(signal: AbortSignal): Promise<void> {
    const now = this.clock.monotonic();
    const { renew, lost } = planRenewals(
      [...this.held.values()].map((h) => ({ lease: h.lease, lastRenewedAtMs: h.lastRenewedAtMs })),
      now,
      this.options.taker.failoverTimeMs,
    );
    for (const lease of lost) this.drop(lease.leaseKey, 'not-renewed');
    await Promise.all(
      renew.map((lease) =>
        this.serial(lease.leaseKey, () => this.renewOne(lease.leaseKey, signal)).catch(
          (error: unknown) => this.reportError('renewLease', error),
        ),
      ),
    );
    this.metrics.current(this.held.size);
  }

  private async renewOne(leaseKey: string, signal: AbortSignal): Promise<void> {
    const held = this.held.get(leaseKey);
    if (!held) return;
    const result = await this.options.store.renewLease(held.lease, { signal });
    if (result.ok) {
      held.lease = result.lease;
      held.lastRenewedAtMs = this.clock.monotonic();
      return;
    }
    // A renewal whose first attempt timed out after being applied fails its retry; the KCL
    // re-reads and accepts the lease when it is still ours one counter later.
    const current = await this.options.store.getLease(leaseKey, { signal });
    if (
      current?.leaseOwner === this.options.workerId &&
      current.leaseCounter === held.lease.leaseCounter + 1 &&
      current.checkpointOwner === undefined
    ) {
      held.lease = current;
      held.lastRenewedAtMs = this.clock.monotonic();
      return;
    }
    this.drop(leaseKey, 'taken');
  }

  /** One taker run; returns how long to wait before the next. */
  private async takeOnce(signal: AbortSignal): Promise<number> {
    const leases = await this.listLeases(signal);
    this.lastScan = leases;
    this.events.emit('scanned', { leases });
    const now = this.clock.monotonic();
    // Leases we hold are renewed by us: the scan must not be allowed to think them expired, and
    // a lease we hold whose scan shows another owner is handled by the renewer, not here.
    const plan = planLeaseTaking({
      leases,
      observations: this.observations,
      workerId: this.options.workerId,
      nowMs: now,
      config: this.options.taker,
      random: this.random,
    });
    this.observations = plan.observations;
    this.handOverSurplus(plan.surplus, now);
    let taken = 0;
    let attempted = 0;
    const chosen = [
      ...plan.take.map((l) => [l, false] as const),
      ...plan.steal.map((l) => [l, true] as const),
    ];
    for (const [lease, stolen] of chosen) {
      if (!this.taking || signal.aborted) break;
      if (this.held.has(lease.leaseKey)) continue;
      const avoidUntil = this.avoided.get(lease.leaseKey);
      if (avoidUntil !== undefined) {
        if (avoidUntil > now) continue;
        this.avoided.delete(lease.leaseKey);
      }
      attempted++;
      const result = await this.options.store.takeLease(lease, this.options.workerId, { signal });
      if (result.ok) {
        taken++;
        this.adopt(result.lease, stolen);
      }
    }
    this.metrics.takerRun(plan.stats, { chosen: chosen.length, attempted, taken });
    const interval = this.options.takerIntervalMs;
    if (plan.nextExpiryAtMs !== undefined) {
      const untilExpiry = plan.nextExpiryAtMs - this.clock.monotonic();
      if (untilExpiry > 0 && untilExpiry < interval) return untilExpiry;
    }
    return interval;
  }

  /**
   * Asks for up to `surplus` claimed leases to be handed over; forgets claims past a failover.
   * A claim is kept for a third of the failover time first: handed over at once, the child would
   * wait for the next owner's scan just as if it had not been claimed (measured: 1.4 s at
   * failover 10 s); kept, it is read from the parent's last moments on, and the pause of the
   * hand-over comes later, when the reshard is past. Others do not steal it before it settles
   * (a failover time), so the hand-over has two thirds of that, several scans, to happen.
   */
  private handOverSurplus(surplus: number, now: number): void {
    const { failoverTimeMs } = this.options.taker;
    let left = surplus;
    for (const [leaseKey, at] of this.claimed) {
      const age = now - at;
      if (!this.held.has(leaseKey) || age >= failoverTimeMs) {
        this.claimed.delete(leaseKey);
      } else if (left > 0 && age >= failoverTimeMs / 3) {
        left--;
        this.claimed.delete(leaseKey);
        this.log.info('handing a claimed lease over', { leaseKey });
        this.events.emit('handOver', { leaseKey });
      }
    }
  }

  /**
   * A scan. Malformed items are skipped by the store; each is reported once (log and `error`
   * event, a `MalformedLeaseError`) until it changes or is gone, not at every scan.
   */
  private async listLeases(signal: AbortSignal | undefined): Promise<Lease[]> {
    const seen = new Set<string>();
    const leases = await this.options.store.listLeases({
      ...(signal !== undefined && { signal }),
      onMalformed: (error) => {
        const id = `${error.leaseKey ?? ''}\u0000${error.attribute}\u0000${error.problem}`;
        seen.add(id);
        if (this.malformed.has(id)) return;
        this.malformed.add(id);
        this.reportError('listLeases', error);
      },
    });
    for (const id of this.malformed) if (!seen.has(id)) this.malformed.delete(id);
    return leases;
  }

  private adopt(lease: Lease, stolen: boolean): void {
    this.held.set(lease.leaseKey, { lease, lastRenewedAtMs: this.clock.monotonic() });
    this.log.info('lease taken', {
      leaseKey: lease.leaseKey,
      stolen,
      checkpoint: String(lease.checkpoint),
    });
    this.events.emit('leaseTaken', { lease, stolen });
  }

  private drop(leaseKey: string, reason: LeaseLossReason): void {
    if (!this.held.delete(leaseKey)) return;
    // Every involuntary loss counts, wherever it was noticed (renewal, checkpoint, staleness).
    if (reason === 'taken' || reason === 'not-renewed') this.metrics.lost();
    if (reason !== 'shutdown') this.log.warn('lease lost', { leaseKey, reason });
    this.events.emit('leaseLost', { leaseKey, reason });
  }

  private serial<T>(leaseKey: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(leaseKey) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    const tail = next.catch(() => undefined);
    this.chains.set(leaseKey, tail);
    void tail.then(() => {
      if (this.chains.get(leaseKey) === tail) this.chains.delete(leaseKey);
    });
    return next;
  }

  private sleepOrWake(ms: number, signal: AbortSignal): Promise<void> {
    // A private controller so that a wake-up also cancels the pending sleep (and its listener).
    const sleeper = new AbortController();
    const onAbort = (): void => sleeper.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.wakeTaker = () => sleeper.abort();
    return this.clock
      .sleep(ms, sleeper.signal)
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.wakeTaker = undefined;
        signal.removeEventListener('abort', onAbort);
      });
  }

  private reportError(operation: string, error: unknown): void {
    this.log.warn('lease operation failed', { operation, error });
    this.events.emit('error', { operation, error });
  }
}
