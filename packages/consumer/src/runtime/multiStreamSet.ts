/**
 * The streams of a multi-stream application (the Java KCL's `MultiStreamTracker` as the Scheduler
 * uses it): polls the application's stream list, resolves each entry to its KCL identifier, and
 * keeps three things apart:
 * - the streams being shard-synced (`active`): listed ones, plus, from start until the strategy
 *   says otherwise, streams found in the lease table;
 * - the streams that can be read (`forLease`): every stream a lease names, listed or not, since a
 *   lease in the table is processed whoever listed it (an "orphan" starts at
 *   `orphanedStreamInitialPosition`);
 * - the streams waiting for their leases to be deleted (see `core/streamTracking.ts`).
 */
import { childLogger } from '@kinesis-kit/common';
import type { Clock, Logger } from '@kinesis-kit/common';
import { planStreamTracking } from '../core/streamTracking.js';
import type { InitialPosition } from '../core/shardSync.js';
import type { ResolvedStream } from '../adapters/streamResolver.js';
import type { NormalizedStreamSpec, ResolvedMultiStreamOptions } from '../multiStreamOptions.js';
import type { Lease } from '../ports.js';
import { StreamNotFoundError } from './shardSyncer.js';
import type { StreamBinding, StreamChanges, StreamSet } from './streamSet.js';

/** @internal */
export interface MultiStreamSetOptions {
  readonly options: ResolvedMultiStreamOptions;
  /** The consumer's `initialPosition`, for listed streams that do not give their own. */
  readonly initialPosition: InitialPosition;
  readonly resolver: {
    resolve(spec: NormalizedStreamSpec, signal?: AbortSignal): Promise<ResolvedStream>;
    fromIdentifier(streamIdentifier: string): ResolvedStream;
    forget(streamIdentifier: string): void;
  };
  /**
   * Builds the lister and reader of one stream (and, with fan-out, registers its stream consumer:
   * hence async). `consumerArn` is the stream's own, when its spec gives one.
   */
  readonly bind: (
    stream: ResolvedStream,
    initialPosition: InitialPosition,
    options: { readonly consumerArn?: string; readonly signal?: AbortSignal },
  ) => Promise<StreamBinding>;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  /** A refresh step failed (it is retried at the next one). */
  readonly onError: (operation: string, error: unknown) => void;
}

const NONE: StreamChanges = { added: [], forgotten: [], deleteLeasesOf: [] };

/** @internal */
export class MultiStreamSet implements StreamSet {
  readonly refreshIntervalMs: number;
  private readonly current = new Map<string, StreamBinding>();
  private readonly known = new Map<string, StreamBinding>();
  private staleSince = new Map<string, number>();
  private readonly notFound = new Set<string>();
  private seededFromLeases = false;
  /** What each listed spec last resolved to, and the specs already reported missing. */
  private readonly resolvedSpecs = new Map<string, string>();
  private readonly missingSpecs = new Set<string>();
  private readonly reportedMissing = new Set<string>();
  private readonly pending = new Map<string, Promise<StreamBinding | undefined>>();
  private readonly log: Logger;

  constructor(private readonly o: MultiStreamSetOptions) {
    this.refreshIntervalMs = o.options.streamSyncIntervalMs;
    this.log = childLogger(o.logger, { component: 'stream-tracker' });
  }

  active(): readonly StreamBinding[] {
    return [...this.current.values()];
  }

  /** Streams waiting for their leases to be deleted, with when they went missing. */
  pendingDeletion(): ReadonlyMap<string, number> {
    return this.staleSince;
  }

  pendingDeletionCount(): number {
    return this.staleSince.size;
  }

  forLease(lease: Pick<Lease, 'streamIdentifier'>): StreamBinding | undefined {
    return lease.streamIdentifier === undefined
      ? undefined
      : this.known.get(lease.streamIdentifier);
  }

  /**
   * The binding of a stream known only from a lease ("orphan": in the table, not listed), made on
   * first use at `orphanedStreamInitialPosition`. Undefined for a bare shard-id lease (no stream to
   * read it from; the KCL fails on it too) or a stream that no longer exists.
   */
  async bindingFor(
    lease: Pick<Lease, 'streamIdentifier'>,
    signal?: AbortSignal,
  ): Promise<StreamBinding | undefined> {
    const id = lease.streamIdentifier;
    if (id === undefined) return undefined;
    const known = this.known.get(id);
    if (known !== undefined) return known;
    let pending = this.pending.get(id);
    if (pending === undefined) {
      pending = this.o
        .bind(this.o.resolver.fromIdentifier(id), this.o.options.orphanedStreamInitialPosition, {
          ...(signal !== undefined && { signal }),
        })
        .then(
          (binding) => {
            this.known.set(id, binding);
            return binding;
          },
          (error: unknown) => {
            if (isNotFound(error)) this.notFound.add(id);
            this.o.onError('bindStream', error);
            return undefined;
          },
        )
        .finally(() => this.pending.delete(id));
      this.pending.set(id, pending);
    }
    return pending;
  }

  async refresh(leases: readonly Lease[], signal: AbortSignal): Promise<StreamChanges> {
    if (!this.seededFromLeases) {
      // The KCL's syncStreamsFromLeaseTableOnAppInit: streams in the table are synced from the
      // start, so the strategy sees them (and can delete the leases of former streams).
      for (const lease of leases) {
        if (lease.streamIdentifier !== undefined && !this.current.has(lease.streamIdentifier)) {
          const binding = await this.bindingFor(lease, signal);
          if (binding !== undefined) this.current.set(lease.streamIdentifier, binding);
        }
      }
      this.seededFromLeases = true;
    }
    const tracked = await this.listTracked(signal);
    if (tracked === undefined) return NONE;
    let provided: readonly string[] = [];
    if (this.o.options.providedStreams !== undefined) {
      try {
        provided = await this.o.options.providedStreams();
      } catch (error) {
        this.o.onError('formerStreamsLeasesDeletionStrategy', error);
      }
    }
    const plan = planStreamTracking({
      tracked: [...tracked.keys()],
      current: [...this.current.keys()],
      staleSince: this.staleSince,
      strategy: this.o.options.deletion,
      provided,
      waitPeriodMs: this.o.options.waitPeriodMs,
      notFound: [...this.notFound],
      nowMs: this.o.clock.now(),
    });
    this.notFound.clear();
    this.staleSince = new Map(plan.staleSince);
    const added = plan.add.map((id) => tracked.get(id)!);
    for (const b of added) {
      this.current.set(b.streamIdentifier!, b);
      this.known.set(b.streamIdentifier!, b);
    }
    // As the KCL: a stream whose leases are being deleted stops being synced first, so a shard
    // sync running meanwhile does not re-create them.
    for (const id of [...plan.forget, ...plan.deleteLeases]) this.current.delete(id);
    // A stream first seen in the lease table and listed too gets the listed position from now on.
    for (const [id, b] of tracked) {
      if (this.current.get(id) !== b && this.current.has(id)) {
        this.current.set(id, b);
        this.known.set(id, b);
      }
    }
    if (added.length + plan.forget.length + plan.deleteLeases.length > 0) {
      this.log.info('streams changed', {
        added: plan.add,
        forgotten: plan.forget,
        deletingLeasesOf: plan.deleteLeases,
      });
    }
    return { added, forgotten: plan.forget, deleteLeasesOf: plan.deleteLeases };
  }

  streamNotFound(streamIdentifier: string): boolean {
    this.notFound.add(streamIdentifier);
    this.o.resolver.forget(streamIdentifier);
    if (this.reportedMissing.has(streamIdentifier)) return false;
    this.reportedMissing.add(streamIdentifier);
    return true;
  }

  leasesDeleted(streamIdentifier: string, ok: boolean): void {
    if (ok) {
      this.known.delete(streamIdentifier);
      this.o.resolver.forget(streamIdentifier);
    } else {
      // Retried at the next refresh: due at once (unless the stream is listed again by then).
      this.staleSince.set(streamIdentifier, Number.NEGATIVE_INFINITY);
    }
  }

  /**
   * The listed streams by identifier, or undefined when the list could not be read or an entry
   * could not be resolved for a reason other than "no such stream": a transient failure must not
   * make listed streams look removed (their leases could be deleted).
   */
  private async listTracked(signal: AbortSignal): Promise<Map<string, StreamBinding> | undefined> {
    let specs: readonly NormalizedStreamSpec[];
    try {
      specs = await this.o.options.listStreams(signal);
    } catch (error) {
      this.o.onError('streamTracker', error);
      return undefined;
    }
    const tracked = new Map<string, StreamBinding>();
    for (const spec of specs) {
      const key = spec.streamIdentifier ?? spec.streamArn ?? spec.streamName ?? '';
      let resolved: ResolvedStream;
      try {
        resolved = await this.o.resolver.resolve(spec, signal);
      } catch (error) {
        if (!isNotFound(error)) {
          this.o.onError('resolveStream', error);
          return undefined;
        }
        // Listed but gone (deleted): reported once; a stream it used to be is treated as deleted.
        const was = this.resolvedSpecs.get(key);
        if (was !== undefined) this.notFound.add(was);
        if (!this.missingSpecs.has(key) && (was === undefined || !this.reportedMissing.has(was))) {
          this.missingSpecs.add(key);
          if (was !== undefined) this.reportedMissing.add(was);
          this.o.onError(
            'resolveStream',
            new StreamNotFoundError(spec.streamName ?? key, was, error),
          );
        }
        continue;
      }
      this.resolvedSpecs.set(key, resolved.streamIdentifier);
      this.missingSpecs.delete(key);
      const position = spec.initialPosition ?? this.o.initialPosition;
      const existing = this.current.get(resolved.streamIdentifier);
      if (existing !== undefined && existing.initialPosition === position) {
        tracked.set(resolved.streamIdentifier, existing);
        continue;
      }
      try {
        tracked.set(
          resolved.streamIdentifier,
          await this.o.bind(resolved, position, {
            ...(spec.consumerArn !== undefined && { consumerArn: spec.consumerArn }),
            signal,
          }),
        );
      } catch (error) {
        // E.g. fan-out registration failed: keep the previous list, try again next time.
        this.o.onError('bindStream', error);
        if (isNotFound(error)) continue;
        return undefined;
      }
    }
    return tracked;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ResourceNotFoundException';
}
