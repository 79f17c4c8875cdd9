/**
 * One shard's processing engine, one per held lease: waits for the parents to finish, initialises
 * the processor at the lease checkpoint, feeds it the prefetched batches, and ends in one of the
 * KCL's ways (shard end, lease lost, shutdown requested). The coordinator owns the lease; it hands
 * this worker callbacks for what needs the lease table (parents, child leases, release).
 *
 * Two abort signals: `stopping` (any stop request: stop fetching, stop waiting and retrying) and
 * `hard` (lease lost or `stop()`: also aborts the signal the processor sees). A graceful
 * `requestShutdown()` lets the batch in flight finish, then calls `shutdownRequested`.
 */
import {
  ConfigurationError,
  KinesisKitError,
  TypedEmitter,
  childLogger,
  computeBackoff,
  isAbortError,
  noopMetricsSink,
  silentLogger,
  systemClock,
} from '@kinesis-kit/common';
import type {
  Clock,
  ExtendedSequenceNumber,
  Logger,
  MetricDimensions,
  MetricsSink,
} from '@kinesis-kit/common';
import { ShardCheckpointer } from '../checkpointer.js';
import type { CheckpointTarget, LeaseLostError } from '../checkpointer.js';
import type { ChildShard, LeaseHashKeyRange } from '../ports.js';
import type { ShardRecordProcessor } from '../processor.js';
import type { IteratorPosition, ShardReader } from '../retrievalPorts.js';
import { pollingSources } from './batchSources.js';
import type { ShardBatchSourceFactory } from './batchSources.js';
import { Prefetcher } from './prefetcher.js';
import type { PrefetcherObserver, ShardReadContext } from './prefetcher.js';
import {
  deliverBatch,
  interruptibleSleep,
  isLeaseLostError,
  restorePermitted,
} from './processorErrors.js';
import type { DeliveryContext } from './processorErrors.js';
import { waitForParents } from './parentWaits.js';
import { toHashKeyRange } from './recordBatch.js';
import { SHARD_WORKER_METRICS as M } from './shardWorkerEvents.js';
import type {
  ProcessorPhase,
  ShardWorkerEvents,
  ShardWorkerOutcome,
  ShardWorkerState,
} from './shardWorkerEvents.js';
import { resolveShardWorkerOptions } from './shardWorkerOptions.js';
import type { ShardWorkerOptions } from './shardWorkerOptions.js';

/**
 * Everything a shard worker needs. The coordinator builds one per lease it holds.
 * @public
 */
export interface ShardWorkerParams {
  readonly shardId: string;
  /** The lease's checkpoint: where reading resumes. */
  readonly checkpoint: ExtendedSequenceNumber;
  readonly pendingCheckpoint?: ExtendedSequenceNumber;
  readonly pendingCheckpointState?: Uint8Array;
  /** The lease's hash range: KPL aggregates hashing outside it are dropped (KCL). */
  readonly hashKeyRange?: LeaseHashKeyRange;
  readonly reader: ShardReader;
  /** Opens the shard's batch source (fan-out). @defaultValue polling over `reader` */
  readonly batchSources?: ShardBatchSourceFactory;
  readonly processor: ShardRecordProcessor;
  /** Conditional checkpoint writes on the held lease (serialised with renewals by the coordinator). */
  readonly checkpointTarget: CheckpointTarget;
  /**
   * True when every parent lease that still exists is at SHARD_END. Absent: no parents to wait
   * for. Polled every `parentPollIntervalMs` for the first seconds, then less and less often
   * (see `parentPollDelayMs` in parentWaits.ts).
   */
  readonly parentsDone?: () => Promise<boolean>;
  /** Subscribes to "a parent may have ended" (ours ended here): poll again at once. */
  readonly onParentChange?: (wake: () => void) => () => void;
  /**
   * The shard ended (children from GetRecords; empty when the shard vanished): create the child
   * leases and write `childShardIds`. Called before `shardEnded`; retried with backoff until it
   * resolves, so it must be idempotent.
   */
  readonly onShardEnd: (childShards: readonly ChildShard[]) => Promise<void>;
  /**
   * Asked before each batch is delivered: false when the lease may be another worker's by now
   * (not renewed within the failover time). Absent: always valid.
   */
  readonly leaseValid?: () => boolean;
  /** A checkpoint write found the lease taken: drop it from the held set. */
  readonly onLeaseLost?: (error: LeaseLostError) => void;
  readonly options?: Partial<ShardWorkerOptions>;
  readonly events?: TypedEmitter<ShardWorkerEvents>;
  readonly logger?: Logger;
  readonly metrics?: MetricsSink;
  /** Added to every datum (e.g. `StreamName`, `WorkerIdentifier`); `Operation` and `ShardId` are set here. */
  readonly metricDimensions?: MetricDimensions;
  readonly clock?: Clock;
  readonly random?: () => number;
}

/**
 * Runs one shard. `start()` once; `requestShutdown()`, `leaseLost()` and `stop()` all resolve with
 * the outcome once the worker is done.
 * @public
 * @example
 * ```ts
 * const worker = new ShardWorker({ shardId, checkpoint: lease.checkpoint, reader, processor,
 *   checkpointTarget, parentsDone, onShardEnd: (children) => createChildLeases(lease, children) });
 * worker.start();
 * const outcome = await worker.done; // { reason: 'shard-end' } …
 * ```
 */
export class ShardWorker {
  readonly shardId: string;
  readonly events: TypedEmitter<ShardWorkerEvents>;
  /** Resolves with the outcome once the worker is done; never rejects. */
  readonly done: Promise<ShardWorkerOutcome>;
  private readonly config: ShardWorkerOptions;
  private readonly checkpointer: ShardCheckpointer;
  private readonly stopping = new AbortController();
  private readonly hard = new AbortController();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly metrics: MetricsSink;
  private readonly dims: Record<'process' | 'initialize' | 'shutdown', MetricDimensions>;
  private readonly start_: IteratorPosition | undefined;
  private current: ShardWorkerState = 'CREATED';
  private shutdownWanted = false;
  private lost = false;
  private initialized = false;
  private prefetcher: Prefetcher | undefined;
  private resolveDone!: (outcome: ShardWorkerOutcome) => void;

  constructor(private readonly p: ShardWorkerParams) {
    this.shardId = p.shardId;
    this.config = resolveShardWorkerOptions(p.options);
    this.events = p.events ?? new TypedEmitter<ShardWorkerEvents>();
    this.clock = p.clock ?? systemClock;
    this.random = p.random ?? Math.random;
    this.logger = childLogger(p.logger ?? silentLogger, { shardId: p.shardId });
    this.metrics = p.metrics ?? noopMetricsSink;
    const base = { ...p.metricDimensions, ShardId: p.shardId };
    this.dims = {
      process: { ...base, Operation: 'ProcessTask' },
      initialize: { ...base, Operation: 'InitializeTask' },
      shutdown: { ...base, Operation: 'ShutdownTask' },
    };
    this.start_ = startPosition(p.checkpoint, this.config.initialPositionTimestamp);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.checkpointer = new ShardCheckpointer({
      shardId: p.shardId,
      target: p.checkpointTarget,
      checkpoint: p.checkpoint,
      clock: this.clock,
      metrics: this.metrics,
      dimensions: this.dims.process,
      onLeaseLost: (error) => {
        this.logger.warn('checkpoint found the lease taken', { error });
        this.markLost();
        p.onLeaseLost?.(error);
      },
      onCheckpoint: (checkpoint) =>
        this.events.emit('checkpointed', { shardId: p.shardId, checkpoint }),
    });
  }

  get state(): ShardWorkerState {
    return this.current;
  }

  start(): void {
    if (this.current !== 'CREATED') return;
    this.setState('WAITING_ON_PARENTS');
    void this.run().then(this.resolveDone, (error: unknown) => {
      // run() handles every error it expects; this is a bug guard, not a path.
      this.logger.error('shard worker crashed', { error });
      this.resolveDone({ reason: 'stopped-on-error', error });
    });
  }

  /** Graceful: finish the batch in flight, call `shutdownRequested`, then done. */
  requestShutdown(): Promise<ShardWorkerOutcome> {
    this.shutdownWanted = true;
    this.stopping.abort();
    if (this.current === 'CREATED') this.finishUnstarted({ reason: 'shutdown' });
    return this.done;
  }

  /** The lease is gone: stop at once, call `leaseLost`; checkpoints reject with KT_LEASE_LOST. */
  leaseLost(): Promise<ShardWorkerOutcome> {
    this.markLost();
    if (this.current === 'CREATED') this.finishUnstarted({ reason: 'lease-lost' });
    return this.done;
  }

  /** Hard stop (the KCL's `Scheduler.shutdown()`): as a lost lease, awaited. */
  stop(): Promise<ShardWorkerOutcome> {
    return this.leaseLost();
  }

  private markLost(): void {
    if (this.lost) return;
    this.lost = true;
    this.checkpointer.revoke('the lease was lost');
    this.hard.abort();
    this.stopping.abort();
    this.events.emit('leaseLost', { shardId: this.shardId });
  }

  private finishUnstarted(outcome: ShardWorkerOutcome): void {
    this.checkpointer.revoke('the worker is done');
    this.setState('DONE');
    this.resolveDone(outcome);
  }

  private async run(): Promise<ShardWorkerOutcome> {
    try {
      if (this.p.checkpoint.isShardEnd || this.start_ === undefined) {
        // Already finished (KCL: straight to the SHARD_END shutdown, no processor calls).
        return { reason: 'shard-end' };
      }
      if (!(await this.waitForParents())) return await this.interrupted();
      this.setState('INITIALIZING');
      this.prefetcher = this.createPrefetcher(this.start_);
      this.prefetcher.start();
      const init = await this.initialize();
      if (init === 'interrupted') return await this.interrupted();
      if (init !== 'ok') {
        await this.prefetcher.stop();
        return await this.stopShard(init.error);
      }
      this.setState('PROCESSING');
      const end = await this.processLoop();
      await this.prefetcher.stop();
      if (end.kind === 'interrupted') return await this.interrupted();
      if (end.kind === 'stop-shard') return await this.stopShard(end.error);
      return await this.endShard(end.childShards);
    } finally {
      await this.prefetcher?.stop();
      this.checkpointer.revoke('the worker is done');
      this.setState('DONE');
    }
  }

  private waitForParents(): Promise<boolean> {
    const { parentsDone, onParentChange } = this.p;
    if (parentsDone === undefined) return Promise.resolve(true);
    return waitForParents({
      parentsDone,
      ...(onParentChange !== undefined && { onParentChange }),
      baseMs: this.config.parentPollIntervalMs,
      clock: this.clock,
      logger: this.logger,
      signal: this.stopping.signal,
    });
  }

  /**
   * Calls `initialize`, retrying with backoff; after `maxProcessorAttempts` failures the shard is
   * given up like a failing batch under 'stop-shard' (its lease released, retried later, other
   * workers first), since nothing can be processed without it. The KCL retries forever.
   */
  private async initialize(): Promise<'ok' | 'interrupted' | { readonly error: unknown }> {
    for (let attempt = 1; ; attempt++) {
      if (this.stopping.signal.aborted) return 'interrupted';
      const started = this.clock.monotonic();
      try {
        await this.p.processor.initialize({
          shardId: this.shardId,
          extendedSequenceNumber: this.p.checkpoint,
          ...(this.p.pendingCheckpoint && { pendingCheckpoint: this.p.pendingCheckpoint }),
          ...(this.p.pendingCheckpointState && {
            pendingCheckpointState: this.p.pendingCheckpointState,
          }),
        });
        this.timing(M.initializeTime, started, this.dims.initialize);
        this.initialized = true;
        return 'ok';
      } catch (error) {
        const willRetry = attempt < this.config.maxProcessorAttempts;
        this.reportProcessorError('initialize', error, attempt, willRetry);
        if (!willRetry) return { error };
        if (!(await this.backoff(attempt))) return 'interrupted';
      }
    }
  }

  private async processLoop(): Promise<
    | { kind: 'interrupted' }
    | { kind: 'stop-shard'; error: unknown }
    | { kind: 'shard-end'; childShards: readonly ChildShard[] }
  > {
    const prefetcher = this.prefetcher!;
    const ctx = this.deliveryContext();
    for (;;) {
      if (this.stopping.signal.aborted) return { kind: 'interrupted' };
      let batch;
      try {
        batch = await prefetcher.next(this.stopping.signal);
      } catch (error) {
        if (isAbortError(error)) continue;
        throw error;
      }
      // As the KCL: an empty last batch just ends the shard; other empty ones only on request.
      const deliver =
        batch.records.length > 0 ||
        (batch.shardEnd === undefined && this.config.callProcessRecordsEvenForEmptyRecordList);
      if (deliver && this.p.leaseValid?.() === false) {
        // The batch waited through a stall longer than the failover time: never hand it over.
        this.markLost();
        return { kind: 'interrupted' };
      }
      if (deliver) {
        const result = await deliverBatch(ctx, batch);
        if (result.kind === 'lease-lost') this.markLost();
        if (result.kind === 'lease-lost' || result.kind === 'interrupted') {
          return { kind: 'interrupted' };
        }
        if (result.kind === 'stop-shard') return result;
      }
      if (batch.shardEnd !== undefined) {
        return { kind: 'shard-end', childShards: batch.shardEnd.childShards };
      }
    }
  }

  /** Children first (the coordinator's callback), then `shardEnded`, which must checkpoint. */
  private async endShard(childShards: readonly ChildShard[]): Promise<ShardWorkerOutcome> {
    this.setState('SHARD_END');
    for (let attempt = 1; ; attempt++) {
      try {
        await this.p.onShardEnd(childShards);
        break;
      } catch (error) {
        // Stopped meanwhile (the owner dropped the lease, say): no retry to report.
        if (this.stopping.signal.aborted) return this.interrupted();
        this.reportProcessorError('onShardEnd', error, attempt, true);
        if (!(await this.backoff(attempt))) return this.interrupted();
      }
    }
    const checkpointer = this.checkpointer;
    const lastDelivered = checkpointer.largestPermittedCheckpoint;
    // Only now (children exist) may checkpointing the last record turn into SHARD_END.
    checkpointer.markShardEnd(lastDelivered);
    for (let attempt = 1; ; attempt++) {
      if (this.stopping.signal.aborted) {
        restorePermitted(checkpointer, lastDelivered);
        return this.interrupted();
      }
      checkpointer.permitShardEnd();
      const started = this.clock.monotonic();
      let error: unknown;
      try {
        await this.p.processor.shardEnded({ checkpointer });
      } catch (e) {
        error = e;
      }
      this.timing(M.shutdownTime, started, this.dims.shutdown);
      if (error === undefined && checkpointer.lastCheckpoint.isShardEnd) break;
      if (this.lost || isLeaseLostError(error)) {
        this.markLost();
        return this.interrupted();
      }
      error ??= new KinesisKitError(
        'KT_CHECKPOINT',
        `the processor did not checkpoint at the end of ${this.shardId}; shardEnded must call checkpointer.checkpoint()`,
        { context: { shardId: this.shardId } },
      );
      this.reportProcessorError('shardEnded', error, attempt, true);
      if (!(await this.backoff(attempt))) {
        restorePermitted(checkpointer, lastDelivered);
        return this.interrupted();
      }
    }
    this.events.emit('shardEnded', { shardId: this.shardId, childShards });
    this.logger.info('shard ended', { childShards: childShards.map((c) => c.shardId) });
    return { reason: 'shard-end' };
  }

  /** `'stop-shard'`: let the processor checkpoint what it finished, then hand the lease back. */
  private async stopShard(error: unknown): Promise<ShardWorkerOutcome> {
    if (!this.lost) {
      // The owner releases the lease once this worker is done (outcome `stopped-on-error`).
      if (this.initialized) await this.callShutdownRequested();
    } else if (this.initialized) {
      await this.callLeaseLost();
    }
    return this.lost ? { reason: 'lease-lost' } : { reason: 'stopped-on-error', error };
  }

  /** After a stop request: tell the processor why, by the KCL's rules. */
  private async interrupted(): Promise<ShardWorkerOutcome> {
    await this.prefetcher?.stop();
    if (this.lost) {
      this.setState('LEASE_LOST');
      if (this.initialized) await this.callLeaseLost();
      return { reason: 'lease-lost' };
    }
    this.setState('SHUTDOWN_REQUESTED');
    if (this.initialized) await this.callShutdownRequested();
    return { reason: 'shutdown' };
  }

  private async callShutdownRequested(): Promise<void> {
    const started = this.clock.monotonic();
    try {
      await this.p.processor.shutdownRequested({ checkpointer: this.checkpointer });
    } catch (error) {
      if (isLeaseLostError(error)) this.markLost();
      this.reportProcessorError('shutdownRequested', error, 1, false);
    }
    this.timing(M.shutdownTime, started, this.dims.shutdown);
  }

  private async callLeaseLost(): Promise<void> {
    try {
      await this.p.processor.leaseLost();
    } catch (error) {
      this.reportProcessorError('leaseLost', error, 1, false);
    }
  }

  private reportProcessorError(
    phase: ProcessorPhase,
    error: unknown,
    attempt: number,
    willRetry: boolean,
  ): void {
    this.events.emit('processorError', { shardId: this.shardId, phase, error, attempt, willRetry });
    this.logger.error(`${phase} failed`, { attempt, willRetry, error });
  }

  /** Waits before retry `attempt`; false when a stop interrupted the wait. */
  private backoff(attempt: number): Promise<boolean> {
    const delay = computeBackoff(attempt - 1, this.config.processorRetryBackoff, this.random);
    return interruptibleSleep(this.deliveryContext(), delay);
  }

  private deliveryContext(): DeliveryContext {
    return {
      shardId: this.shardId,
      processor: this.p.processor,
      checkpointer: this.checkpointer,
      config: this.config,
      clock: this.clock,
      random: this.random,
      events: this.events,
      logger: this.logger,
      metrics: this.metrics,
      dimensions: this.dims.process,
      processorSignal: this.hard.signal,
      stopSignal: this.stopping.signal,
    };
  }

  private createPrefetcher(start: IteratorPosition): Prefetcher {
    const { shardId, events, logger, metrics } = this;
    const dimensions = this.dims.process;
    const observer: PrefetcherObserver = {
      throttled(consecutive, delayMs, error) {
        metrics.record({ name: M.readThrottled, value: 1, unit: 'Count', dimensions });
        events.emit('readThrottled', { shardId, consecutive, delayMs });
        // As the KCL's ThrottlingReporter: quiet at first, loud when it persists.
        if (consecutive >= 5) logger.warn('reads throttled', { consecutive, delayMs, error });
        else logger.debug('read throttled', { consecutive, delayMs });
      },
      iteratorExpired(restartFrom) {
        events.emit('iteratorExpired', { shardId, restartFrom });
        logger.info('shard iterator expired; restarting', { restartFrom });
      },
      retrievalError(error, consecutive, delayMs) {
        events.emit('retrievalError', { shardId, error, consecutive, delayMs });
        logger.warn('reading the shard failed', { consecutive, delayMs, error });
      },
    };
    const open = this.p.batchSources ?? pollingSources(this.p.reader);
    const { config, clock, random } = this;
    const context: ShardReadContext = {
      config,
      clock,
      random,
      metrics,
      dimensions,
      logger,
      observer,
    };
    return new Prefetcher({
      ...context,
      shardId,
      source: open({ ...context, shardId, start }),
      resumeAfter: this.p.checkpoint,
      hashRange: toHashKeyRange(this.p.hashKeyRange),
    });
  }

  private timing(name: string, started: number, dimensions: MetricDimensions): void {
    const value = this.clock.monotonic() - started;
    this.metrics.record({ name, value, unit: 'Milliseconds', dimensions });
  }

  private setState(to: ShardWorkerState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.events.emit('stateChange', { shardId: this.shardId, from, to });
  }
}

/**
 * Where a lease checkpoint starts reading (kcl.md §1.4): digits → AT_SEQUENCE_NUMBER (then the
 * checkpointed (sub)records are filtered), sentinels → their iterator type; undefined for
 * SHARD_END (nothing left to read).
 * @internal
 */
export function startPosition(
  checkpoint: ExtendedSequenceNumber,
  timestamp: Date | undefined,
): IteratorPosition | undefined {
  switch (checkpoint.sequenceNumber) {
    case 'SHARD_END':
      return undefined;
    case 'TRIM_HORIZON':
      return { type: 'TRIM_HORIZON' };
    case 'LATEST':
      return { type: 'LATEST' };
    case 'AT_TIMESTAMP':
      if (timestamp === undefined) {
        throw new ConfigurationError('shard worker', [
          {
            field: 'initialPositionTimestamp',
            message:
              'required: the lease checkpoint is AT_TIMESTAMP and the table does not store the time',
          },
        ]);
      }
      return { type: 'AT_TIMESTAMP', timestamp };
    default:
      return { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: checkpoint.sequenceNumber };
  }
}
