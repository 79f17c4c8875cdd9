/**
 * Runs the shards this worker holds. It turns lease events into shard workers: a taken lease
 * starts a worker (children wait for their parents), a lost lease stops it, a finished shard
 * creates its children and wakes the taker so they start within about a second. It also keeps
 * the lease table in step with the stream (periodic shard sync, hole repair) and deletes finished
 * parent leases once their children have started (the KCL's cleanup rules).
 *
 * Shutdown order (house style): stop syncing and taking → let workers finish their batch and
 * call `shutdownRequested` → release every lease with a conditional write, so other workers take
 * them at their next scan instead of after failoverTimeMs.
 */
import { ConfigurationError, Task, TypedEmitter, childLogger } from '@kinesis-kit/common';
import type { Clock, Logger, MetricsSink } from '@kinesis-kit/common';
import { parentLeaseKeys } from '../core/shardGraph.js';
import type { ChildInitialPosition } from '../core/shardGraph.js';
import type { ChildShard, Lease, LeaseStore } from '../ports.js';
import type { ShardRecordProcessor, StreamInfo } from '../processor.js';
import type { LeaseCoordinator, LeaseLossReason } from './leaseCoordinator.js';
import { LeaseCleanup } from './leaseCleanup.js';
import type { LeaseCleanupTimings } from './leaseCleanup.js';
import { ParentWaits, parentsDone } from './parentWaits.js';
import { finishParentLease } from './shardEnd.js';
import { ShardSyncer } from './shardSyncer.js';
import type { ShardSyncerEvents } from './shardSyncer.js';
import type { ShardWorker } from './shardWorker.js';
import { createShardWorker } from './shardWorkerFactory.js';
import type { ShardWorkerEvents, ShardWorkerOutcome } from './shardWorkerEvents.js';
import type { ShardWorkerOptions } from './shardWorkerOptions.js';
import { streamInfoOf, withStreamInfo } from './streamSet.js';
import type { StreamBinding, StreamSet } from './streamSet.js';

/** @internal */
export interface SchedulerOptions {
  readonly store: LeaseStore;
  readonly coordinator: LeaseCoordinator;
  /** The stream (single-stream) or streams (multi-stream) and how to read each. */
  readonly streams: StreamSet;
  readonly createProcessor: (shardId: string, stream?: StreamInfo) => ShardRecordProcessor;
  readonly worker: ShardWorkerOptions;
  readonly workerEvents: TypedEmitter<ShardWorkerEvents>;
  readonly childInitialPosition: ChildInitialPosition;
  readonly shardSyncIntervalMs: number;
  /** When finished leases are cleaned up (the scheduler's defaults when left out). */
  readonly leaseCleanup?: Partial<LeaseCleanupTimings>;
  readonly failoverTimeMs: number;
  readonly shutdownGraceMs: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  readonly metricDimensions: Readonly<Record<string, string>>;
}

/** @public */
export interface SchedulerEvents extends ShardSyncerEvents {
  shardStarted: {
    readonly shardId: string;
    readonly leaseKey: string;
    /** Multi-stream only. */
    readonly streamIdentifier?: string;
  };
  shardFinished: { readonly shardId: string; readonly outcome: ShardWorkerOutcome };
  /** A finished lease deleted by cleanup (`garbage`: its shard no longer exists). */
  leaseDeleted: { readonly leaseKey: string; readonly reason?: 'cleanup' | 'garbage' };
  /** A child lease claimed at its parent's end was handed to a worker below its target. */
  leaseHandedOver: { readonly leaseKey: string };
}

/**
 * The scheduler events a consumer forwards as its own (every one but `error`, which the consumer
 * wraps). One list, so a new event cannot be forwarded by the consumer and missed by a test.
 * @internal
 */
export const FORWARDED_SCHEDULER_EVENTS = [
  'shardStarted',
  'shardFinished',
  'leasesCreated',
  'leaseDeleted',
  'leaseHandedOver',
  'hashRangeHole',
  'streamsChanged',
  'streamLeasesDeleted',
] as const satisfies readonly (keyof SchedulerEvents)[];

/** @internal */
export class Scheduler {
  readonly events = new TypedEmitter<SchedulerEvents>();
  private readonly workers = new Map<string, ShardWorker>();
  private readonly log: Logger;
  private readonly syncTask: Task;
  private readonly streamTask: Task | undefined;
  private readonly syncer: ShardSyncer;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly cleanup: LeaseCleanup;
  private readonly parentWaits = new ParentWaits();
  private stopping = false;

  constructor(private readonly o: SchedulerOptions) {
    this.log = childLogger(o.logger, { component: 'scheduler' });
    this.cleanup = new LeaseCleanup({
      store: o.store,
      coordinator: o.coordinator,
      streams: o.streams,
      onDeleted: (leaseKey, reason) => this.events.emit('leaseDeleted', { leaseKey, reason }),
      onError: (error) => this.report('leaseCleanup', error),
      ...(o.leaseCleanup !== undefined && { timings: o.leaseCleanup }),
    });
    this.syncer = new ShardSyncer({
      store: o.store,
      coordinator: o.coordinator,
      streams: o.streams,
      emit: (name, payload) => this.events.emit(name, payload as SchedulerEvents[typeof name]),
      logger: this.log,
      metrics: o.metrics,
      metricDimensions: o.metricDimensions,
      stopWorker: (leaseKey) => this.workers.get(leaseKey)?.leaseLost(),
    });
    this.syncTask = new Task({
      name: 'shard-sync',
      clock: o.clock,
      random: o.random,
      tick: async (signal) => {
        await this.syncer.syncShards(signal);
        return o.shardSyncIntervalMs;
      },
      onError: (error) => this.report('shardSync', error),
    });
    const refreshMs = o.streams.refreshIntervalMs;
    this.streamTask =
      refreshMs === undefined
        ? undefined
        : new Task({
            name: 'stream-sync',
            clock: o.clock,
            random: o.random,
            tick: async (signal) => {
              await this.syncer.refreshStreams(signal);
              return refreshMs;
            },
            onError: (error) => this.report('streamSync', error),
          });
  }

  /** Number of shards being processed right now. */
  get activeShards(): number {
    return this.workers.size;
  }

  /** Shard ids being processed right now. */
  processingShardIds(): string[] {
    return [...this.workers.values()].map((w) => w.shardId);
  }

  /** Lease keys of the shards being processed right now (`account:stream:epoch:shardId` in multi-stream). */
  processingLeaseKeys(): string[] {
    return [...this.workers.keys()];
  }

  async start(signal?: AbortSignal): Promise<void> {
    const { coordinator } = this.o;
    this.unsubscribe.push(
      coordinator.events.on('leaseTaken', ({ lease }) => this.onLeaseTaken(lease)),
      coordinator.events.on('leaseLost', ({ leaseKey, reason }) =>
        this.onLeaseLost(leaseKey, reason),
      ),
      coordinator.events.on('handOver', ({ leaseKey }) => void this.handOver(leaseKey)),
      coordinator.events.on('scanned', ({ leases }) => {
        if (!this.stopping) void this.cleanup.run(leases);
      }),
    );
    // The first sync runs before taking, so a new application has leases to take at once.
    const first = signal ?? new AbortController().signal;
    if (this.streamTask !== undefined)
      await this.syncer.refreshStreams(first, { syncAdded: false });
    await this.syncer.syncShards(first);
    await coordinator.start(signal);
    this.syncTask.start();
    this.streamTask?.start();
  }

  /** Graceful stop; see the module comment. Idempotent through the caller (KinesisConsumer). */
  async stop(): Promise<void> {
    this.stopping = true;
    const { coordinator, clock } = this.o;
    await this.streamTask?.stop();
    await this.syncTask.stop();
    await coordinator.stopTaking();
    const workers = [...this.workers.values()];
    const graceful = Promise.all(workers.map((w) => w.requestShutdown()));
    const deadline = new AbortController();
    const timedOut = await Promise.race([
      graceful.then(() => false),
      clock.sleep(this.o.shutdownGraceMs, deadline.signal).then(
        () => true,
        () => false,
      ),
    ]);
    deadline.abort();
    if (timedOut) {
      this.log.warn('processors did not finish within shutdownGraceMs; stopping them', {
        shards: [...this.workers.values()].map((w) => w.shardId),
      });
      await Promise.all([...this.workers.values()].map((w) => w.stop()));
    }
    await Promise.all(coordinator.heldLeases().map((l) => coordinator.release(l.leaseKey)));
    await coordinator.stop();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Hard stop: workers are told their lease is gone; nothing is released (leases expire). */
  async abort(): Promise<void> {
    this.stopping = true;
    await this.streamTask?.stop();
    await this.syncTask.stop();
    await this.o.coordinator.stopTaking();
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    await this.o.coordinator.stop();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** The coordinator's `leaseTaken` listener: like startWorker, it must never throw. */
  private onLeaseTaken(lease: Lease): void {
    if (this.stopping || this.workers.has(lease.leaseKey)) return;
    // A lease at SHARD_END is held (as in the KCL; not counted in the balance) until cleanup
    // deletes it.
    if (lease.checkpoint.isShardEnd) return;
    let binding: StreamBinding | undefined;
    try {
      binding = this.o.streams.forLease(lease);
    } catch (error) {
      this.giveUp(lease, 'startShard', error, this.o.failoverTimeMs);
      return;
    }
    if (binding === undefined && this.o.streams.bindingFor !== undefined) {
      this.bindOrphan(lease, this.o.streams.bindingFor(lease));
      return;
    }
    if (binding === undefined) {
      this.unreadable(lease);
      return;
    }
    this.startWorker(lease, binding);
  }

  /**
   * A stream first met in this lease (an orphan): bind it (with fan-out: register), then start.
   * A binding that fails gives the lease back (retried after failoverTimeMs) rather than holding
   * it unprocessed. startWorker and giveUp never throw, so the chain never rejects unhandled.
   */
  private bindOrphan(lease: Lease, binding: Promise<StreamBinding | undefined>): void {
    const { coordinator } = this.o;
    void binding.then(
      (bound) => {
        const held = coordinator.getHeld(lease.leaseKey);
        if (bound === undefined) this.unreadable(lease);
        else if (held !== undefined && !held.checkpoint.isShardEnd) this.startWorker(held, bound);
      },
      (error: unknown) => this.giveUp(lease, 'bindStream', error, this.o.failoverTimeMs),
    );
  }

  /**
   * A bare shard-id lease in a multi-stream table, or the reverse, or a stream that cannot be
   * bound: no stream of ours to read it from. Leave it alone for an hour.
   */
  private unreadable(lease: Lease): void {
    this.giveUp(
      lease,
      'startShard',
      new Error(`lease ${lease.leaseKey} names no readable stream`),
      UNSTARTABLE_AVOID_MS,
    );
  }

  /**
   * Starts the worker of a taken lease. Runs inside the coordinator's `leaseTaken` listener, whose
   * errors the emitter swallows: so nothing may throw out of here, or the lease would be held and
   * renewed but never processed, silently. A lease that cannot be started is reported, released
   * and left to other workers (for an hour when only a configuration change can help).
   */
  private startWorker(lease: Lease, binding: StreamBinding): void {
    if (this.stopping || this.workers.has(lease.leaseKey)) return;
    const stream = streamInfoOf(binding);
    let processor: ShardRecordProcessor;
    try {
      const made = this.o.createProcessor(lease.shardId, stream);
      processor = stream === undefined ? made : withStreamInfo(made, stream);
    } catch (error) {
      this.giveUp(lease, 'processorFactory', error, this.o.failoverTimeMs);
      return;
    }
    let worker: ShardWorker | undefined;
    try {
      worker = this.createWorker(lease, binding, processor);
      this.workers.set(lease.leaseKey, worker);
      this.events.emit('shardStarted', {
        shardId: lease.shardId,
        leaseKey: lease.leaseKey,
        ...(stream !== undefined && { streamIdentifier: stream.streamIdentifier }),
      });
      worker.start();
      const started = worker;
      void started.done.then((outcome) => this.onWorkerDone(lease.leaseKey, started, outcome));
    } catch (error) {
      if (worker !== undefined && this.workers.get(lease.leaseKey) === worker) {
        this.workers.delete(lease.leaseKey);
        void worker.stop();
      }
      const avoidMs =
        error instanceof ConfigurationError ? UNSTARTABLE_AVOID_MS : this.o.failoverTimeMs;
      this.giveUp(lease, 'startShard', error, avoidMs);
    }
  }

  private createWorker(
    lease: Lease,
    binding: StreamBinding,
    processor: ShardRecordProcessor,
  ): ShardWorker {
    const parentKeys = parentLeaseKeys(lease);
    return createShardWorker({
      lease,
      binding,
      processor,
      coordinator: this.o.coordinator,
      worker: this.o.worker,
      workerEvents: this.o.workerEvents,
      ...(parentKeys.length > 0 && {
        parentsDone: () => parentsDone(lease, this.o.coordinator, this.o.store),
        onParentChange: (wake: () => void) => this.parentWaits.subscribe(parentKeys, wake),
      }),
      onShardEnd: (children) => this.onShardEnd(lease, children),
      logger: this.o.logger,
      metrics: this.o.metrics,
      metricDimensions: this.o.metricDimensions,
      clock: this.o.clock,
      random: this.o.random,
    });
  }

  /** Reports a lease that cannot be processed here, then hands it to other workers. */
  private giveUp(lease: Lease, operation: string, error: unknown, avoidMs: number): void {
    this.report(operation, error, { leaseKey: lease.leaseKey, shardId: lease.shardId });
    this.o.coordinator.avoid(lease.leaseKey, avoidMs);
    void this.o.coordinator.release(lease.leaseKey);
  }

  private onWorkerDone(leaseKey: string, worker: ShardWorker, outcome: ShardWorkerOutcome): void {
    if (this.workers.get(leaseKey) === worker) this.workers.delete(leaseKey);
    this.events.emit('shardFinished', { shardId: worker.shardId, outcome });
    if (outcome.reason === 'shard-end') {
      // Children of ours waiting on this parent start now, not at their next parent poll.
      this.parentWaits.parentEnded(leaseKey);
      // The children were created before shardEnded; take them now rather than at the next scan.
      this.o.coordinator.wake();
    } else if (outcome.reason === 'stopped-on-error' && !this.stopping) {
      // Give the shard back so it is retried from its checkpoint later; not by us right away.
      this.o.coordinator.avoid(leaseKey, this.o.failoverTimeMs);
      void this.o.coordinator.release(leaseKey);
    }
  }

  private onLeaseLost(leaseKey: string, reason: LeaseLossReason): void {
    const worker = this.workers.get(leaseKey);
    if (worker && reason !== 'released') void worker.leaseLost();
  }

  private async onShardEnd(lease: Lease, childShards: readonly ChildShard[]): Promise<void> {
    const result = await finishParentLease(this.o, lease, childShards);
    if (result.kind === 'drop') {
      this.dropLease(lease, result.problem);
      // The worker is stopping (lease lost): this ends its retries.
      throw new Error(`dropped the lease of ${lease.shardId}: ${result.problem}`);
    }
    if (result.created.length > 0) {
      this.events.emit('leasesCreated', { leaseKeys: result.created, reason: 'shard-end' });
      // Take the children now, beyond the target if need be: they start as soon as this parent's
      // SHARD_END is written instead of at some worker's next scan (up to leaseTakerIntervalMs);
      // one that a worker below its target needs is handed over gracefully at our next scan.
      if (!this.stopping) {
        for (const key of result.created) void this.o.coordinator.claim(key);
      }
    }
  }

  /**
   * Hands a claimed lease to a worker below its target: the processor finishes its batch and gets
   * `shutdownRequested` (the handler form checkpoints there), then the lease is released, so the
   * next owner starts from that checkpoint and nothing is processed twice. We keep away from it
   * for a failover time so that our own taker does not take it back.
   */
  private async handOver(leaseKey: string): Promise<void> {
    if (this.stopping) return;
    const { coordinator } = this.o;
    coordinator.avoid(leaseKey, this.o.failoverTimeMs);
    await this.workers.get(leaseKey)?.requestShutdown();
    if (this.stopping) return;
    await coordinator.release(leaseKey);
    this.events.emit('leaseHandedOver', { leaseKey });
  }

  /**
   * The KCL's `dropLease` at SHARD_END: the processor gets `leaseLost` and another worker retries
   * the shard end. The KCL stops renewing, so the lease expires after the failover time; we
   * release it so others take it at once, and keep away from it ourselves for as long.
   */
  private dropLease(lease: Lease, problem: string): void {
    this.log.warn('dropping a lease at shard end so another worker retries', {
      leaseKey: lease.leaseKey,
      problem,
    });
    this.o.coordinator.avoid(lease.leaseKey, this.o.failoverTimeMs);
    void this.workers.get(lease.leaseKey)?.leaseLost();
    void this.o.coordinator.release(lease.leaseKey);
  }

  private report(operation: string, error: unknown, context: Record<string, string> = {}): void {
    this.log.warn('scheduler operation failed', { operation, ...context, error });
    this.events.emit('error', { operation, error });
  }
}

/** A lease given up for a reason only a configuration change can fix is avoided this long. */
const UNSTARTABLE_AVOID_MS = 3_600_000;
