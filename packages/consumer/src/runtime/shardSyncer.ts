/**
 * Keeps the lease table in step with the streams: per stream, ListShards and the KCL's
 * lease-creation rules (empty-for-this-stream or non-empty, `core/shardSync.ts`) and the
 * hash-range hole audit; in a multi-stream application also the stream tracker's changes (sync a
 * new stream at once, delete the leases of a former one). Shard sync and stream sync never run at
 * the same time, so a deletion cannot race a re-creation on this worker.
 *
 * A stream that no longer exists (ListShards `ResourceNotFoundException`) is reported once as a
 * {@link StreamNotFoundError}, not at every sync; its shards end cleanly through the readers.
 */
import { KinesisKitError, isAbortError, systemClock } from '@kinesis-kit/common';
import type { Clock, Logger, MetricsSink } from '@kinesis-kit/common';
import { planShardSync } from '../core/shardSync.js';
import type { Lease, LeaseHashKeyRange, LeaseStore } from '../ports.js';
import type { LeaseCoordinator } from './leaseCoordinator.js';
import { HoleAuditor, backfillHashRanges, listInitialShards } from './shardSyncCoverage.js';
import type { HoleAuditKind } from './shardSyncCoverage.js';
import type { StreamBinding, StreamSet } from './streamSet.js';

/**
 * The stream a consumer reads does not exist (deleted, or never created); reported once per
 * stream on the consumer's `error` event.
 * @public
 * @example
 * ```ts
 * consumer.events.on('error', ({ error }) => {
 *   if (error instanceof StreamNotFoundError) alert(`${error.streamName} is gone`);
 * });
 * ```
 */
export class StreamNotFoundError extends KinesisKitError {
  constructor(
    readonly streamName: string,
    readonly streamIdentifier: string | undefined,
    cause: unknown,
  ) {
    super('KT_AWS', `stream ${streamIdentifier ?? streamName} does not exist (deleted?)`, {
      cause,
      retriable: false,
      context: { streamName, ...(streamIdentifier !== undefined && { streamIdentifier }) },
    });
  }
}

/** @public */
export interface ShardSyncerEvents {
  leasesCreated: {
    readonly leaseKeys: readonly string[];
    readonly reason: 'shard-sync' | 'shard-end';
  };
  /**
   * The hash ranges of a stream's leases not at SHARD_END left the same hole after three syncs
   * in a row: the shard sync cannot repair it (the KCL's
   * PeriodicShardSyncManager audit). `hole` is the first uncovered range.
   */
  hashRangeHole: {
    readonly holes: number;
    readonly hole: LeaseHashKeyRange;
    readonly streamIdentifier?: string;
  };
  /** Multi-stream: the stream list changed. */
  streamsChanged: {
    readonly added: readonly string[];
    readonly forgotten: readonly string[];
    readonly deletingLeasesOf: readonly string[];
  };
  /** Multi-stream: a former stream's leases were deleted (per the deletion strategy). */
  streamLeasesDeleted: { readonly streamIdentifier: string; readonly leaseKeys: readonly string[] };
  error: { readonly operation: string; readonly error: unknown };
}

/** @internal */
export interface ShardSyncerOptions {
  readonly store: LeaseStore;
  /** Its clock (when it has one) paces the empty-table listing retries. */
  readonly coordinator: Pick<LeaseCoordinator, 'wake' | 'getHeld' | 'deleteHeld'> & {
    readonly clock?: Clock;
  };
  readonly streams: StreamSet;
  readonly emit: <K extends keyof ShardSyncerEvents>(
    name: K,
    payload: ShardSyncerEvents[K],
  ) => void;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  readonly metricDimensions: Readonly<Record<string, string>>;
  /** Stops this worker's processing of a lease (its processor gets `leaseLost`). */
  readonly stopWorker: (leaseKey: string) => Promise<unknown> | undefined;
}

/** The lease coordinator's scans report malformed items (once each); a sync adds nothing. */
const ignoreMalformed = (): void => undefined;

/** @internal */
export class ShardSyncer {
  private running: Promise<void> = Promise.resolve();
  private readonly missing = new Set<string>();
  private readonly holes = new HoleAuditor();
  private readonly clock: Clock;

  constructor(private readonly o: ShardSyncerOptions) {
    this.clock = o.coordinator.clock ?? systemClock;
  }

  /** One shard sync of every active stream; one stream's failure does not stop the others. */
  syncShards(signal: AbortSignal): Promise<void> {
    return this.serial(async () => {
      const leases = await this.o.store.listLeases({ signal, onMalformed: ignoreMalformed });
      let withHoles = 0;
      let confirmed = 0;
      for (const binding of this.o.streams.active()) {
        const audit = await this.syncStreamSafely(binding, leases, signal);
        if (audit === 'hole') withHoles += 1;
        if (audit === 'confirmed') confirmed += 1;
      }
      // The KCL's PeriodicShardSyncManager figures: streams with a hole now, and with one that
      // outlived the confidence threshold.
      this.metric('NumStreamsWithPartialLeases', withHoles + confirmed, 'PeriodicShardSyncManager');
      this.metric('NumStreamsToSync', confirmed, 'PeriodicShardSyncManager');
    });
  }

  /** Multi-stream: re-reads the tracker and acts on the changes. */
  refreshStreams(signal: AbortSignal, options: { syncAdded?: boolean } = {}): Promise<void> {
    const refresh = this.o.streams.refresh?.bind(this.o.streams);
    if (refresh === undefined) return Promise.resolve();
    return this.serial(async () => {
      const leases = await this.o.store.listLeases({ signal, onMalformed: ignoreMalformed });
      const changes = await refresh(leases, signal);
      const added = changes.added.map((b) => b.streamIdentifier ?? b.streamName);
      if (added.length + changes.forgotten.length + changes.deleteLeasesOf.length > 0) {
        this.o.emit('streamsChanged', {
          added,
          forgotten: changes.forgotten,
          deletingLeasesOf: changes.deleteLeasesOf,
        });
      }
      if (options.syncAdded ?? true) {
        for (const binding of changes.added) await this.syncStreamSafely(binding, leases, signal);
      }
      let deleted = 0;
      for (const id of changes.deleteLeasesOf) {
        const ok = await this.deleteStreamLeases(id, leases, signal);
        this.o.streams.leasesDeleted?.(id, ok);
        if (ok) deleted += 1;
      }
      // The Java Scheduler's stream-sync metrics, under its operation name.
      this.metric('ActiveStreams.Count', this.o.streams.active().length);
      this.metric('StreamsPendingDeletion.Count', this.o.streams.pendingDeletionCount?.() ?? 0);
      this.metric('DeletedStreams.Count', deleted);
    });
  }

  private metric(name: string, value: number, operation = 'MultiStreamTracker'): void {
    this.o.metrics.record({
      name,
      value,
      unit: 'Count',
      dimensions: { Operation: operation, ...this.o.metricDimensions },
    });
  }

  private async syncStreamSafely(
    binding: StreamBinding,
    leases: readonly Lease[],
    signal: AbortSignal,
  ): Promise<HoleAuditKind | undefined> {
    const key = binding.streamIdentifier ?? binding.streamName;
    try {
      const audit = await this.syncStream(binding, leases, signal);
      this.missing.delete(key);
      return audit;
    } catch (error) {
      if (isAbortError(error) || signal.aborted) throw error;
      if ((error as { name?: unknown } | null)?.name !== 'ResourceNotFoundException') {
        this.report('shardSync', error);
        return undefined;
      }
      const firstHere = !this.missing.has(key);
      this.missing.add(key);
      const firstInSet =
        binding.streamIdentifier === undefined ||
        (this.o.streams.streamNotFound?.(binding.streamIdentifier) ?? true);
      if (!firstHere || !firstInSet) return undefined;
      this.report(
        'shardSync',
        new StreamNotFoundError(binding.streamName, binding.streamIdentifier, error),
      );
      return undefined;
    }
  }

  private async syncStream(
    binding: StreamBinding,
    allLeases: readonly Lease[],
    signal: AbortSignal,
  ): Promise<HoleAuditKind> {
    const id = binding.streamIdentifier;
    const found = allLeases.filter((l) => l.streamIdentifier === id);
    // No lease of this stream yet: the KCL's empty-table rules, with the stream's own position.
    const shards =
      found.length === 0
        ? await listInitialShards(binding, this.clock, signal)
        : await binding.lister.listShards(undefined, { signal });
    const leases = await backfillHashRanges(this.o.store, found, shards, signal, this.o.logger);
    const plan = planShardSync({
      shards,
      leases,
      initialPosition: binding.initialPosition,
      ...(id !== undefined && { streamIdentifier: id }),
    });
    const created: string[] = [];
    for (const lease of plan.create) {
      if (await this.o.store.createLeaseIfNotExists(lease, { signal })) {
        created.push(lease.leaseKey);
      }
    }
    if (created.length > 0) {
      this.o.logger.info('leases created by shard sync', {
        count: created.length,
        ...(id !== undefined && { streamIdentifier: id }),
      });
      this.o.emit('leasesCreated', { leaseKeys: created, reason: 'shard-sync' });
      this.o.coordinator.wake();
    }
    // Judged after this sync's own creations (every planned lease exists now, ours or a peer's).
    const audit = this.holes.step(binding, [...leases, ...plan.create]);
    if (audit.kind === 'confirmed') {
      this.o.logger.warn('lease hash ranges leave a hole that shard sync does not repair', {
        holes: audit.holes,
        ...audit.hole,
        ...(id !== undefined && { streamIdentifier: id }),
      });
      this.o.emit('hashRangeHole', {
        holes: audit.holes,
        hole: audit.hole,
        ...(id !== undefined && { streamIdentifier: id }),
      });
    }
    return audit.kind;
  }

  /** Deletes every lease of a former stream (unconditionally, as the KCL); false on a failure. */
  private async deleteStreamLeases(
    streamIdentifier: string,
    leases: readonly Lease[],
    signal: AbortSignal,
  ): Promise<boolean> {
    const deleted: string[] = [];
    let ok = true;
    for (const lease of leases.filter((l) => l.streamIdentifier === streamIdentifier)) {
      try {
        // Our own processor first learns it lost the shard; other workers find out at renewal.
        await this.o.stopWorker(lease.leaseKey);
        if (this.o.coordinator.getHeld(lease.leaseKey) !== undefined) {
          await this.o.coordinator.deleteHeld(lease.leaseKey);
        } else {
          await this.o.store.deleteLease(lease.leaseKey, { signal });
        }
        deleted.push(lease.leaseKey);
      } catch (error) {
        if (isAbortError(error) || signal.aborted) throw error;
        this.report('deleteStreamLeases', error);
        ok = false;
        break;
      }
    }
    this.o.logger.warn('deleted the leases of a former stream', {
      streamIdentifier,
      count: deleted.length,
      complete: ok,
    });
    this.o.emit('streamLeasesDeleted', { streamIdentifier, leaseKeys: deleted });
    return ok;
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const run = this.running.then(step, step);
    this.running = run.catch(() => undefined);
    return run;
  }

  private report(operation: string, error: unknown): void {
    this.o.logger.warn('shard sync operation failed', { operation, error });
    this.o.emit('error', { operation, error });
  }
}
