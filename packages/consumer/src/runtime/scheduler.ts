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
import { Task, TypedEmitter, childLogger } from '@kinesis-kit/common';
import type { Clock, Logger, MetricsSink } from '@kinesis-kit/common';
import {
  checkParents,
  parentLeaseKeys,
  planLeaseCleanup,
  planShardEnd,
} from '../core/shardGraph.js';
import type { ChildInitialPosition } from '../core/shardGraph.js';
import { planShardSync, shardFilterFor } from '../core/shardSync.js';
import type { InitialPosition } from '../core/shardSync.js';
import { leaseHashRangeHoles } from '../core/shardSyncHoles.js';
import { leaseKeyFor } from '../core/leaseKeys.js';
import type { ShardLister } from '../adapters/shardLister.js';
import type { ChildShard, Lease, LeaseStore } from '../ports.js';
import type { ShardRecordProcessor } from '../processor.js';
import type { ShardReader } from '../retrievalPorts.js';
import type { ShardBatchSourceFactory } from './batchSources.js';
import type { LeaseCoordinator, LeaseLossReason } from './leaseCoordinator.js';
import { ShardWorker } from './shardWorker.js';
import type { ShardWorkerEvents, ShardWorkerOutcome } from './shardWorkerEvents.js';
import type { ShardWorkerOptions } from './shardWorkerOptions.js';

/** @internal */
export interface SchedulerOptions {
  readonly store: LeaseStore;
  readonly coordinator: LeaseCoordinator;
  readonly lister: ShardLister;
  readonly reader: ShardReader;
  /** How shard workers read (fan-out); polling over `reader` when absent. */
  readonly batchSources?: ShardBatchSourceFactory;
  readonly createProcessor: (shardId: string) => ShardRecordProcessor;
  readonly worker: ShardWorkerOptions;
  readonly workerEvents: TypedEmitter<ShardWorkerEvents>;
  readonly initialPosition: InitialPosition;
  readonly childInitialPosition: ChildInitialPosition;
  readonly shardSyncIntervalMs: number;
  readonly failoverTimeMs: number;
  readonly shutdownGraceMs: number;
  readonly streamIdentifier?: string;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  readonly metricDimensions: Readonly<Record<string, string>>;
}

/** @public */
export interface SchedulerEvents {
  shardStarted: { readonly shardId: string; readonly leaseKey: string };
  shardFinished: { readonly shardId: string; readonly outcome: ShardWorkerOutcome };
  leasesCreated: {
    readonly leaseKeys: readonly string[];
    readonly reason: 'shard-sync' | 'shard-end';
  };
  leaseDeleted: { readonly leaseKey: string };
  hashRangeHole: { readonly holes: number };
  error: { readonly operation: string; readonly error: unknown };
}

/** @internal */
export class Scheduler {
  readonly events = new TypedEmitter<SchedulerEvents>();
  private readonly workers = new Map<string, ShardWorker>();
  private readonly log: Logger;
  private readonly syncTask: Task;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly cleaning = new Set<string>();
  private stopping = false;

  constructor(private readonly o: SchedulerOptions) {
    this.log = childLogger(o.logger, { component: 'scheduler' });
    this.syncTask = new Task({
      name: 'shard-sync',
      clock: o.clock,
      random: o.random,
      tick: async (signal) => {
        await this.syncShards(signal);
        return o.shardSyncIntervalMs;
      },
      onError: (error) => this.report('shardSync', error),
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

  async start(signal?: AbortSignal): Promise<void> {
    const { coordinator } = this.o;
    this.unsubscribe.push(
      coordinator.events.on('leaseTaken', ({ lease }) => this.startWorker(lease)),
      coordinator.events.on('leaseLost', ({ leaseKey, reason }) =>
        this.onLeaseLost(leaseKey, reason),
      ),
      coordinator.events.on('scanned', ({ leases }) => void this.cleanup(leases)),
    );
    // The first sync runs before taking, so a new application has leases to take at once.
    await this.syncShards(signal ?? new AbortController().signal);
    await coordinator.start(signal);
    this.syncTask.start();
  }

  /** Graceful stop; see the module comment. Idempotent through the caller (KinesisConsumer). */
  async stop(): Promise<void> {
    this.stopping = true;
    const { coordinator, clock } = this.o;
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
    await this.syncTask.stop();
    await this.o.coordinator.stopTaking();
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    await this.o.coordinator.stop();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private startWorker(lease: Lease): void {
    if (this.stopping || this.workers.has(lease.leaseKey)) return;
    // A lease at SHARD_END is held (as in the KCL; not counted in the balance) until cleanup
    // deletes it.
    if (lease.checkpoint.isShardEnd) return;
    const { coordinator } = this.o;
    let processor: ShardRecordProcessor;
    try {
      processor = this.o.createProcessor(lease.shardId);
    } catch (error) {
      this.report('processorFactory', error);
      void coordinator.release(lease.leaseKey);
      return;
    }
    const worker = new ShardWorker({
      shardId: lease.shardId,
      checkpoint: lease.checkpoint,
      ...(lease.pendingCheckpoint !== undefined && { pendingCheckpoint: lease.pendingCheckpoint }),
      ...(lease.pendingCheckpointState !== undefined && {
        pendingCheckpointState: lease.pendingCheckpointState,
      }),
      ...(lease.hashKeyRange !== undefined && { hashKeyRange: lease.hashKeyRange }),
      reader: this.o.reader,
      ...(this.o.batchSources !== undefined && { batchSources: this.o.batchSources }),
      processor,
      checkpointTarget: {
        updateCheckpoint: (update) => coordinator.checkpoint(lease.leaseKey, update),
      },
      leaseValid: () => coordinator.holdsFresh(lease.leaseKey),
      ...(lease.parentShardIds.length > 0 && { parentsDone: () => this.parentsDone(lease) }),
      onShardEnd: (children) => this.onShardEnd(lease, children),
      options: this.o.worker,
      events: this.o.workerEvents,
      logger: this.o.logger,
      metrics: this.o.metrics,
      metricDimensions: this.o.metricDimensions,
      clock: this.o.clock,
      random: this.o.random,
    });
    this.workers.set(lease.leaseKey, worker);
    this.events.emit('shardStarted', { shardId: lease.shardId, leaseKey: lease.leaseKey });
    worker.start();
    void worker.done.then((outcome) => this.onWorkerDone(lease.leaseKey, worker, outcome));
  }

  private onWorkerDone(leaseKey: string, worker: ShardWorker, outcome: ShardWorkerOutcome): void {
    if (this.workers.get(leaseKey) === worker) this.workers.delete(leaseKey);
    this.events.emit('shardFinished', { shardId: worker.shardId, outcome });
    if (outcome.reason === 'shard-end') {
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

  private async parentsDone(lease: Lease): Promise<boolean> {
    const keys = parentLeaseKeys(lease);
    const parents = await Promise.all(keys.map((k) => this.o.store.getLease(k)));
    return checkParents(lease, new Map(keys.map((k, i) => [k, parents[i]]))).eligible;
  }

  private async onShardEnd(lease: Lease, childShards: readonly ChildShard[]): Promise<void> {
    if (childShards.length === 0) return;
    const stream = lease.streamIdentifier;
    const keys = new Set<string>();
    for (const child of childShards) {
      keys.add(leaseKeyFor(child.shardId, stream));
      for (const parent of child.parentShards) keys.add(leaseKeyFor(parent, stream));
    }
    const existing = new Map<string, Lease | undefined>();
    await Promise.all([...keys].map(async (k) => existing.set(k, await this.o.store.getLease(k))));
    const plan = planShardEnd({
      parent: lease,
      childShards,
      existing,
      childInitialPosition: this.o.childInitialPosition,
      random: this.o.random,
    });
    if (plan.kind !== 'create-children') {
      // Retried by the worker with backoff until the merge's other parent lease shows up.
      throw new Error(
        `cannot finish ${lease.shardId} yet: ${plan.kind} ${'missingParentLeaseKey' in plan ? plan.missingParentLeaseKey : plan.problem}`,
      );
    }
    const created: string[] = [];
    for (const child of plan.create) {
      if (await this.o.store.createLeaseIfNotExists(child)) created.push(child.leaseKey);
    }
    await this.o.store.updateChildShardIds(lease.leaseKey, plan.childShardIds);
    if (created.length > 0) {
      this.events.emit('leasesCreated', { leaseKeys: created, reason: 'shard-end' });
    }
  }

  /** One shard sync: create the leases the KCL's rules call for; report hash-range holes. */
  private async syncShards(signal: AbortSignal): Promise<void> {
    const leases = await this.o.store.listLeases({ signal });
    const shards =
      leases.length === 0
        ? await this.o.lister.listShards(shardFilterFor(this.o.initialPosition), { signal })
        : await this.o.lister.listShards(undefined, { signal });
    const plan = planShardSync({
      shards,
      leases,
      initialPosition: this.o.initialPosition,
      ...(this.o.streamIdentifier !== undefined && { streamIdentifier: this.o.streamIdentifier }),
    });
    const created: string[] = [];
    for (const lease of plan.create) {
      if (await this.o.store.createLeaseIfNotExists(lease, { signal }))
        created.push(lease.leaseKey);
    }
    if (created.length > 0) {
      this.log.info('leases created by shard sync', { count: created.length });
      this.events.emit('leasesCreated', { leaseKeys: created, reason: 'shard-sync' });
      this.o.coordinator.wake();
    }
    const holes = leaseHashRangeHoles(leases).holes;
    if (holes.length > 0 && created.length === 0) {
      this.events.emit('hashRangeHole', { holes: holes.length });
    }
  }

  /** Deletes held SHARD_END leases whose children have started (KCL LeaseCleanupManager). */
  private async cleanup(leases: readonly Lease[]): Promise<void> {
    if (this.stopping) return;
    const byKey = new Map<string, Lease | undefined>(leases.map((l) => [l.leaseKey, l]));
    for (const held of this.o.coordinator.heldLeases()) {
      if (!held.checkpoint.isShardEnd || this.cleaning.has(held.leaseKey)) continue;
      this.cleaning.add(held.leaseKey);
      try {
        let lease = held;
        let decision = planLeaseCleanup(lease, byKey);
        if (decision.kind === 'needs-child-ids') {
          const children = await this.childShardsOf(lease);
          if (children.length > 0) {
            await this.o.store.updateChildShardIds(lease.leaseKey, children);
            lease = { ...lease, childShardIds: children };
            decision = planLeaseCleanup(lease, byKey);
          }
        }
        if (decision.kind === 'delete') {
          await this.o.coordinator.deleteHeld(lease.leaseKey);
          this.events.emit('leaseDeleted', { leaseKey: lease.leaseKey });
        }
      } catch (error) {
        this.report('leaseCleanup', error);
      } finally {
        this.cleaning.delete(held.leaseKey);
      }
    }
  }

  /** A closed shard's children, asked of the service (a lease taken over without childShardIds). */
  private async childShardsOf(lease: Lease): Promise<string[]> {
    const iterator = await this.o.reader.getShardIterator(lease.shardId, { type: 'LATEST' });
    const result = await this.o.reader.getRecords(iterator, 1);
    return (result.childShards ?? []).map((c) => c.shardId);
  }

  private report(operation: string, error: unknown): void {
    this.log.warn('scheduler operation failed', { operation, error });
    this.events.emit('error', { operation, error });
  }
}
