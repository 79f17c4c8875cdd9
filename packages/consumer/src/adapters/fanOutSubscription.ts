/**
 * SubscribeToShard for one shard as a pull-based batch source. The SDK's event stream is an async
 * iterable over the HTTP response; we take the next event only when the caller asks for it, so a
 * slow processor leaves bytes in the socket (TCP/HTTP/2 flow control) instead of our memory.
 *
 * A subscription lasts at most 5 minutes, and connections fail: either way the next call
 * re-subscribes `AFTER_SEQUENCE_NUMBER` the last `ContinuationSequenceNumber` (the KCL's rule,
 * kcl.md §6.2) after a full-jitter backoff. `ResourceInUseException` (the previous subscription,
 * ours or another worker's, is still open) and `LimitExceededException` are retried the same way.
 * `ChildShards` in an event end the shard; `ResourceNotFoundException` is a shard end with no
 * children (the KCL's reading), surfaced as `RetrievalError('shard-not-found')`.
 *
 * Events are mapped to the {@link ShardBatch} shape the polling source produces too, so the
 * prefetcher's batch handling is shared; `childShards` is set exactly when the shard ended with
 * children. SDK errors are classified by the shared `classifyKinesisError`.
 */
import { SubscribeToShardCommand } from '@aws-sdk/client-kinesis';
import type {
  KinesisClient,
  StartingPosition,
  SubscribeToShardEvent,
  SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';
import {
  AbortError,
  ClosedError,
  computeBackoff,
  isAbortError,
  systemClock,
} from '@kinesis-kit/common';
import type { BackoffOptions, Clock } from '@kinesis-kit/common';
import { RetrievalError } from '../retrievalPorts.js';
import { classifyKinesisError } from './kinesisErrors.js';
import { toChildShard, toRawRecord } from './kinesisRecords.js';
import type { IteratorPosition, ShardBatch, ShardBatchSource } from '../retrievalPorts.js';

/** Why the source is about to re-subscribe. @public */
export interface FanOutResubscribe {
  readonly shardId: string;
  /** Consecutive failed or ended subscriptions without an event in between (1 = first). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly position: IteratorPosition;
  /** Absent when the subscription simply ended (the 5-minute limit). */
  readonly error?: unknown;
}

/** @public */
export interface FanOutShardSourceOptions {
  /** Over HTTP/2 against AWS; kinesis-local needs `NodeHttpHandler` (HTTP/1.1). */
  readonly client: Pick<KinesisClient, 'send'>;
  readonly consumerArn: string;
  readonly shardId: string;
  /** Where the first subscription starts (a checkpoint, or the initial position). */
  readonly start: IteratorPosition;
  /** Re-subscribe backoff by consecutive attempts (full jitter). @defaultValue `{ baseMs: 200, capMs: 5000 }` */
  readonly resubscribeBackoff?: BackoffOptions;
  /** Give up (rethrow the classified error) after this many failures in a row. @defaultValue Infinity */
  readonly maxConsecutiveFailures?: number;
  /**
   * No event for this long while one is awaited: the connection is presumed dead (a half-open TCP
   * connection never fails by itself), cut and renewed, as the KCL's 60 s health check.
   * @defaultValue Infinity
   */
  readonly idleTimeoutMs?: number;
  /** Told before every re-subscribe backoff, for logs and events. */
  readonly onResubscribe?: (info: FanOutResubscribe) => void;
  readonly clock?: Clock;
  readonly random?: () => number;
}

/**
 * One shard's fan-out reader: `next()` resolves with the next event as a {@link ShardBatch}.
 * @public
 * @example
 * ```ts
 * const source = new FanOutShardSource({ client, consumerArn, shardId, start: { type: 'TRIM_HORIZON' } });
 * const batch = await source.next(signal); // { records, millisBehindLatest, childShards? }
 * await source.close();
 * ```
 */
export class FanOutShardSource implements ShardBatchSource {
  private stream: AsyncIterator<SubscribeToShardEventStream> | undefined;
  private connection: AbortController | undefined;
  private continuation: string | undefined;
  private failures = 0;
  private ended = false;
  private closed = false;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly o: FanOutShardSourceOptions) {
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? Math.random;
  }

  /** The last continuation sequence number received (where a re-subscribe resumes after). */
  get continuationSequenceNumber(): string | undefined {
    return this.continuation;
  }

  /** True once a `ChildShards` event or a vanished shard ended it. */
  get shardEnded(): boolean {
    return this.ended;
  }

  /**
   * The next event, subscribing or re-subscribing as needed. An abort of `signal` cancels the
   * subscription (the next call resumes after the last event) and rejects with an AbortError.
   */
  async next(signal?: AbortSignal): Promise<ShardBatch> {
    if (this.closed) throw new ClosedError('FanOutShardSource');
    if (this.ended)
      throw new RetrievalError('shard-not-found', `${this.o.shardId} has ended`, {
        shardId: this.o.shardId,
      });
    for (;;) {
      if (signal?.aborted) throw new AbortError();
      // close() during a pending next(): stop here rather than subscribe again.
      if (this.closed) throw new ClosedError('FanOutShardSource');
      let error: Error | undefined;
      try {
        this.stream ??= await this.subscribe(signal);
        const item = await this.pull(this.stream, signal);
        if (item.done !== true) {
          const event = this.eventOf(item.value);
          this.failures = 0;
          return this.accept(event);
        }
        // The 5-minute subscription (or the server) ended the stream: resume after the last event.
      } catch (e) {
        if (isAbortError(e) && signal?.aborted === true) {
          this.disconnect();
          throw e;
        }
        if (e instanceof RetrievalError && e.kind === 'shard-not-found') {
          this.disconnect();
          this.ended = true;
          throw e;
        }
        error = this.classify(e);
      }
      this.disconnect();
      await this.backoff(error, signal);
    }
  }

  /** Cancels the open subscription; later `next()` calls reject with ClosedError. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    this.disconnect();
    return Promise.resolve();
  }

  private position(): IteratorPosition {
    return this.continuation === undefined
      ? this.o.start
      : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.continuation };
  }

  private async subscribe(
    signal: AbortSignal | undefined,
  ): Promise<AsyncIterator<SubscribeToShardEventStream>> {
    const connection = new AbortController();
    this.connection = connection;
    const onAbort = (): void => connection.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const out = await this.o.client.send(
        new SubscribeToShardCommand({
          ConsumerARN: this.o.consumerArn,
          ShardId: this.o.shardId,
          StartingPosition: toStartingPosition(this.position()),
        }),
        { abortSignal: connection.signal },
      );
      if (out.EventStream === undefined)
        throw new Error('SubscribeToShard returned no event stream');
      return out.EventStream[Symbol.asyncIterator]();
    } catch (error) {
      throw this.classify(error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** One `next()` on the event stream, raced against the caller's abort and the idle timeout. */
  private async pull(
    stream: AsyncIterator<SubscribeToShardEventStream>,
    signal: AbortSignal | undefined,
  ): Promise<IteratorResult<SubscribeToShardEventStream>> {
    const pending = stream.next();
    // The losing promise must not surface as an unhandled rejection.
    pending.catch(() => undefined);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        reject(new AbortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const idleMs = this.o.idleTimeoutMs ?? Number.POSITIVE_INFINITY;
    const timer = new AbortController();
    const racers: Promise<IteratorResult<SubscribeToShardEventStream>>[] = [pending, aborted];
    if (Number.isFinite(idleMs)) {
      racers.push(
        this.clock.sleep(idleMs, timer.signal).then(() => {
          throw new RetrievalError('other', `no SubscribeToShard event for ${String(idleMs)} ms`, {
            shardId: this.o.shardId,
          });
        }),
      );
    }
    try {
      return await Promise.race(racers);
    } catch (e) {
      throw this.classify(e);
    } finally {
      timer.abort();
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** An event-stream member: the event, or a modelled exception sent in the stream. */
  private eventOf(member: SubscribeToShardEventStream): SubscribeToShardEvent {
    if (member.SubscribeToShardEvent !== undefined) return member.SubscribeToShardEvent;
    const found: [string, unknown] | undefined = Object.entries(member).find(
      ([, v]) => v !== undefined,
    );
    const [name, value] = found ?? ['Unknown', undefined];
    const error = value instanceof Error ? value : Object.assign(new Error(name), { name });
    throw this.classify(error);
  }

  private accept(event: SubscribeToShardEvent): ShardBatch {
    if (event.ContinuationSequenceNumber) this.continuation = event.ContinuationSequenceNumber;
    const records = (event.Records ?? []).map(toRawRecord);
    const children = event.ChildShards ?? [];
    const base = {
      records,
      ...(event.MillisBehindLatest !== undefined && {
        millisBehindLatest: event.MillisBehindLatest,
      }),
    };
    if (children.length > 0) {
      this.ended = true;
      this.disconnect();
      return { ...base, childShards: children.map(toChildShard) };
    }
    return base;
  }

  private async backoff(error: Error | undefined, signal: AbortSignal | undefined): Promise<void> {
    this.failures += 1;
    const max = this.o.maxConsecutiveFailures ?? Number.POSITIVE_INFINITY;
    if (error !== undefined && this.failures >= max) throw error;
    const delayMs = computeBackoff(
      this.failures - 1,
      this.o.resubscribeBackoff ?? { baseMs: 200, capMs: 5000 },
      this.random,
    );
    this.o.onResubscribe?.({
      shardId: this.o.shardId,
      attempt: this.failures,
      delayMs,
      position: this.position(),
      ...(error !== undefined && { error }),
    });
    await this.clock.sleep(delayMs, signal);
  }

  private disconnect(): void {
    const stream = this.stream;
    this.stream = undefined;
    this.connection?.abort();
    this.connection = undefined;
    // Tell the SDK's iterator we are done so it releases the response; errors are moot now.
    stream?.return?.().catch(() => undefined);
  }

  private classify(error: unknown): Error {
    return classifyKinesisError(error, 'SubscribeToShard', this.o.shardId);
  }
}

/** IteratorPosition → the SDK's StartingPosition. @internal */
export function toStartingPosition(position: IteratorPosition): StartingPosition {
  switch (position.type) {
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER':
      return { Type: position.type, SequenceNumber: position.sequenceNumber };
    case 'AT_TIMESTAMP':
      return { Type: position.type, Timestamp: position.timestamp };
    default:
      return { Type: position.type };
  }
}
