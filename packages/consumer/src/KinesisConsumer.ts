/**
 * `KinesisConsumer`: the KCL for TypeScript. Workers share a stream's shards through leases in a
 * DynamoDB table compatible with the Java KCL's, follow resharding parent-first, and checkpoint
 * by sequence and sub-sequence number. This class only wires the parts together and owns the
 * lifecycle; the logic lives in `core/` (pure) and `runtime/`.
 */
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ClosedError,
  KinesisKitError,
  TypedEmitter,
  childLogger,
  systemClock,
} from '@kinesis-kit/common';
import type { Clock, Logger } from '@kinesis-kit/common';
import { DynamoLeaseStore } from './adapters/dynamoLeaseStore.js';
import { KinesisShardReader } from './adapters/kinesisReader.js';
import { ShardLister } from './adapters/shardLister.js';
import { StreamResolver } from './adapters/streamResolver.js';
import type { ResolvedStream } from './adapters/streamResolver.js';
import type { InitialPosition } from './core/shardSync.js';
import { parseStreamArn } from './core/streamIdentifier.js';
import { activeOwners, decideFleetMode } from './core/leaseMode.js';
import type { KinesisConsumerEvents } from './events.js';
import { resolveConsumerOptions } from './options.js';
import type { KinesisConsumerOptions, ResolvedConsumerOptions } from './options.js';
import type { LeaseStore } from './ports.js';
import { processorFromHandler } from './processor.js';
import { LeaseCoordinator } from './runtime/leaseCoordinator.js';
import { startFanOut } from './runtime/fanOutRetrieval.js';
import type { ShardBatchSourceFactory } from './runtime/batchSources.js';
import { MultiStreamSet } from './runtime/multiStreamSet.js';
import { FORWARDED_SCHEDULER_EVENTS, Scheduler } from './runtime/scheduler.js';
import { retryStart } from './runtime/startRetry.js';
import type { ShardWorkerEvents } from './runtime/shardWorkerEvents.js';
import { singleStreamSet } from './runtime/streamSet.js';
import type { StreamBinding, StreamSet } from './runtime/streamSet.js';

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/** The worker refuses to join a lease table another fleet coordinates differently. @public */
export class FleetConflictError extends KinesisKitError {
  constructor(
    message: string,
    readonly liveWorkers: readonly string[],
  ) {
    super('KT_CONFIG', message, { context: { liveWorkers } });
  }
}

/**
 * A Kinesis consumer worker. Run as many as you like, in one process or many: they share the
 * shards through the lease table.
 * @public
 * @example
 * ```ts
 * const consumer = new KinesisConsumer({
 *   streamName: 'orders',
 *   applicationName: 'order-indexer',
 *   initialPosition: 'TRIM_HORIZON',
 *   handler: async (records, { shardId }) => { for (const r of records) await index(r); },
 * });
 * await consumer.start();
 * process.once('SIGTERM', () => void consumer.stop());
 * ```
 */
export class KinesisConsumer {
  readonly events = new TypedEmitter<KinesisConsumerEvents>();
  readonly workerId: string;
  private readonly options: ResolvedConsumerOptions;
  private readonly kinesis: KinesisClient;
  private readonly dynamo: DynamoDBClient;
  private readonly ownsKinesis: boolean;
  private readonly ownsDynamo: boolean;
  private readonly store: LeaseStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private state: State = 'new';
  private scheduler: Scheduler | undefined;
  private coordinator: LeaseCoordinator | undefined;
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private readonly startAbort = new AbortController();

  constructor(options: KinesisConsumerOptions) {
    this.options = resolveConsumerOptions(options);
    this.workerId = this.options.workerId;
    this.clock = this.options.clock ?? systemClock;
    this.log = childLogger(this.options.logger, { workerId: this.workerId });
    this.ownsKinesis = options.kinesisClient === undefined;
    this.kinesis = options.kinesisClient ?? new KinesisClient(options.kinesisClientConfig ?? {});
    this.ownsDynamo = options.dynamoDBClient === undefined;
    this.dynamo = options.dynamoDBClient ?? new DynamoDBClient(options.dynamoDBClientConfig ?? {});
    this.store = new DynamoLeaseStore({
      client: this.dynamo,
      tableName: this.options.tableName,
      coordinatorStateTableName: `${this.options.applicationName}-CoordinatorState`,
      workerMetricsTableName: `${this.options.applicationName}-WorkerMetricStats`,
      logger: this.log,
    });
  }

  /** The lease table name. */
  get tableName(): string {
    return this.options.tableName;
  }

  /** Shard ids this worker is processing now. */
  processingShardIds(): string[] {
    return this.scheduler?.processingShardIds() ?? [];
  }

  /** Lease keys of the shards being processed now (`account:stream:epoch:shardId` in multi-stream). */
  processingLeaseKeys(): string[] {
    return this.scheduler?.processingLeaseKeys() ?? [];
  }

  /** Lease keys this worker holds now (including finished shards awaiting cleanup). */
  heldLeaseKeys(): string[] {
    return this.coordinator?.heldLeases().map((l) => l.leaseKey) ?? [];
  }

  /**
   * Creates the lease table if needed, checks that no Java KCL 3.x fleet runs on it, creates the
   * leases for the stream's shards and starts taking and processing them. Resolves once running.
   */
  start(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') {
      return Promise.reject(new ClosedError('KinesisConsumer'));
    }
    this.startPromise ??= retryStart(
      async () => {
        // A failed attempt's scheduler (never started, or half started) goes first.
        await this.scheduler?.abort().catch(() => undefined);
        await this.doStart();
      },
      {
        clock: this.clock,
        random: this.options.random,
        signal: this.startAbort.signal,
        onRetry: (error) => this.events.emit('error', { operation: 'start', error }),
      },
    ).catch(async (error: unknown) => {
      this.state = 'stopped';
      await this.scheduler?.abort().catch(() => undefined);
      this.destroyClients();
      throw error;
    });
    return this.startPromise;
  }

  /**
   * Graceful stop: stop taking leases, let each processor finish its batch and handle
   * `shutdownRequested` (checkpoint there), then release every lease so other workers take the
   * shards at once. Idempotent; concurrent calls share one promise.
   */
  stop(): Promise<void> {
    this.stopPromise ??= (async () => {
      const wasStarting = this.state === 'starting';
      this.state = 'stopping';
      this.startAbort.abort();
      if (wasStarting) await this.startPromise?.catch(() => undefined);
      await this.scheduler?.stop();
      await this.options.metrics.flush?.().catch(() => undefined);
      this.destroyClients();
      this.state = 'stopped';
      this.events.emit('stopped', { workerId: this.workerId });
    })();
    return this.stopPromise;
  }

  private async doStart(): Promise<void> {
    this.state = 'starting';
    const signal = this.startAbort.signal;
    const o = this.options;
    await this.store.ensureTable({ signal });
    await this.checkFleet(signal);
    const streams = await this.streamSet(signal);
    const dims = { WorkerIdentifier: this.workerId };
    this.coordinator = new LeaseCoordinator({
      store: this.store,
      workerId: this.workerId,
      taker: {
        failoverTimeMs: o.failoverTimeMs,
        maxLeasesForWorker: o.maxLeasesForWorker,
        maxLeasesToStealAtOneTime: o.maxLeasesToStealAtOneTime,
        enablePriorityLeaseAssignment: true,
      },
      renewIntervalMs: o.leaseRenewIntervalMs,
      takerIntervalMs: o.leaseTakerIntervalMs,
      clock: this.clock,
      random: o.random,
      logger: this.log,
      metrics: o.metrics,
      metricDimensions: dims,
    });
    const workerEvents = new TypedEmitter<ShardWorkerEvents>();
    this.forwardEvents(workerEvents, this.coordinator);
    const createProcessor =
      o.processorFactory ??
      ((): ReturnType<typeof processorFromHandler> =>
        processorFromHandler(o.handler!, { clock: this.clock, ...o.handlerOptions }));
    this.scheduler = new Scheduler({
      store: this.store,
      coordinator: this.coordinator,
      streams,
      createProcessor,
      worker: o.worker,
      workerEvents,
      childInitialPosition: o.childInitialPosition,
      shardSyncIntervalMs: o.shardSyncIntervalMs,
      leaseCleanup: o.leaseCleanup,
      failoverTimeMs: o.failoverTimeMs,
      shutdownGraceMs: o.shutdownGraceMs,
      clock: this.clock,
      random: o.random,
      logger: this.log,
      metrics: o.metrics,
      metricDimensions:
        o.multiStream === undefined
          ? { StreamName: o.streamName ?? o.streamArn ?? '', ...dims }
          : dims,
    });
    this.scheduler.events.on('error', (e) => this.events.emit('error', e));
    for (const name of FORWARDED_SCHEDULER_EVENTS) {
      this.scheduler.events.on(name, (payload) => this.events.emit(name, payload as never));
    }
    await this.scheduler.start(signal);
    this.state = 'running';
    this.events.emit('started', { workerId: this.workerId });
  }

  /**
   * `retrieval: 'fanout'`: registers (or checks) the stream consumer and waits until it is ACTIVE,
   * before any lease is taken; undefined for polling.
   */
  private async fanOutSources(
    stream: { streamName: string | undefined; streamArn: string | undefined },
    signal: AbortSignal,
    /** Multi-stream: the stream's own consumer ARN (a consumer belongs to one stream). */
    consumerArn = this.options.consumerArn,
  ): Promise<ShardBatchSourceFactory | undefined> {
    const o = this.options;
    if (o.retrieval !== 'fanout') return undefined;
    const { sources } = await startFanOut(
      {
        client: this.kinesis,
        ...stream,
        consumerName: o.consumerName,
        consumerArn,
        reader: new KinesisShardReader(
          stream.streamArn !== undefined
            ? { client: this.kinesis, streamArn: stream.streamArn }
            : { client: this.kinesis, streamName: stream.streamName ?? '' },
        ),
        lister: new ShardLister(this.kinesis, stream),
        clock: this.clock,
        random: o.random,
        logger: this.log,
      },
      signal,
    );
    return sources;
  }

  /** Refuses a lease table that a live Java KCL 3.x fleet coordinates (see core/leaseMode.ts). */
  private async checkFleet(signal: AbortSignal): Promise<void> {
    const clientVersion = await this.store.getClientVersionState?.({ signal });
    if (clientVersion === undefined) return;
    const heartbeats = (await this.store.listWorkerHeartbeats?.({ signal })) ?? [];
    const input = {
      clientVersion,
      heartbeats,
      nowEpochMs: this.clock.now(),
      workerId: this.workerId,
    };
    let decision = decideFleetMode(input);
    if (decision.decision === 'observe') {
      this.log.info(decision.reason);
      const first = await this.store.listLeases({ signal });
      await this.clock.sleep(this.options.failoverTimeMs, signal);
      const second = await this.store.listLeases({ signal });
      decision = decideFleetMode({
        ...input,
        nowEpochMs: this.clock.now(),
        activeLeaseOwners: activeOwners(first, second),
      });
    }
    if (decision.decision === 'refuse')
      throw new FleetConflictError(decision.message, decision.liveWorkers);
    if (decision.decision === 'join' && decision.warning) this.log.warn(decision.warning);
  }

  /** The stream (single-stream) or the tracked streams (multi-stream), each with its lister and reader. */
  private async streamSet(signal: AbortSignal): Promise<StreamSet> {
    const o = this.options;
    const bind = (
      stream: Partial<ResolvedStream> & { streamName: string },
      position: InitialPosition,
    ): StreamBinding => ({
      streamIdentifier: stream.streamIdentifier,
      streamName: stream.streamName,
      ...(stream.streamArn !== undefined && { streamArn: stream.streamArn }),
      lister: new ShardLister(this.kinesis, stream),
      reader: new KinesisShardReader(
        stream.streamArn !== undefined
          ? { client: this.kinesis, streamArn: stream.streamArn }
          : { client: this.kinesis, streamName: stream.streamName },
      ),
      initialPosition: position,
    });
    if (o.multiStream === undefined) {
      const streamArn = o.streamArn ?? (await this.describeStreamArn(signal));
      const streamName = o.streamName ?? parseStreamArn(streamArn ?? '')?.streamName ?? '';
      const binding = bind(
        { streamName, ...(streamArn !== undefined && { streamArn }) },
        o.initialPosition,
      );
      const batchSources = await this.fanOutSources(
        { streamName: o.streamName, streamArn },
        signal,
      );
      return singleStreamSet(batchSources === undefined ? binding : { ...binding, batchSources });
    }
    const region = await this.kinesis.config.region();
    return new MultiStreamSet({
      options: o.multiStream,
      initialPosition: o.initialPosition,
      resolver: new StreamResolver(this.kinesis, region),
      // With fan-out each stream registers its own stream consumer (named consumerName, as the
      // KCL names one per stream after the application), unless its spec gives a consumerArn.
      bind: async (stream, position, { consumerArn, signal: bindSignal }) => {
        const binding = bind(stream, position);
        const batchSources = await this.fanOutSources(
          stream,
          bindSignal ?? this.startAbort.signal,
          consumerArn,
        );
        return batchSources === undefined ? binding : { ...binding, batchSources };
      },
      clock: this.clock,
      logger: this.log,
      onError: (operation, error) => this.events.emit('error', { operation, error }),
    });
  }

  private async describeStreamArn(signal: AbortSignal): Promise<string | undefined> {
    const out = await this.kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: this.options.streamName }),
      { abortSignal: signal },
    );
    return out.StreamDescriptionSummary?.StreamARN;
  }

  private forwardEvents(
    workerEvents: TypedEmitter<ShardWorkerEvents>,
    coordinator: LeaseCoordinator,
  ): void {
    const names: (keyof ShardWorkerEvents)[] = [
      'stateChange',
      'processorError',
      'batchSkipped',
      'batchDeadLettered',
      'shardEnded',
      'leaseLost',
      'checkpointed',
      'readThrottled',
      'iteratorExpired',
      'retrievalError',
    ];
    for (const name of names) {
      if (name === 'leaseLost') continue;
      workerEvents.on(name, (payload) => this.events.emit(name, payload as never));
    }
    coordinator.events.on('leaseTaken', (e) => this.events.emit('leaseTaken', e));
    coordinator.events.on('leaseLost', (e) => this.events.emit('leaseLost', e));
    coordinator.events.on('error', (e) => this.events.emit('error', e));
  }

  private destroyClients(): void {
    // Only clients we created: a caller's client may be shared with the rest of its application.
    if (this.ownsKinesis) this.kinesis.destroy();
    if (this.ownsDynamo) this.dynamo.destroy();
  }
}
