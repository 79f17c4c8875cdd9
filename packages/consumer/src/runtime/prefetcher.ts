/**
 * Reads one shard ahead of its processor into a bounded queue (batches and bytes), so read latency
 * overlaps processing, from whichever {@link ShardBatchSource} the worker opened (polling or
 * fan-out). The queue bound is the flow control: while it is full no batch is asked for, so a
 * fan-out subscription pulls no more events and a slow processor is backpressure, not memory
 * growth. Read errors back off here, by kind: throttling with full jitter by consecutive throttles
 * (the KCL does not, issue #539), an expired iterator at once (the source restarted it), anything
 * else with the retrieval backoff; a vanished shard (`shard-not-found`) ends the shard with no
 * children, as the KCL reads it.
 */
import { Task, computeBackoff, isAbortError } from '@kinesis-kit/common';
import type {
  Clock,
  ExtendedSequenceNumber,
  HashKeyRange,
  Logger,
  MetricDimensions,
  MetricsSink,
} from '@kinesis-kit/common';
import type { ChildShard } from '../ports.js';
import type { ConsumerRecord } from '../processor.js';
import { isRetrievalError } from '../retrievalPorts.js';
import type {
  IteratorPosition,
  RawRecord,
  ShardBatch,
  ShardBatchSource,
} from '../retrievalPorts.js';
import { ResumeFilter, UserRecordSlicer, dataBytesOf } from './recordBatch.js';
import { Notifier } from './notifier.js';
import type { ShardWorkerOptions } from './shardWorkerOptions.js';

/**
 * One batch for the processor: the user records of one read (GetRecords answer or SubscribeToShard
 * event), or a slice of them (`maxRecordsPerBatch`).
 */
export interface PrefetchedBatch {
  readonly records: ConsumerRecord[];
  /** The records' data bytes (DataBytesProcessed). */
  readonly dataBytes: number;
  readonly millisBehindLatest: number | undefined;
  /** Set on the last batch of a closed (or vanished) shard. */
  readonly shardEnd?: { readonly childShards: readonly ChildShard[] };
}

/** Things the worker reports as events and logs. */
export interface PrefetcherObserver {
  throttled(consecutive: number, delayMs: number, error: unknown): void;
  iteratorExpired(restartFrom: IteratorPosition): void;
  retrievalError(error: unknown, consecutive: number, delayMs: number): void;
}

/**
 * What reading a shard needs from its worker: the worker's settings, its clock and randomness,
 * and where it reports. Shared by the prefetcher and the batch source it reads from.
 * @internal
 */
export interface ShardReadContext {
  readonly config: ShardWorkerOptions;
  readonly clock: Clock;
  readonly random: () => number;
  readonly metrics: MetricsSink;
  readonly dimensions: MetricDimensions;
  readonly logger: Logger;
  readonly observer: PrefetcherObserver;
}

export interface PrefetcherOptions extends ShardReadContext {
  readonly shardId: string;
  readonly source: ShardBatchSource;
  /** Records at or before this are dropped (resume from a checkpoint). */
  readonly resumeAfter: ExtendedSequenceNumber | undefined;
  readonly hashRange: HashKeyRange | undefined;
}

/**
 * A read as it waits in the queue: the raw records, turned into user records (deaggregated,
 * filtered) only when the batch is taken. A queued KPL aggregate is one object and its bytes;
 * deaggregated it is one object and one view per user record (~70 000 for a 10 MiB answer), which
 * would sit in the heap for as long as the batch waits and be copied by every young-generation
 * GC meanwhile. Taken just before delivery, they die young.
 */
interface QueuedBatch {
  readonly raw: readonly RawRecord[];
  readonly millisBehindLatest: number | undefined;
  readonly rawBytes: number;
  readonly shardEnd?: { readonly childShards: readonly ChildShard[] };
}

/** @internal */
export class Prefetcher {
  private readonly queue: QueuedBatch[] = [];
  private queuedBytes = 0;
  private ended = false;
  private throttles = 0;
  private failures = 0;
  private readonly filter: ResumeFilter;
  /** The read being handed over in slices, and how many of its slices were handed over. */
  private current: { queued: QueuedBatch; slicer: UserRecordSlicer; delivered: number } | undefined;
  private readonly dataReady = new Notifier();
  private readonly spaceFreed = new Notifier();
  private readonly task: Task;

  constructor(private readonly o: PrefetcherOptions) {
    this.filter = new ResumeFilter(o.resumeAfter);
    this.task = new Task({
      name: `prefetch ${o.shardId}`,
      tick: (s) => this.tick(s),
      clock: o.clock,
    });
  }

  start(): void {
    this.task.start();
  }

  /** Stops reading, waits for the read in flight and closes the source. Queued batches stay readable. */
  async stop(): Promise<void> {
    await this.task.stop();
    await this.o.source.close();
  }

  /**
   * The next batch, waiting for one; rejects with an AbortError when `signal` aborts. A read is
   * handed over in slices of at most `maxRecordsPerBatch` user records (one batch each), made
   * when taken; the last slice carries the shard end. An answer that filters down to nothing (all
   * at or before the resume checkpoint, or dropped by the hash-range check) is skipped unless it
   * ends the shard or empty batches are to be delivered; no empty slice is handed over otherwise.
   */
  async next(signal: AbortSignal): Promise<PrefetchedBatch> {
    for (;;) {
      let current = this.current;
      if (current === undefined) {
        const queued = this.queue.shift();
        if (queued === undefined) {
          await this.dataReady.wait(signal);
          continue;
        }
        this.queuedBytes -= queued.rawBytes;
        this.spaceFreed.notify();
        const slicer = new UserRecordSlicer(
          queued.raw,
          this.o.config.maxRecordsPerBatch,
          this.o.hashRange,
          this.filter,
        );
        current = { queued, slicer, delivered: 0 };
        this.current = current;
      }
      const { queued, slicer } = current;
      const { records, dataBytes } = slicer.take();
      const last = slicer.done;
      if (last) this.current = undefined;
      const shardEnd = last ? queued.shardEnd : undefined;
      if (records.length === 0 && shardEnd === undefined) {
        // Only ever a last slice (the rest was filtered out): handed over only when the read gave
        // no batch yet and empty ones are worth delivering (push's rule). One with the shard end
        // always is.
        if (current.delivered > 0 || !this.worthDelivering(0, undefined)) continue;
      }
      current.delivered += 1;
      const { millisBehindLatest } = queued;
      return shardEnd === undefined
        ? { records, dataBytes, millisBehindLatest }
        : { records, dataBytes, millisBehindLatest, shardEnd };
    }
  }

  /** One step of the loop; returns how long to wait before the next. Never throws but aborts. */
  private async tick(signal: AbortSignal): Promise<number | undefined> {
    const config = this.o.config;
    if (this.ended) return this.idleForever(signal);
    if (
      this.queue.length >= config.maxPrefetchBatches ||
      this.queuedBytes >= config.maxPrefetchBytes
    ) {
      await this.spaceFreed.wait(signal);
      return undefined;
    }
    try {
      const batch = await this.o.source.next(signal);
      this.throttles = 0;
      this.failures = 0;
      this.accept(batch);
      return undefined;
    } catch (error) {
      if (isAbortError(error) && signal.aborted) throw error;
      return this.onError(error);
    }
  }

  private accept(batch: ShardBatch): void {
    const raw = batch.records;
    const rawBytes = batch.dataBytes ?? dataBytesOf(raw);
    if (batch.millisBehindLatest !== undefined) {
      this.o.metrics.record({
        name: 'MillisBehindLatest',
        value: batch.millisBehindLatest,
        unit: 'Milliseconds',
        dimensions: this.o.dimensions,
      });
    }
    const base = { raw, millisBehindLatest: batch.millisBehindLatest, rawBytes };
    if (batch.childShards !== undefined) {
      this.ended = true;
      this.push({ ...base, shardEnd: { childShards: batch.childShards } });
    } else {
      this.push(base);
    }
  }

  /** An empty batch is only worth queueing or handing over when it ends the shard or must be delivered. */
  private worthDelivering(records: number, shardEnd: QueuedBatch['shardEnd']): boolean {
    return (
      records > 0 ||
      shardEnd !== undefined ||
      this.o.config.callProcessRecordsEvenForEmptyRecordList
    );
  }

  private push(batch: QueuedBatch): void {
    if (!this.worthDelivering(batch.raw.length, batch.shardEnd)) return;
    this.queue.push(batch);
    this.queuedBytes += batch.rawBytes;
    this.dataReady.notify();
  }

  private onError(error: unknown): number {
    const { config, observer, random } = this.o;
    if (isRetrievalError(error, 'shard-not-found')) {
      // The KCL's reading: the shard is gone (deleted, or trimmed after it closed) = shard end
      // with no known children.
      this.ended = true;
      this.push({
        raw: [],
        millisBehindLatest: undefined,
        rawBytes: 0,
        shardEnd: { childShards: [] },
      });
      return 0;
    }
    // The source restarted its iterator (and reported it): read again at once.
    if (isRetrievalError(error, 'expired-iterator')) return 0;
    if (isRetrievalError(error, 'throttled')) {
      this.throttles += 1;
      const delay = computeBackoff(this.throttles - 1, config.throttleBackoff, random);
      observer.throttled(this.throttles, delay, error);
      return Math.max(delay, 1);
    }
    this.failures += 1;
    const delay = computeBackoff(this.failures - 1, config.retrievalErrorBackoff, random);
    observer.retrievalError(error, this.failures, delay);
    return Math.max(delay, 1);
  }

  private async idleForever(signal: AbortSignal): Promise<undefined> {
    // The shard ended: nothing more to read; park until stopped.
    await new Notifier().wait(signal);
    return undefined;
  }
}
