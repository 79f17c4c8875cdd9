/**
 * Enhanced fan-out retrieval of one shard as a {@link ShardBatchSource}, with a shard end that
 * cannot hang. Records come from the SubscribeToShard subscription (re-subscribed by the adapter
 * after the 5-minute limit or a failed connection). The shard ends:
 * - when an event carries `ChildShards` (the service's way);
 * - otherwise, when the shard is known closed (ListShards shows an `EndingSequenceNumber`, or the
 *   shard or stream is gone): kinesis-local never sends `ChildShards` and streams empty
 *   heartbeats from a closed shard forever (peers-and-emulators.md §4.1), and a consumer must not
 *   depend on one event either way. Then the subscription is closed and the shard is finished by
 *   polling from after the last record delivered: GetRecords returns whatever the subscription had
 *   not delivered yet, then `ChildShards` with no next iterator. Resharding thus works
 *   parent-first under fan-out on the emulator as on the service.
 *
 * The closed check runs only on an event without records (a closed shard goes quiet once drained)
 * and at most every `probeIntervalMs`, so a busy shard costs no ListShards calls.
 */
import { isAbortError } from '@kinesis-kit/common';
import type { Clock, Logger } from '@kinesis-kit/common';
import type { IteratorPosition, ShardBatch, ShardBatchSource } from '../retrievalPorts.js';
import type { ShardClosedProbe } from './shardClosedProbe.js';

/** @internal */
export interface FanOutBatchSourceOptions {
  readonly shardId: string;
  /** Where the subscription started (a checkpoint or the initial position). */
  readonly start: IteratorPosition;
  /** The shard's SubscribeToShard reader (adapters/fanOutSubscription.ts). */
  readonly subscription: ShardBatchSource;
  /** A polling source from `from`, to read a closed shard to its end. */
  readonly openFinisher: (from: IteratorPosition) => ShardBatchSource;
  readonly probe: ShardClosedProbe;
  /** Least time between two closed checks of this shard. @defaultValue 2000 */
  readonly probeIntervalMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** @internal */
export class FanOutBatchSource implements ShardBatchSource {
  private finisher: ShardBatchSource | undefined;
  private lastSequenceNumber: string | undefined;
  private lastProbeAt = Number.NEGATIVE_INFINITY;
  private readonly openedAt: number;

  constructor(private readonly o: FanOutBatchSourceOptions) {
    this.openedAt = o.clock.monotonic();
  }

  /** True once the shard was found closed and is being read to its end by polling. */
  get finishing(): boolean {
    return this.finisher !== undefined;
  }

  async next(signal: AbortSignal): Promise<ShardBatch> {
    if (this.finisher !== undefined) return this.track(await this.finisher.next(signal));
    const batch = this.track(await this.o.subscription.next(signal));
    if (batch.childShards !== undefined || batch.records.length > 0) return batch;
    if (await this.closed(signal)) {
      await this.o.subscription.close();
      const from: IteratorPosition =
        this.lastSequenceNumber === undefined
          ? this.o.start
          : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastSequenceNumber };
      this.o.logger.info('shard closed; reading its end by GetRecords', { from });
      this.finisher = this.o.openFinisher(from);
    }
    return batch;
  }

  async close(): Promise<void> {
    await this.o.subscription.close();
    await this.finisher?.close();
  }

  private track(batch: ShardBatch): ShardBatch {
    const last = batch.records[batch.records.length - 1];
    if (last !== undefined) this.lastSequenceNumber = last.sequenceNumber;
    return batch;
  }

  private async closed(signal: AbortSignal): Promise<boolean> {
    const now = this.o.clock.monotonic();
    if (now - this.lastProbeAt < (this.o.probeIntervalMs ?? 2000)) return false;
    this.lastProbeAt = now;
    try {
      return await this.o.probe.isClosed(this.o.shardId, this.openedAt, signal);
    } catch (error) {
      if (isAbortError(error) && signal.aborted) throw error;
      // Not knowing is not closed: keep reading and ask again at the next quiet event.
      this.o.logger.debug('shard closed check failed', { error });
      return false;
    }
  }
}
