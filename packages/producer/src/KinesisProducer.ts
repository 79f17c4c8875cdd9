/**
 * The producer: validates and accepts user records (bounded), groups them by predicted shard into
 * KPL aggregates, and runs the flush loop that turns them into PutRecords requests within each
 * shard's budget. Sending and the handling of results live in `dispatcher.ts`; routing and the
 * per-shard buffers in `bufferPool.ts`; the shard map in `shardMapKeeper.ts`.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  ClosedError,
  RecordAggregator,
  TypedEmitter,
  childLogger,
  isAbortError,
  noopMetricsSink,
  systemClock,
} from '@kinesis-kit/common';
import type { Listener, Logger } from '@kinesis-kit/common';
import { KinesisShardMapSource } from './adapters/shardMapSource.js';
import type { ShardMapSource } from './adapters/shardMapSource.js';
import { KinesisWriter } from './adapters/kinesisWriter.js';
import type { RecordWriter } from './adapters/kinesisWriter.js';
import { BufferPool } from './bufferPool.js';
import { Capacity, RECORD_OVERHEAD_BYTES } from './capacity.js';
import { BatchPlanner, SHARD_FLUSH_BYTES } from './core/batchPlanner.js';
import { BlockPool } from './core/blockPool.js';
import { RATE_LIMITER_DEFAULTS } from './core/rateLimiter.js';
import { rejectPut } from './core/records.js';
import type { PutSettler } from './core/records.js';
import type { PendingRecord, PutResult } from './core/records.js';
import { validateRecord } from './core/validate.js';
import type { UserRecordInput } from './core/validate.js';
import { Dispatcher } from './dispatcher.js';
import { BufferFullError, CloseTimeoutError, DeliveryFailedError } from './errors.js';
import type { ProducerEvents } from './events.js';
import { FlushTracker } from './flushTracker.js';
import type { Epoch } from './flushTracker.js';
import { MetricsRecorder } from './metrics/recorder.js';
import { SHARD_LIMITS, resolveProducerOptions } from './options.js';
import type { KinesisProducerOptions, ResolvedProducerOptions } from './options.js';
import { ShardMapKeeper } from './shardMapKeeper.js';

// Module-local copies of the functions called for every record: a transpiled or CommonJS import
// reads each through an export getter, which profiles of the put() path showed when V8 ran out of
// inlining budget in the larger callers.
const validate = validateRecord;
const SHARD_FULL_BYTES = SHARD_FLUSH_BYTES;

/** Options of one put(). @public */
export interface PutOptions {
  /** Aborts waiting for buffer room (not the delivery of an accepted record). */
  readonly signal?: AbortSignal;
}

/** Test seams: replace the AWS adapters. @internal */
export interface ProducerPorts {
  readonly writer?: RecordWriter;
  readonly shardMapSource?: ShardMapSource;
  /** Where aggregates are written (tests check that every block comes back). */
  readonly blocks?: BlockPool;
}

/**
 * A KPL for TypeScript.
 * @public
 * @example
 * ```ts
 * const producer = new KinesisProducer({ streamName: 'events', clientConfig: { region: 'eu-west-1' } });
 * const { shardId, sequenceNumber } = await producer.put({ partitionKey: 'user-1', data: 'hello' });
 * await producer.close();
 * ```
 */
export class KinesisProducer {
  private readonly opts: ResolvedProducerOptions;
  private readonly ownedClient: KinesisClient | undefined;
  private readonly emitter = new TypedEmitter<ProducerEvents>();
  private readonly logger: Logger;
  private readonly metrics: MetricsRecorder;
  private readonly pool: BufferPool;
  private readonly planner: BatchPlanner;
  private readonly capacity: Capacity;
  private readonly flushes = new FlushTracker();
  private readonly keeper: ShardMapKeeper;
  private readonly dispatcher: Dispatcher;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing: Promise<void> | undefined;
  private loopDone: Promise<void>;
  private wakeController: AbortController | undefined;
  private kicked = false;
  /** When the sleeping loop will wake by itself; a record due earlier wakes it sooner. */
  private scheduledWakeAt = 0;
  private lastExpirySweep = 0;
  private pendingTimer: ReturnType<typeof setInterval> | undefined;
  /**
   * The clock's monotonic time. For the system clock, performance.now bound once: the global
   * `performance` is a lazy getter in Node, read on every call of systemClock.monotonic, and
   * accept() reads the time for every record.
   */
  private readonly monotonic: () => number;

  constructor(options: KinesisProducerOptions, ports: ProducerPorts = {}) {
    const o = resolveProducerOptions(options);
    this.opts = o;
    this.monotonic =
      o.clock === systemClock ? performance.now.bind(performance) : () => o.clock.monotonic();
    this.logger = childLogger(o.logger, { component: 'KinesisProducer', stream: o.streamLabel });
    this.metrics = new MetricsRecorder(
      o.metricsSink,
      o.metricsLevel,
      o.metricsGranularity,
      o.streamLabel,
      o.metricsSink === noopMetricsSink,
    );
    const client =
      o.kinesisClient ?? (ports.writer && ports.shardMapSource ? undefined : buildClient(o));
    this.ownedClient = o.kinesisClient ? undefined : client;
    const target = { streamName: o.streamName, streamArn: o.streamArn };
    const writer = ports.writer ?? new KinesisWriter(client!, target);
    const source = ports.shardMapSource ?? new KinesisShardMapSource(client!, target);
    // Aggregates are written into reused blocks (why: core/blockPool.ts), released when the
    // dispatcher is done with their Kinesis record. Idle blocks are capped at a quarter of the
    // buffer bound: enough for the blocks one response frees before new aggregates take them.
    const blocks =
      ports.blocks ??
      new BlockPool({
        maxBlockBytes: o.aggregationMaxSize,
        maxIdleBytes: Math.floor(o.maxBufferedBytes / 4),
      });
    const allocate = (size: number): Buffer => blocks.acquire(size);
    this.pool = new BufferPool(
      o,
      () =>
        new RecordAggregator({
          maxBytes: o.aggregationMaxSize,
          maxCount: o.aggregationMaxCount,
          allocate,
        }),
      {
        ...RATE_LIMITER_DEFAULTS,
        recordsPerSecond: SHARD_LIMITS.recordsPerSecond,
        bytesPerSecond: SHARD_LIMITS.bytesPerSecond,
        ceiling: o.rateLimit / 100,
        // The bucket must hold the largest Kinesis record we may send in one go.
        burstMs: RATE_LIMITER_DEFAULTS.burstMs,
      },
      blocks,
    );
    this.planner = new BatchPlanner({
      maxEntries: o.collectionMaxCount,
      maxBytes: o.collectionMaxSize,
      preserveOrder: o.preserveOrder,
    });
    this.capacity = new Capacity(o.maxBufferedRecords, o.maxBufferedBytes);
    this.dispatcher = new Dispatcher({
      options: o,
      writer,
      pool: this.pool,
      metrics: this.metrics,
      emitter: this.emitter,
      logger: this.logger,
      settle: (record) => this.settled(record),
      settleAll: (records) => this.settledAll(records),
      wake: () => this.kick(),
      requestRefresh: (reason, observedAt) => this.keeper.request(reason, observedAt),
    });
    this.keeper = new ShardMapKeeper(source, o.clock, o.shardMapRefreshIntervalMs, {
      onMap: (router, reason) => {
        const now = o.clock.monotonic();
        const changed = this.pool.swap(router, now);
        this.dispatcher.reverify(now);
        this.emitter.emit('shardMapRefreshed', {
          openShards: router.openShardIds.length,
          changedShardIds: changed,
          reason,
        });
        this.kick();
      },
      onError: (error, failures, fatal) => this.onMapError(error, failures, fatal),
    });
    this.keeper.start();
    this.loopDone = this.runLoop();
    if (this.metrics.enabled && o.metricsLevel === 'detailed') {
      // The KPL samples its outstanding count every 200 ms.
      this.pendingTimer = setInterval(() => {
        this.metrics.stream('UserRecordsPending', this.capacity.records, 'Count');
      }, 200);
      this.pendingTimer.unref();
    }
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof ProducerEvents>(event: K, listener: Listener<ProducerEvents[K]>): () => void {
    return this.emitter.on(event, listener);
  }

  /** User records accepted and not yet settled (the KPL's getOutstandingRecordsCount). */
  get outstandingRecords(): number {
    return this.capacity.records;
  }

  /** Bytes (data + partition keys) of the outstanding records. */
  get outstandingBytes(): number {
    return this.userBytes();
  }

  /** The bound charges each record its size plus RECORD_OVERHEAD_BYTES; this is the size part. */
  private userBytes(): number {
    return this.capacity.bytes - this.capacity.records * RECORD_OVERHEAD_BYTES;
  }

  /**
   * Puts one user record. Resolves once it is durably in the stream, with its shard, sequence
   * number, index in its aggregate and number of attempts. Rejects with ValidationError /
   * RecordTooLargeError (bad input), BufferFullError (buffer full and `onBufferFull: 'reject'`),
   * RecordExpiredError, DeliveryFailedError, CloseTimeoutError, or ClosedError.
   */
  put(record: UserRecordInput, options?: PutOptions): Promise<PutResult> {
    // No `options = {}` default: it built an object on every call (56 bytes per record).
    // Fast path without the intermediate promise of offer() when there is room.
    if (this.state === 'open' && this.capacity.waiting === 0) {
      let valid;
      try {
        valid = validate(record, this.opts.maxRecordSizeBytes);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const charge = valid.sizeBytes + RECORD_OVERHEAD_BYTES;
      if (this.capacity.hasRoomNow(charge)) {
        this.capacity.take(charge);
        return this.accept(valid);
      }
    }
    return this.offer(record, options).then((o) => o.result);
  }

  /**
   * Like put(), in two steps: the outer promise resolves when the record is accepted into the
   * buffer (this is where backpressure waits), the inner one when it is in the stream.
   * @internal
   */
  offer(
    record: UserRecordInput,
    options?: PutOptions,
  ): Promise<{ readonly result: Promise<PutResult> }> {
    return this.admit(record, options, this.acceptWithPromise);
  }

  /**
   * Like offer(), for callers that need no promise per record (the Writable): the record settles
   * by calling `settle`, with its result or, on failure, a rejected promise (as rejectPut makes).
   * Resolves when the record is accepted. Why: a buffered record's promise, its resolve
   * function, and the caller's reaction and derived promise were about 260 of its 420 bytes of
   * heap (heap snapshot, Writable path). Records wait seconds when the stream is the bottleneck,
   * so these were promoted and freed only by full GCs; shared `settle` functions allocate none.
   * @internal
   */
  offerSettled(record: UserRecordInput, settle: PutSettler): Promise<void> {
    return this.admit(record, undefined, (valid) => {
      void this.enqueue(valid, settle); // undefined: with `settle` no promise is made
    });
  }

  private readonly acceptWithPromise = (valid: PendingRecord) => ({ result: this.accept(valid) });

  /** offer()'s admission: validates, takes room (or waits for it), then hands over to `take`. */
  private admit<T>(
    record: UserRecordInput,
    options: PutOptions | undefined,
    take: (valid: PendingRecord) => T,
  ): Promise<T> {
    if (this.state !== 'open') return Promise.reject(new ClosedError('KinesisProducer'));
    let valid;
    try {
      valid = validate(record, this.opts.maxRecordSizeBytes);
    } catch (error) {
      // validateRecord throws only ValidationError and RecordTooLargeError.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const size = valid.sizeBytes + RECORD_OVERHEAD_BYTES;
    if (this.capacity.hasRoomNow(size)) {
      this.capacity.take(size);
      return Promise.resolve(take(valid));
    }
    this.emitter.emit('bufferFull', {
      bufferedRecords: this.capacity.records,
      bufferedBytes: this.userBytes(),
    });
    if (this.opts.onBufferFull === 'reject') {
      return Promise.reject(
        new BufferFullError(this.capacity.records, this.userBytes(), {
          streamName: this.opts.streamLabel,
        }),
      );
    }
    return this.capacity.wait(size, options?.signal).then(() => {
      if (this.state !== 'open') {
        this.capacity.release(size);
        throw new ClosedError('KinesisProducer');
      }
      return take(valid);
    });
  }

  /**
   * Sends everything buffered now, ignoring `recordMaxBufferedTime` (the budgets still apply),
   * and resolves once every record accepted before the call has settled.
   */
  flush(): Promise<void> {
    const done = this.flushes.wait();
    this.kick();
    return done;
  }

  /**
   * Stops accepting, flushes, and waits up to `closeTimeoutMs`; records still not delivered then
   * are rejected with CloseTimeoutError. Idempotent: every call shares one promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Resolves when the producer has closed. */
  closed(): Promise<void> {
    return this.closing ?? new Promise(() => undefined);
  }

  private accept(record: PendingRecord): Promise<PutResult> {
    return this.enqueue(record, undefined)!;
  }

  /**
   * Accepts a record whose room is taken already. With `settle` (the Writable's), the record
   * settles through it and no promise is made; without, it gets a put() promise: its aggregate's
   * cohort's or its own (see promiseOf), which is returned.
   */
  private enqueue(
    record: PendingRecord,
    settle: PutSettler | undefined,
  ): Promise<PutResult> | undefined {
    // Whole milliseconds: a fractional time is a heap number, one allocation per time field of
    // every record; a millisecond less of buffering time and TTL changes nothing.
    const now = Math.floor(this.monotonic());
    // Set before the pool sees it: a record with its own settle function joins no cohort.
    if (settle !== undefined) record.resolve = settle;
    record.arrivedAt = now;
    record.expiresAt = now + this.opts.recordTtl;
    record.lastAttemptEnd = now;
    record.epoch = this.flushes.enter();
    if (this.metrics.enabled) this.metrics.stream('UserRecordsReceived', 1, 'Count');
    let sealed;
    let promise;
    try {
      sealed = this.pool.add(record, now);
    } catch (error) {
      // Not expected (the record was validated); never leave the promise pending.
      if (settle === undefined) promise = this.promiseOf(record);
      this.rejectRecord(record, error instanceof Error ? error : new Error(String(error)));
      return promise;
    }
    // Made before anything else can join the cohort (see Cohort.promise).
    if (settle === undefined) promise = this.promiseOf(record);
    if (
      (sealed > 0 && this.batchReady()) ||
      now + this.opts.recordMaxBufferedTime < this.scheduledWakeAt
    ) {
      this.kick();
    }
    return promise;
  }

  /**
   * The put() promise of a record just added: its aggregate's cohort's (see cohort.ts), or, for
   * a record that joined none, one of its own.
   */
  private promiseOf(record: PendingRecord): Promise<PutResult> {
    const cohort = record.cohort;
    if (cohort !== undefined) return cohort.promise();
    // One shared executor instead of a closure per record (see captureSettlers).
    const promise = new Promise<PutResult>(captureSettlers);
    record.resolve = capturedResolve;
    return promise;
  }

  /** A user record is about to settle: give back its room and its flush count. */
  private settled(record: PendingRecord): void {
    this.capacity.release(record.sizeBytes + RECORD_OVERHEAD_BYTES);
    this.flushes.leave(record.epoch as Epoch);
  }

  /** `settled` for many records: one release of room, one flush count per run of an epoch. */
  private settledAll(records: readonly PendingRecord[]): void {
    let bytes = 0;
    let epoch: unknown = undefined;
    let run = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      bytes += record.sizeBytes + RECORD_OVERHEAD_BYTES;
      if (record.epoch !== epoch) {
        if (run > 0) this.flushes.leave(epoch as Epoch, run);
        epoch = record.epoch;
        run = 0;
      }
      run += 1;
    }
    if (run > 0) this.flushes.leave(epoch as Epoch, run);
    this.capacity.release(bytes, records.length);
  }

  /** Settles a record with an error from here (not through the dispatcher). */
  private rejectRecord(record: PendingRecord, error: Error): void {
    this.settled(record);
    rejectPut(record, error);
  }

  /** True when the queued Kinesis records fill a request: worth waking the loop early. */
  private batchReady(): boolean {
    return (
      (this.pool.lastShard?.queuedBytes ?? 0) >= SHARD_FULL_BYTES ||
      this.pool.queuedCount >= this.opts.collectionMaxCount
    );
  }

  private kick(): void {
    this.kicked = true;
    const controller = this.wakeController;
    if (controller) {
      // Abort once: every abort() call builds a DOMException, which showed in profiles.
      this.wakeController = undefined;
      controller.abort();
    }
  }

  /** The flush loop: seal what is due, send what the budgets allow, sleep until the next event. */
  private async runLoop(): Promise<void> {
    const clock = this.opts.clock;
    while (this.state !== 'closed') {
      this.kicked = false;
      const now = clock.monotonic();
      let wakeAt: number;
      try {
        wakeAt = this.pump(now);
      } catch (error) {
        this.logger.error('flush loop failed', { error });
        wakeAt = now + 100;
      }
      if (this.kicked || wakeAt <= now) {
        // Yield to I/O so responses and new puts get in between two pumps.
        await new Promise<void>((r) => setImmediate(r));
        continue;
      }
      const controller = new AbortController();
      this.wakeController = controller;
      try {
        const ms = Math.max(1, Number.isFinite(wakeAt) ? wakeAt - now : 1000);
        this.scheduledWakeAt = now + ms;
        await clock.sleep(ms, controller.signal);
      } catch (error) {
        if (!isAbortError(error)) throw error;
      } finally {
        this.wakeController = undefined;
        this.scheduledWakeAt = 0;
      }
    }
  }

  /** One round of the loop; returns when it should run again. */
  private pump(now: number): number {
    const force = this.flushes.flushing || this.state === 'closing';
    if (now - this.lastExpirySweep >= 50) {
      this.lastExpirySweep = now;
      this.dispatcher.expire(now);
    }
    this.pool.sealDue(now, force);
    while (this.canSend() && !this.holdsForOrder()) {
      const batch = this.planner.plan(this.pool.shards, this.pool.limiterOf, now, force);
      if (!batch) break;
      this.dispatcher.send(batch, now);
    }
    // A response wakes the loop (and ends a hold for order).
    if (!this.canSend() || this.holdsForOrder()) return Number.POSITIVE_INFINITY;
    const next = this.planner.nextWakeAt(this.pool.shards, this.pool.limiterOf, now, force);
    // Expiry of waiting records is checked at least every second.
    return Math.min(next, now + 1000);
  }

  /**
   * preserveOrder: nothing is sent while a split shard's request is in flight, nor while a result
   * that landed on a shard the map does not know yet awaits its verdict: either may send records
   * again, and they must go before anything younger of their keys (found by the chaos suite).
   */
  private holdsForOrder(): boolean {
    return (
      this.opts.preserveOrder && (this.pool.holdsForOrder || this.dispatcher.awaitingVerdict > 0)
    );
  }

  /**
   * Room for another request: fewer than maxConcurrentRequests in flight, and fewer bytes than
   * maxInFlightBytes. A request in flight also holds its JSON body (base64: 4/3 of its size, see
   * adapters/putRecordsBody.ts); shards take 1 MiB/s each, so more in flight than a few round
   * trips' worth only waits on a slow endpoint.
   */
  private canSend(): boolean {
    return (
      this.dispatcher.inFlight < this.opts.maxConcurrentRequests &&
      this.dispatcher.inFlightBytes < this.opts.maxInFlightBytes
    );
  }

  private onMapError(error: unknown, failures: number, fatal: boolean): void {
    this.emitter.emit('shardMapError', { error, consecutiveFailures: failures });
    this.logger.warn('cannot list the shards of the stream', { error, failures, fatal });
    if (!fatal) return;
    // Access denied, stream not found: records that have no shard cannot go anywhere.
    const name = (error as { name?: unknown }).name;
    for (const record of this.pool.takeUnrouted()) {
      this.rejectRecord(
        record,
        new DeliveryFailedError(
          typeof name === 'string' ? name : 'ListShardsFailed',
          'the stream cannot be listed',
          record.failures ?? [],
          { cause: error, context: { streamName: this.opts.streamLabel } },
        ),
      );
    }
  }

  private async shutdown(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.capacity.rejectWaiters(new ClosedError('KinesisProducer'));
    const clock = this.opts.clock;
    const deadline = new AbortController();
    const timer = clock.sleep(this.opts.closeTimeoutMs, deadline.signal).then(
      () => true,
      () => false,
    );
    const drained = this.flushes.wait().then(() => false);
    this.kick();
    const timedOut = await Promise.race([drained, timer]);
    deadline.abort();
    if (timedOut) {
      const error = (record: PendingRecord): CloseTimeoutError =>
        new CloseTimeoutError(record.failures ?? [], { streamName: this.opts.streamLabel });
      for (const record of this.pool.takeAll()) this.rejectRecord(record, error(record));
      this.dispatcher.abandon((record) => error(record));
    }
    this.state = 'closed';
    this.kick();
    if (this.pendingTimer) clearInterval(this.pendingTimer);
    await this.keeper.stop();
    await this.loopDone;
    await this.dispatcher.idle();
    try {
      await this.opts.metricsSink.flush?.();
    } catch (error) {
      this.logger.warn('metrics flush failed', { error });
    }
    this.ownedClient?.destroy();
  }
}

/**
 * The executor of every put() promise. A promise executor runs synchronously inside
 * `new Promise`, so it can hand the resolve function over through a variable; a closure per
 * record (the usual `new Promise((resolve, reject) => ...)`) was one more allocation on the path
 * every record takes. The reject function is not kept (see PendingRecord.resolve).
 */
let capturedResolve: PutSettler = () => undefined;
function captureSettlers(resolve: PutSettler): void {
  capturedResolve = resolve;
}

/** The client we build from `clientConfig`: HTTP/1.1 keep-alive, sized pool, no SDK retries. */
function buildClient(o: ResolvedProducerOptions): KinesisClient {
  const config = o.clientConfig ?? {};
  const agentOptions = { keepAlive: true, maxSockets: o.maxConnections };
  return new KinesisClient({
    // Every retry is ours (per entry, with backoff, bounded by recordTtl), as the KPL sets the
    // SDK's retries to 0; SDK retries on top would multiply attempts and hide throttling.
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: o.connectTimeout,
      requestTimeout: o.requestTimeout,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
    ...config,
  });
}
