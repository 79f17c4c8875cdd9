/**
 * The record-processor API: an async mirror of the Java KCL's `ShardRecordProcessor` (kcl.md §5),
 * so KCL users recognise every call, plus the plain `handler(records, context)` form most
 * applications want, adapted to a processor by `processorFromHandler` (handlerProcessor.ts).
 */
import type { Clock, ExtendedSequenceNumber } from '@kinesis-kit/common';
import type { ChildShard } from './ports.js';

/**
 * One user record, after KPL deaggregation. Sub-records of an aggregate share the aggregate's
 * `sequenceNumber` and arrival time and are told apart by `subSequenceNumber` (0 when not
 * aggregated), exactly as the KCL's `KinesisClientRecord`.
 * @public
 */
export interface ConsumerRecord {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  /** Set only for a KPL sub-record that carried an explicit hash key. */
  readonly explicitHashKey?: string | undefined;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
  readonly approximateArrivalTimestamp: Date;
  /** True for a sub-record taken out of a KPL aggregate. */
  readonly aggregated: boolean;
}

/**
 * A prepared (two-phase) checkpoint: written to the lease as `pendingCheckpoint`, committed by
 * `checkpoint()`.
 * @public
 */
export interface PreparedCheckpointer {
  readonly pendingCheckpoint: ExtendedSequenceNumber;
  /** Commits the prepared value as the checkpoint (and clears the pending fields). */
  checkpoint(): Promise<void>;
}

/**
 * Records progress for one shard in the lease table. Only positions the processor was given can
 * be checkpointed: `lastCheckpoint ≤ value ≤ last record delivered` (else a ValidationError), and a
 * checkpoint after the lease was lost rejects with a `KT_LEASE_LOST` error. Calls are serialised:
 * one write per shard at a time.
 * @public
 * @example
 * ```ts
 * async processRecords({ records, checkpointer }) {
 *   for (const r of records) await handle(r);
 *   await checkpointer.checkpoint(); // the last record delivered
 * }
 * ```
 */
/* eslint-disable @typescript-eslint/unified-signatures -- one overload per KCL form reads best */
export interface RecordProcessorCheckpointer {
  /** Checkpoints the last record delivered (SHARD_END inside `shardEnded`). */
  checkpoint(): Promise<void>;
  /** Checkpoints `record` (its sequence and sub-sequence number). */
  checkpoint(record: ConsumerRecord): Promise<void>;
  checkpoint(sequenceNumber: string, subSequenceNumber?: number): Promise<void>;
  /** Prepares the last record delivered, with optional application state. */
  prepareCheckpoint(state?: Uint8Array): Promise<PreparedCheckpointer>;
  prepareCheckpoint(record: ConsumerRecord, state?: Uint8Array): Promise<PreparedCheckpointer>;
  prepareCheckpoint(
    sequenceNumber: string,
    subSequenceNumber?: number,
    state?: Uint8Array,
  ): Promise<PreparedCheckpointer>;
  /** The checkpoint as last written (or read from the lease). */
  readonly lastCheckpoint: ExtendedSequenceNumber;
  /** The highest value `checkpoint()` accepts now. */
  readonly largestPermittedCheckpoint: ExtendedSequenceNumber;
}
/* eslint-enable @typescript-eslint/unified-signatures */

/**
 * Which stream a shard belongs to, in a multi-stream application (absent in a single-stream one).
 * @public
 */
export interface StreamInfo {
  readonly streamName: string;
  /** `account:stream:creationEpochSeconds`, the prefix of the shard's lease key. */
  readonly streamIdentifier: string;
  readonly streamArn?: string;
}

/** @public */
export interface InitializeInput {
  readonly shardId: string;
  /** Multi-stream only: the stream's name. */
  readonly streamName?: string;
  /** Multi-stream only: `account:stream:creationEpochSeconds`. */
  readonly streamIdentifier?: string;
  /** The lease's checkpoint: where processing resumes (records at or before it are not delivered). */
  readonly extendedSequenceNumber: ExtendedSequenceNumber;
  /** A prepared checkpoint left by the previous owner, if any. */
  readonly pendingCheckpoint?: ExtendedSequenceNumber;
  readonly pendingCheckpointState?: Uint8Array;
}

/** @public */
export interface ProcessRecordsInput {
  readonly records: readonly ConsumerRecord[];
  readonly millisBehindLatest: number | undefined;
  readonly checkpointer: RecordProcessorCheckpointer;
  /** True for the last batch of a closed shard (`shardEnded` follows). */
  readonly isAtShardEnd: boolean;
  /** Set with `isAtShardEnd`: the shards that continue this one. */
  readonly childShards?: readonly ChildShard[];
  /** Aborted when the lease is lost or the worker stops hard; not by a graceful shutdown. */
  readonly signal: AbortSignal;
}

/** @public */
export interface ShardEndedInput {
  /** Must be called (`checkpoint()`): that writes SHARD_END and lets child shards start. */
  readonly checkpointer: RecordProcessorCheckpointer;
}

/** @public */
export interface ShutdownRequestedInput {
  readonly checkpointer: RecordProcessorCheckpointer;
}

/**
 * The KCL-style record processor, one instance per shard (from a `processorFactory(shardId)`).
 * Calls for one shard never overlap.
 * @public
 * @example
 * ```ts
 * const processor: ShardRecordProcessor = {
 *   async initialize({ shardId }) {},
 *   async processRecords({ records, checkpointer }) { await save(records); await checkpointer.checkpoint(); },
 *   async leaseLost() {},
 *   async shardEnded({ checkpointer }) { await checkpointer.checkpoint(); },
 *   async shutdownRequested({ checkpointer }) { await checkpointer.checkpoint(); },
 * };
 * ```
 */
export interface ShardRecordProcessor {
  initialize(input: InitializeInput): Promise<void>;
  processRecords(input: ProcessRecordsInput): Promise<void>;
  /** The lease went to another worker: do not checkpoint (it would reject). */
  leaseLost(): Promise<void>;
  shardEnded(input: ShardEndedInput): Promise<void>;
  shutdownRequested(input: ShutdownRequestedInput): Promise<void>;
}

/** What a plain handler gets besides the records. @public */
export interface HandlerContext {
  readonly shardId: string;
  /** Multi-stream only: the stream the records come from. */
  readonly streamName?: string;
  /** Multi-stream only: `account:stream:creationEpochSeconds`. */
  readonly streamIdentifier?: string;
  /** The checkpointer's `checkpoint` (no argument: the last record of this batch). */
  readonly checkpoint: RecordProcessorCheckpointer['checkpoint'];
  readonly signal: AbortSignal;
  readonly millisBehindLatest: number | undefined;
  readonly isAtShardEnd: boolean;
}

/**
 * The plain form: called with each batch; throwing makes the batch be retried (then handled per
 * the processor-error policy).
 * @public
 */
export type RecordHandler = (
  records: readonly ConsumerRecord[],
  context: HandlerContext,
) => Promise<void> | void;

/** @public */
export interface HandlerProcessorOptions {
  /**
   * `auto` checkpoints the last record of a batch once the handler returns, at most once per
   * `checkpointIntervalMs`, and always before a graceful shutdown (so before the lease is released)
   * and at shard end; `manual` leaves checkpoints to `context.checkpoint()` except the SHARD_END
   * one, which is always written.
   * @defaultValue 'auto'
   */
  readonly checkpointing?: 'auto' | 'manual';
  /**
   * Minimum time between automatic checkpoints of one shard: at most one DynamoDB write per shard
   * per interval, and at most about this much of a shard's records delivered again after a crash.
   * The first interval starts when the shard does. A batch that ends within the interval is
   * checkpointed when the interval has passed, even if no further batch arrives (a shard that goes
   * quiet does not keep an old checkpoint). 0 checkpoints after every batch.
   * @defaultValue 1000
   */
  readonly checkpointIntervalMs?: number;
  /** Times the interval (the consumer passes its own). @defaultValue the system clock */
  readonly clock?: Pick<Clock, 'monotonic' | 'sleep'>;
}

// Type-only imports in that module, so this re-export makes no import cycle at run time.
export { DEFAULT_CHECKPOINT_INTERVAL_MS, processorFromHandler } from './handlerProcessor.js';
