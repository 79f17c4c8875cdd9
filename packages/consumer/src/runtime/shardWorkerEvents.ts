/**
 * The shard worker's states, outcomes, typed events and metric names. Events are emitted through
 * a `TypedEmitter` (free without listeners); metric names are the KCL's where the KCL has one.
 */
import type { ExtendedSequenceNumber } from '@kinesis-kit/common';
import type { ChildShard } from '../ports.js';
import type { IteratorPosition } from '../retrievalPorts.js';

/**
 * The KCL's lifecycle (kcl.md §5.1), minus its internal shutting-down states.
 * @public
 */
export type ShardWorkerState =
  | 'CREATED'
  | 'WAITING_ON_PARENTS'
  | 'INITIALIZING'
  | 'PROCESSING'
  | 'SHARD_END'
  | 'LEASE_LOST'
  | 'SHUTDOWN_REQUESTED'
  | 'DONE';

/**
 * How a shard worker finished:
 * - `shard-end`: SHARD_END is checkpointed (or the lease was already at SHARD_END);
 * - `lease-lost`: `leaseLost()`/`stop()` was called, or a checkpoint found the lease taken;
 * - `shutdown`: `requestShutdown()` completed (the coordinator releases the lease);
 * - `stopped-on-error`: the `'stop-shard'` policy gave up on a batch; the owner releases the lease.
 * @public
 */
export type ShardWorkerOutcome =
  | { readonly reason: 'shard-end' }
  | { readonly reason: 'lease-lost' }
  | { readonly reason: 'shutdown' }
  | { readonly reason: 'stopped-on-error'; readonly error: unknown };

/** Which processor call failed. @public */
export type ProcessorPhase =
  | 'initialize'
  | 'processRecords'
  | 'shardEnded'
  | 'shutdownRequested'
  | 'leaseLost'
  | 'onShardEnd'
  | 'deadLetter';

/** A batch given up on, as events describe it (counts and positions, never payloads). @public */
export interface BatchSummary {
  readonly shardId: string;
  readonly records: number;
  readonly firstSequenceNumber: string | undefined;
  readonly lastSequenceNumber: string | undefined;
  readonly attempts: number;
  readonly error: unknown;
}

/** @public */
export interface ShardWorkerEvents {
  stateChange: {
    readonly shardId: string;
    readonly from: ShardWorkerState;
    readonly to: ShardWorkerState;
  };
  processorError: {
    readonly shardId: string;
    readonly phase: ProcessorPhase;
    readonly error: unknown;
    readonly attempt: number;
    readonly willRetry: boolean;
  };
  batchSkipped: BatchSummary;
  batchDeadLettered: BatchSummary;
  shardEnded: { readonly shardId: string; readonly childShards: readonly ChildShard[] };
  leaseLost: { readonly shardId: string };
  checkpointed: { readonly shardId: string; readonly checkpoint: ExtendedSequenceNumber };
  readThrottled: {
    readonly shardId: string;
    readonly consecutive: number;
    readonly delayMs: number;
  };
  iteratorExpired: { readonly shardId: string; readonly restartFrom: IteratorPosition };
  retrievalError: {
    readonly shardId: string;
    readonly error: unknown;
    readonly consecutive: number;
    readonly delayMs: number;
  };
}

/** Metric names (KCL names where it has them, kcl.md §7.2). @public */
export const SHARD_WORKER_METRICS = {
  recordsProcessed: 'RecordsProcessed',
  dataBytesProcessed: 'DataBytesProcessed',
  millisBehindLatest: 'MillisBehindLatest',
  expiredIterator: 'ExpiredIterator',
  processRecordsTime: 'RecordProcessor.processRecords.Time',
  initializeTime: 'RecordProcessor.initialize.Time',
  shutdownTime: 'RecordProcessor.shutdown.Time',
  /** Ours: processRecords calls that threw. */
  processorErrors: 'RecordProcessor.processRecords.Errors',
  /** Ours: batches given up on by the error policy. */
  batchesSkipped: 'BatchesSkipped',
  batchesDeadLettered: 'BatchesDeadLettered',
  /** Ours: GetRecords/GetShardIterator calls throttled. */
  readThrottled: 'ReadProvisionedThroughputExceeded',
} as const;
