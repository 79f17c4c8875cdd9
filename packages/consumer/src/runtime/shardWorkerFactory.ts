/**
 * Builds the ShardWorker of a taken lease: the lease's checkpoint and hash range, the binding's
 * reader (and fan-out source), checkpoints through the coordinator, and the scheduler's callbacks
 * for parents and shard end. Throws a ConfigurationError naming the lease when it cannot be read
 * (an AT_TIMESTAMP lease and no timestamp: the lease table does not store it).
 */
import { ConfigurationError } from '@kinesis-kit/common';
import type { Clock, Logger, MetricsSink, TypedEmitter } from '@kinesis-kit/common';
import type { ChildShard, Lease } from '../ports.js';
import type { ShardRecordProcessor } from '../processor.js';
import type { LeaseCoordinator } from './leaseCoordinator.js';
import { ShardWorker } from './shardWorker.js';
import type { ShardWorkerEvents } from './shardWorkerEvents.js';
import type { ShardWorkerOptions } from './shardWorkerOptions.js';
import { streamInfoOf } from './streamSet.js';
import type { StreamBinding } from './streamSet.js';

/** @internal */
export interface ShardWorkerInput {
  readonly lease: Lease;
  readonly binding: StreamBinding;
  readonly processor: ShardRecordProcessor;
  readonly coordinator: LeaseCoordinator;
  /** The consumer's worker options (a stream's own AT_TIMESTAMP position overrides its time). */
  readonly worker: ShardWorkerOptions;
  readonly workerEvents: TypedEmitter<ShardWorkerEvents>;
  /** Absent when the lease has no parents. */
  readonly parentsDone?: () => Promise<boolean>;
  readonly onParentChange?: (wake: () => void) => () => void;
  readonly onShardEnd: (children: readonly ChildShard[]) => Promise<void>;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  readonly metricDimensions: Readonly<Record<string, string>>;
  readonly clock: Clock;
  readonly random: () => number;
}

/** @internal */
export function createShardWorker(i: ShardWorkerInput): ShardWorker {
  const { lease, binding, coordinator } = i;
  const stream = streamInfoOf(binding);
  const options = workerOptionsFor(i.worker, binding);
  // Checked here (the worker would throw too) to name the lease in the error.
  if (
    lease.checkpoint.sequenceNumber === 'AT_TIMESTAMP' &&
    options.initialPositionTimestamp === undefined
  ) {
    throw noTimestampError(lease);
  }
  return new ShardWorker({
    shardId: lease.shardId,
    checkpoint: lease.checkpoint,
    ...(lease.pendingCheckpoint !== undefined && { pendingCheckpoint: lease.pendingCheckpoint }),
    ...(lease.pendingCheckpointState !== undefined && {
      pendingCheckpointState: lease.pendingCheckpointState,
    }),
    ...(lease.hashKeyRange !== undefined && { hashKeyRange: lease.hashKeyRange }),
    reader: binding.reader,
    ...(binding.batchSources !== undefined && { batchSources: binding.batchSources }),
    processor: i.processor,
    checkpointTarget: {
      updateCheckpoint: (update) => coordinator.checkpoint(lease.leaseKey, update),
    },
    leaseValid: () => coordinator.holdsFresh(lease.leaseKey),
    ...(i.parentsDone !== undefined && { parentsDone: i.parentsDone }),
    ...(i.onParentChange !== undefined && { onParentChange: i.onParentChange }),
    onShardEnd: i.onShardEnd,
    options,
    events: i.workerEvents,
    logger: i.logger,
    metrics: i.metrics,
    metricDimensions:
      stream === undefined
        ? i.metricDimensions
        : { ...i.metricDimensions, StreamId: stream.streamIdentifier },
    clock: i.clock,
    random: i.random,
  });
}

function noTimestampError(lease: Lease): ConfigurationError {
  return new ConfigurationError('KinesisConsumer', [
    {
      field: 'initialPosition',
      message: `lease ${lease.leaseKey} is at AT_TIMESTAMP and the lease table does not store the timestamp: give initialPosition: { timestamp } (or the stream's own) to read it`,
    },
  ]);
}

/** A stream's own AT_TIMESTAMP position overrides the consumer's. */
function workerOptionsFor(worker: ShardWorkerOptions, binding: StreamBinding): ShardWorkerOptions {
  const position = binding.initialPosition;
  return typeof position === 'object'
    ? { ...worker, initialPositionTimestamp: position.timestamp }
    : worker;
}
