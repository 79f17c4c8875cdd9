/**
 * The plain `handler(records, context)` form adapted to a {@link ShardRecordProcessor}, with the
 * automatic checkpoint: written behind the handler, coalesced, at most once per interval, with a
 * trailing write once the interval has passed so a shard that goes quiet is not left behind.
 */
import { isAbortError, systemClock } from '@kinesis-kit/common';
import type { Clock } from '@kinesis-kit/common';
import type {
  ConsumerRecord,
  HandlerProcessorOptions,
  RecordHandler,
  RecordProcessorCheckpointer,
  ShardRecordProcessor,
} from './processor.js';

/** The default of `HandlerProcessorOptions.checkpointIntervalMs`. @internal */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 1000;

/**
 * Adapts a plain handler to a {@link ShardRecordProcessor} (one per shard).
 * @public
 * @example
 * ```ts
 * const processor = processorFromHandler(async (records, { shardId }) => { await save(shardId, records); });
 * ```
 */
export function processorFromHandler(
  handler: RecordHandler,
  options: HandlerProcessorOptions = {},
): ShardRecordProcessor {
  const auto = (options.checkpointing ?? 'auto') === 'auto';
  const checkpoints = new AutoCheckpoint(
    options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
    options.clock ?? systemClock,
  );
  let shardId = '';
  let stream: { streamName?: string; streamIdentifier?: string } = {};
  return {
    initialize(input) {
      shardId = input.shardId;
      if (input.streamName !== undefined && input.streamIdentifier !== undefined) {
        stream = { streamName: input.streamName, streamIdentifier: input.streamIdentifier };
      }
      checkpoints.start();
      return Promise.resolve();
    },
    async processRecords(input) {
      const { checkpointer } = input;
      checkpoints.throwIfFailed();
      await handler(input.records, {
        shardId,
        ...stream,
        checkpoint: checkpointer.checkpoint.bind(checkpointer),
        signal: input.signal,
        millisBehindLatest: input.millisBehindLatest,
        isAtShardEnd: input.isAtShardEnd,
      });
      checkpoints.throwIfFailed();
      const last = input.records.at(-1);
      if (auto && last !== undefined) checkpoints.processed(last, checkpointer, input.signal);
    },
    leaseLost: () => checkpoints.stop(),
    async shardEnded({ checkpointer }) {
      await checkpoints.stop();
      await checkpointer.checkpoint();
    },
    async shutdownRequested({ checkpointer }) {
      await checkpoints.stop();
      if (auto) await checkpointer.checkpoint();
    },
  };
}

/**
 * The automatic checkpoint of one shard. Writes go behind the handler: awaiting a DynamoDB write
 * between batches cost up to a third of the throughput. At most one write is in flight; batches
 * that end meanwhile only move `next`, so the following write covers them all (the KCL's
 * checkpoint of "the last record processed", coalesced). A write names its batch's last record,
 * never "the last record delivered", which by then may be a later batch still being handled. A
 * failed write fails the next batch (before its handler) and drops what was queued.
 *
 * The first interval starts when the shard does (`initialize`): the lease's checkpoint is as good
 * as a write at that moment, so the first batch's record is held like any other, and a shard
 * that starts with a backlog writes once a second from the start, not at once and then once a
 * second. Within the interval a batch's record waits in `held`; a timer (the injected clock) writes it
 * once the interval has passed unless a later batch did first. The timer stops with `stop()` and
 * with the batch's signal (lease lost, hard stop): no checkpoint after either.
 */
class AutoCheckpoint {
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private writing: Promise<void> | undefined;
  private next: ConsumerRecord | undefined;
  private held: ConsumerRecord | undefined;
  private timer: AbortController | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Pick<Clock, 'monotonic' | 'sleep'>,
  ) {}

  /** The shard starts: the first interval starts now. */
  start(): void {
    this.lastWriteAt = this.clock.monotonic();
  }

  /** The handler returned from a batch ending with `last`. */
  processed(
    last: ConsumerRecord,
    checkpointer: RecordProcessorCheckpointer,
    signal: AbortSignal,
  ): void {
    const now = this.clock.monotonic();
    const wait = this.lastWriteAt + this.intervalMs - now;
    if (wait <= 0) {
      this.queue(last, checkpointer, now);
      return;
    }
    this.held = last;
    if (this.timer === undefined) this.arm(wait, checkpointer, signal);
  }

  throwIfFailed(): void {
    const failed = this.failure;
    this.failure = undefined;
    if (failed !== undefined) throw failed.error;
  }

  /** Cancels the timer and what it held, then waits for the write in flight (its failure no longer matters). */
  async stop(): Promise<void> {
    this.timer?.abort();
    this.timer = undefined;
    this.held = undefined;
    while (this.writing !== undefined) await this.writing;
    this.failure = undefined;
  }

  private queue(record: ConsumerRecord, checkpointer: RecordProcessorCheckpointer, now: number) {
    this.lastWriteAt = now;
    this.held = undefined;
    this.next = record;
    this.write(checkpointer);
  }

  private arm(wait: number, checkpointer: RecordProcessorCheckpointer, signal: AbortSignal): void {
    const timer = new AbortController();
    this.timer = timer;
    const cancel = (): void => timer.abort();
    signal.addEventListener('abort', cancel, { once: true });
    this.clock.sleep(wait, timer.signal).then(
      () => {
        signal.removeEventListener('abort', cancel);
        if (this.timer !== timer) return;
        this.timer = undefined;
        const held = this.held;
        if (held === undefined) return;
        const now = this.clock.monotonic();
        const left = this.lastWriteAt + this.intervalMs - now;
        // A write made meanwhile (by a later batch) moved the interval: wait for its end.
        if (left > 0) this.arm(left, checkpointer, signal);
        else this.queue(held, checkpointer, now);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', cancel);
        if (this.timer === timer) this.timer = undefined;
        if (!isAbortError(error)) this.failure ??= { error };
      },
    );
  }

  private write(checkpointer: RecordProcessorCheckpointer): void {
    if (this.writing !== undefined || this.next === undefined) return;
    const target = this.next;
    this.next = undefined;
    this.writing = checkpointer
      .checkpoint(target)
      .catch((error: unknown) => {
        this.failure ??= { error };
        this.next = undefined;
      })
      .finally(() => {
        this.writing = undefined;
        if (this.failure === undefined) this.write(checkpointer);
      });
  }
}
