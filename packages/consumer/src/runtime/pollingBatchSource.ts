/**
 * Polling retrieval of one shard as a {@link ShardBatchSource}: GetShardIterator once, then
 * GetRecords, paced. It owns the shard iterator: `ExpiredIteratorException` (and
 * `InvalidArgumentException`, as the KCL) restart it `AFTER_SEQUENCE_NUMBER` of the last record
 * read, so nothing is lost or read twice. Errors are rethrown for the prefetcher to back off on.
 *
 * Pacing: after an empty answer wait `idleTimeBetweenReadsMs`; a full batch, or one from a shard we
 * are behind on (a batch cut short by the response byte cap, typical with KPL aggregates), is
 * followed at once; otherwise keep `minTimeBetweenReadsMs` between the starts of two reads, to stay
 * under the service's 5 reads per second per shard near the tip. In every case the next read waits
 * at least as long as the shard takes to serve the bytes just read (`shardReadBytesPerSecond`), so
 * a backlog is read at the shard's rate instead of by throttled calls and their jittered retries.
 */
import { isRetrievalError } from '../retrievalPorts.js';
import type {
  GetRecordsResult,
  IteratorPosition,
  ShardBatch,
  ShardBatchSource,
  ShardReader,
} from '../retrievalPorts.js';
import type { Clock, MetricDimensions, MetricsSink } from '@kinesis-kit/common';
import { dataBytesOf } from './recordBatch.js';
import type { ShardWorkerOptions } from './shardWorkerOptions.js';

const ITERATOR_RESET_AFTER_FAILURES = 3;
/**
 * Added to the byte-paced wait: the service counts from when it served the call, a little after we
 * started it. A read a hair early is throttled and retried with jitter, which costs far more.
 */
const BYTE_PACING_MARGIN_MS = 50;

/** @internal */
export interface PollingBatchSourceOptions {
  readonly shardId: string;
  readonly reader: ShardReader;
  readonly start: IteratorPosition;
  readonly config: Pick<
    ShardWorkerOptions,
    'maxRecords' | 'idleTimeBetweenReadsMs' | 'minTimeBetweenReadsMs' | 'shardReadBytesPerSecond'
  >;
  readonly clock: Clock;
  readonly metrics: MetricsSink;
  readonly dimensions: MetricDimensions;
  /** Told when an expired iterator is restarted (for the `iteratorExpired` event). */
  readonly onIteratorExpired?: (restartFrom: IteratorPosition) => void;
}

/** @internal */
export class PollingBatchSource implements ShardBatchSource {
  private iterator: string | undefined;
  private lastSequenceNumber: string | undefined;
  private nextReadAt = Number.NEGATIVE_INFINITY;
  private failures = 0;
  private pendingError: Error | undefined;

  constructor(private readonly o: PollingBatchSourceOptions) {}

  /** Where a new iterator starts: after the last record read, else the start position. */
  get position(): IteratorPosition {
    return this.lastSequenceNumber === undefined
      ? this.o.start
      : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastSequenceNumber };
  }

  async next(signal: AbortSignal): Promise<ShardBatch> {
    const pending = this.pendingError;
    if (pending !== undefined) {
      this.pendingError = undefined;
      throw pending;
    }
    const wait = this.nextReadAt - this.o.clock.monotonic();
    if (wait > 0) await this.o.clock.sleep(wait, signal);
    let result: GetRecordsResult;
    let startedAt: number;
    try {
      this.iterator ??= await this.newIterator(signal);
      startedAt = this.o.clock.monotonic();
      result = await this.getRecords(this.iterator, signal);
      this.failures = 0;
    } catch (error) {
      throw this.onError(error);
    }
    return this.accept(result, startedAt);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private accept(result: GetRecordsResult, startedAt: number): ShardBatch {
    const raw = result.records;
    if (raw.length > 0) this.lastSequenceNumber = raw[raw.length - 1]!.sequenceNumber;
    const base = {
      records: raw,
      ...(result.dataBytes !== undefined && { dataBytes: result.dataBytes }),
      ...(result.millisBehindLatest !== undefined && {
        millisBehindLatest: result.millisBehindLatest,
      }),
    };
    this.iterator = result.nextShardIterator;
    if (result.nextShardIterator === undefined) {
      if ((result.childShards?.length ?? 0) > 0)
        return { ...base, childShards: result.childShards };
      // The KCL treats "no next iterator and no children" as an invalid answer and retries it
      // (from after the last record read): hand over the records, fail the next call.
      const error = new Error('GetRecords returned neither a next iterator nor child shards');
      if (raw.length === 0) throw error;
      this.pendingError = error;
      return base;
    }
    const { config, clock } = this.o;
    let delay: number;
    if (raw.length === 0) delay = config.idleTimeBetweenReadsMs;
    else if (raw.length >= config.maxRecords || (result.millisBehindLatest ?? 0) > 0) delay = 0;
    else delay = Math.max(0, config.minTimeBetweenReadsMs - (clock.monotonic() - startedAt));
    const now = clock.monotonic();
    let nextReadAt = now + delay;
    const rate = config.shardReadBytesPerSecond;
    if (rate > 0 && raw.length > 0) {
      const bytes = result.dataBytes ?? dataBytesOf(raw);
      // The shard owes nothing again B/rate after it served the answer, i.e. after the call
      // started, not after the last byte arrived (a 10 MiB answer takes a while to transfer and
      // parse). Whole milliseconds: a few KiB wait for nothing.
      const paid = Math.floor((bytes * 1000) / rate);
      if (paid > 0) nextReadAt = Math.max(nextReadAt, startedAt + paid + BYTE_PACING_MARGIN_MS);
    }
    this.nextReadAt = nextReadAt;
    return base;
  }

  private onError(error: unknown): unknown {
    if (isRetrievalError(error, 'expired-iterator')) {
      this.iterator = undefined;
      this.o.metrics.record({
        name: 'ExpiredIterator',
        value: 1,
        unit: 'Count',
        dimensions: this.o.dimensions,
      });
      this.o.onIteratorExpired?.(this.position);
      return error;
    }
    if (isRetrievalError(error, 'invalid-argument')) this.iterator = undefined;
    if (!isRetrievalError(error, 'throttled')) {
      this.failures += 1;
      // The iterator itself may be what fails (an emulator answers a bad one with a 500): after a
      // few failures in a row, start again from a fresh one after the last record read.
      if (this.failures >= ITERATOR_RESET_AFTER_FAILURES) this.iterator = undefined;
    }
    return error;
  }

  private async newIterator(signal: AbortSignal): Promise<string> {
    const started = this.o.clock.monotonic();
    let ok = false;
    try {
      const iterator = await this.o.reader.getShardIterator(this.o.shardId, this.position, {
        signal,
      });
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
