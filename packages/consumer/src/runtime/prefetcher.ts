/**
 * Polling retrieval for one shard: a loop that reads ahead of the processor into a bounded queue
 * (batches and bytes), so GetRecords latency overlaps processing. It owns the shard iterator:
 * `ExpiredIteratorException` (and `InvalidArgumentException`, as the KCL) restart it
 * `AFTER_SEQUENCE_NUMBER` of the last record read, so nothing is lost or read twice; throttling
 * backs off with full jitter by consecutive throttles (the KCL does not, issue #539).
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
import type { GetRecordsResult, IteratorPosition, ShardReader } from '../retrievalPorts.js';
import { ResumeFilter, appendUserRecords } from './recordBatch.js';
import { Notifier } from './notifier.js';
import type { ShardWorkerOptions } from './shardWorkerOptions.js';

const ITERATOR_RESET_AFTER_FAILURES = 3;

/** One GetRecords worth of user records, ready for the processor. */
export interface PrefetchedBatch {
  readonly records: ConsumerRecord[];
  readonly millisBehindLatest: number | undefined;
  /** Bytes of the raw records (what the prefetch budget counts). */
  readonly rawBytes: number;
  /** Set on the last batch of a closed (or vanished) shard. */
  readonly shardEnd?: { readonly childShards: readonly ChildShard[] };
}

/** Things the worker reports as events and logs. */
export interface PrefetcherObserver {
  throttled(consecutive: number, delayMs: number, error: unknown): void;
  iteratorExpired(restartFrom: IteratorPosition): void;
  retrievalError(error: unknown, consecutive: number, delayMs: number): void;
}

export interface PrefetcherOptions {
  readonly shardId: string;
  readonly reader: ShardReader;
  readonly start: IteratorPosition;
  /** Records at or before this are dropped (resume from a checkpoint). */
  readonly resumeAfter: ExtendedSequenceNumber | undefined;
  readonly hashRange: HashKeyRange | undefined;
  readonly config: ShardWorkerOptions;
  readonly clock: Clock;
  readonly random: () => number;
  readonly metrics: MetricsSink;
  readonly dimensions: MetricDimensions;
  readonly logger: Logger;
  readonly observer: PrefetcherObserver;
}

/** @internal */
export class Prefetcher {
  private readonly queue: PrefetchedBatch[] = [];
  private queuedBytes = 0;
  private ended = false;
  private iterator: string | undefined;
  private lastSequenceNumber: string | undefined;
  private lastReadStartedAt = Number.NEGATIVE_INFINITY;
  private throttles = 0;
  private failures = 0;
  private readonly filter: ResumeFilter;
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

  /** Stops reading and waits for the call in flight. Queued batches stay readable. */
  stop(): Promise<void> {
    return this.task.stop();
  }

  /** The next batch, waiting for one; rejects with an AbortError when `signal` aborts. */
  async next(signal: AbortSignal): Promise<PrefetchedBatch> {
    for (;;) {
      const batch = this.queue.shift();
      if (batch !== undefined) {
        this.queuedBytes -= batch.rawBytes;
        this.spaceFreed.notify();
        return batch;
      }
      await this.dataReady.wait(signal);
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
      this.iterator ??= await this.newIterator(signal);
      this.lastReadStartedAt = this.o.clock.monotonic();
      const result = await this.getRecords(this.iterator, signal);
      this.throttles = 0;
      this.failures = 0;
      return this.accept(result);
    } catch (error) {
      if (isAbortError(error) && signal.aborted) throw error;
      return this.onError(error);
    }
  }

  private async newIterator(signal: AbortSignal): Promise<string> {
    const position: IteratorPosition =
      this.lastSequenceNumber === undefined
        ? this.o.start
        : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastSequenceNumber };
    const started = this.o.clock.monotonic();
    let ok = false;
    try {
      const iterator = await this.o.reader.getShardIterator(this.o.shardId, position, { signal });
      ok = true;
      return iterator;
    } finally {
      this.recordCall('KinesisDataFetcher.getShardIterator', ok, started);
    }
  }

  private async getRecords(iterator: string, signal: AbortSignal): Promise<GetRecordsResult> {
    const started = this.o.clock.monotonic();
    let ok = false;
    try {
      const result = await this.o.reader.getRecords(iterator, this.o.config.maxRecords, { signal });
      ok = true;
      return result;
    } finally {
      this.recordCall('KinesisDataFetcher.getRecords', ok, started);
    }
  }

  private accept(result: GetRecordsResult): number {
    const raw = result.records;
    let rawBytes = 0;
    for (const r of raw) rawBytes += r.data.length;
    if (raw.length > 0) this.lastSequenceNumber = raw[raw.length - 1]!.sequenceNumber;
    const records: ConsumerRecord[] = [];
    appendUserRecords(raw, this.o.hashRange, this.filter, records);
    if (result.millisBehindLatest !== undefined) {
      this.o.metrics.record({
        name: 'MillisBehindLatest',
        value: result.millisBehindLatest,
        unit: 'Milliseconds',
        dimensions: this.o.dimensions,
      });
    }
    const closed = result.nextShardIterator === undefined;
    if (closed && (result.childShards?.length ?? 0) === 0) {
      // The KCL treats "no next iterator and no children" as an invalid answer and retries it.
      this.iterator = undefined;
      this.push({ records, millisBehindLatest: result.millisBehindLatest, rawBytes });
      return this.onError(
        new Error('GetRecords returned neither a next iterator nor child shards'),
      );
    }
    this.iterator = result.nextShardIterator;
    const batch: PrefetchedBatch = closed
      ? {
          records,
          millisBehindLatest: result.millisBehindLatest,
          rawBytes,
          shardEnd: { childShards: result.childShards ?? [] },
        }
      : { records, millisBehindLatest: result.millisBehindLatest, rawBytes };
    this.push(batch);
    if (closed) this.ended = true;
    if (raw.length === 0) return this.o.config.idleTimeBetweenReadsMs;
    // A full batch, or one from a shard we are behind on (a batch cut short by the response
    // byte cap, typical with KPL aggregates), is followed at once: pacing only makes sense near
    // the tip, and the service's 2 MiB/s read limit bounds a catch-up anyway (throttles back off).
    if (raw.length >= this.o.config.maxRecords) return 0;
    if ((result.millisBehindLatest ?? 0) > 0) return 0;
    const sinceStart = this.o.clock.monotonic() - this.lastReadStartedAt;
    return Math.max(0, this.o.config.minTimeBetweenReadsMs - sinceStart);
  }

  private push(batch: PrefetchedBatch): void {
    // Empty batches are only worth queueing when they carry the shard end or must be delivered.
    if (
      batch.records.length === 0 &&
      batch.shardEnd === undefined &&
      !this.o.config.callProcessRecordsEvenForEmptyRecordList
    ) {
      return;
    }
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
        records: [],
        millisBehindLatest: undefined,
        rawBytes: 0,
        shardEnd: { childShards: [] },
      });
      return 0;
    }
    if (
      isRetrievalError(error, 'expired-iterator') ||
      isRetrievalError(error, 'invalid-argument')
    ) {
      const expired = isRetrievalError(error, 'expired-iterator');
      this.iterator = undefined;
      if (expired) {
        this.o.metrics.record({
          name: 'ExpiredIterator',
          value: 1,
          unit: 'Count',
          dimensions: this.o.dimensions,
        });
        observer.iteratorExpired(this.restartPosition());
        return 0;
      }
    }
    if (isRetrievalError(error, 'throttled')) {
      this.throttles += 1;
      const delay = computeBackoff(this.throttles - 1, config.throttleBackoff, random);
      observer.throttled(this.throttles, delay, error);
      return Math.max(delay, 1);
    }
    this.failures += 1;
    // The iterator itself may be what fails (an emulator answers a bad one with a 500): after a
    // few failures in a row, start again from a fresh one after the last record read.
    if (this.failures >= ITERATOR_RESET_AFTER_FAILURES) this.iterator = undefined;
    const delay = computeBackoff(this.failures - 1, config.retrievalErrorBackoff, random);
    observer.retrievalError(error, this.failures, delay);
    return Math.max(delay, 1);
  }

  private restartPosition(): IteratorPosition {
    return this.lastSequenceNumber === undefined
      ? this.o.start
      : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastSequenceNumber };
  }

  private async idleForever(signal: AbortSignal): Promise<undefined> {
    // The shard ended: nothing more to read; park until stopped.
    await new Notifier().wait(signal);
    return undefined;
  }

  private recordCall(prefix: string, ok: boolean, started: number): void {
    const dimensions = this.o.dimensions;
    this.o.metrics.record({
      name: `${prefix}.Success`,
      value: ok ? 1 : 0,
      unit: 'Count',
      dimensions,
    });
    this.o.metrics.record({
      name: `${prefix}.Time`,
      value: this.o.clock.monotonic() - started,
      unit: 'Milliseconds',
      dimensions,
    });
  }
}
