/**
 * Delivering one batch to the processor, with what the KCL lacks (issue #10): a batch whose
 * `processRecords` throws is retried with backoff, then handled by the configured policy. The
 * checkpointer permits the batch's last record while the batch is being processed (so
 * `checkpoint()` inside `processRecords` works as in the KCL) and keeps that permission only when
 * the batch succeeded, was skipped or went to the dead-letter callback; otherwise it is restored,
 * so nothing is ever checkpointed past a record that was not processed.
 */
import {
  ExtendedSequenceNumber,
  computeBackoff,
  isAbortError,
  isKinesisKitError,
} from '@kinesis-kit/common';
import type {
  Clock,
  Logger,
  MetricDimensions,
  MetricsSink,
  TypedEmitter,
} from '@kinesis-kit/common';
import type { ShardCheckpointer } from '../checkpointer.js';
import type { ShardRecordProcessor } from '../processor.js';
import type { PrefetchedBatch } from './prefetcher.js';
import { SHARD_WORKER_METRICS as M } from './shardWorkerEvents.js';
import type { BatchSummary, ShardWorkerEvents } from './shardWorkerEvents.js';
import type { ShardWorkerOptions } from './shardWorkerOptions.js';

/** What became of a batch. */
export type DeliveryResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'lease-lost' }
  | { readonly kind: 'stop-shard'; readonly error: unknown };

export interface DeliveryContext {
  readonly shardId: string;
  readonly processor: ShardRecordProcessor;
  readonly checkpointer: ShardCheckpointer;
  readonly config: ShardWorkerOptions;
  readonly clock: Clock;
  readonly random: () => number;
  readonly events: TypedEmitter<ShardWorkerEvents>;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  readonly dimensions: MetricDimensions;
  /** Aborted on lease loss or hard stop; handed to the processor. */
  readonly processorSignal: AbortSignal;
  /** Aborted on any stop request: ends retry waits. */
  readonly stopSignal: AbortSignal;
}

/** True for the typed lease-lost error (ours, or a processor rethrowing it). */
export function isLeaseLostError(error: unknown): boolean {
  return isKinesisKitError(error) && error.code === 'KT_LEASE_LOST';
}

/** Delivers `batch` (retries, policy) and reports the outcome. */
export async function deliverBatch(
  ctx: DeliveryContext,
  batch: PrefetchedBatch,
): Promise<DeliveryResult> {
  const { records } = batch;
  const { checkpointer, config } = ctx;
  const previous = checkpointer.largestPermittedCheckpoint;
  const last = records[records.length - 1];
  if (last !== undefined) {
    checkpointer.setLargestPermitted(
      ExtendedSequenceNumber.of(last.sequenceNumber, last.subSequenceNumber),
    );
  }
  const input = {
    records,
    millisBehindLatest: batch.millisBehindLatest,
    checkpointer,
    isAtShardEnd: batch.shardEnd !== undefined,
    signal: ctx.processorSignal,
    ...(batch.shardEnd === undefined ? {} : { childShards: batch.shardEnd.childShards }),
  };
  for (let attempt = 1; ; attempt++) {
    const started = ctx.clock.monotonic();
    try {
      await ctx.processor.processRecords(input);
      recordSuccess(ctx, batch, started);
      return { kind: 'done' };
    } catch (error) {
      if (ctx.processorSignal.aborted || checkpointer.isRevoked || isLeaseLostError(error)) {
        return { kind: 'lease-lost' };
      }
      ctx.metrics.record({
        name: M.processorErrors,
        value: 1,
        unit: 'Count',
        dimensions: ctx.dimensions,
      });
      const willRetry = attempt < config.maxProcessorAttempts && !ctx.stopSignal.aborted;
      ctx.events.emit('processorError', {
        shardId: ctx.shardId,
        phase: 'processRecords',
        error,
        attempt,
        willRetry,
      });
      ctx.logger.warn('processRecords failed', {
        attempt,
        willRetry,
        records: records.length,
        error,
      });
      if (willRetry) {
        const delay = computeBackoff(attempt - 1, config.processorRetryBackoff, ctx.random);
        if (await interruptibleSleep(ctx, delay)) continue;
      }
      if (ctx.stopSignal.aborted) {
        // Shutting down in the middle of retries: the batch is not processed; forget it.
        restorePermitted(checkpointer, previous);
        return ctx.processorSignal.aborted ? { kind: 'lease-lost' } : { kind: 'interrupted' };
      }
      return applyPolicy(ctx, batch, previous, error, attempt);
    }
  }
}

async function applyPolicy(
  ctx: DeliveryContext,
  batch: PrefetchedBatch,
  previous: ExtendedSequenceNumber,
  error: unknown,
  attempts: number,
): Promise<DeliveryResult> {
  const policy = ctx.config.processorErrorPolicy;
  const summary = summarise(ctx.shardId, batch, error, attempts);
  if (policy === 'skip') {
    ctx.metrics.record({
      name: M.batchesSkipped,
      value: 1,
      unit: 'Count',
      dimensions: ctx.dimensions,
    });
    ctx.events.emit('batchSkipped', summary);
    ctx.logger.error('batch skipped after processRecords kept failing', { ...counts(summary) });
    return { kind: 'done' };
  }
  if (typeof policy === 'object') {
    try {
      await policy.deadLetter({ shardId: ctx.shardId, records: batch.records, error, attempts });
      ctx.metrics.record({
        name: M.batchesDeadLettered,
        value: 1,
        unit: 'Count',
        dimensions: ctx.dimensions,
      });
      ctx.events.emit('batchDeadLettered', summary);
      ctx.logger.warn('batch handed to the dead-letter callback', { ...counts(summary) });
      return { kind: 'done' };
    } catch (deadLetterError) {
      ctx.events.emit('processorError', {
        shardId: ctx.shardId,
        phase: 'deadLetter',
        error: deadLetterError,
        attempt: 1,
        willRetry: false,
      });
      ctx.logger.error('dead-letter callback failed; stopping the shard', {
        error: deadLetterError,
      });
    }
  }
  restorePermitted(ctx.checkpointer, previous);
  ctx.logger.error('processRecords kept failing; stopping the shard', { ...counts(summary) });
  return { kind: 'stop-shard', error };
}

/**
 * Takes back the permission to checkpoint a batch that was not processed. A checkpoint the
 * processor wrote inside the batch stays valid (it vouched for those records).
 */
export function restorePermitted(
  checkpointer: ShardCheckpointer,
  previous: ExtendedSequenceNumber,
): void {
  const last = checkpointer.lastCheckpoint;
  checkpointer.setLargestPermitted(last.compareTo(previous) > 0 ? last : previous);
}

/** Sleeps unless a stop is requested; false when interrupted. */
export async function interruptibleSleep(ctx: DeliveryContext, ms: number): Promise<boolean> {
  try {
    await ctx.clock.sleep(ms, ctx.stopSignal);
    return true;
  } catch (error) {
    if (isAbortError(error)) return false;
    throw error;
  }
}

function recordSuccess(ctx: DeliveryContext, batch: PrefetchedBatch, started: number): void {
  const { metrics, dimensions } = ctx;
  metrics.record({
    name: M.recordsProcessed,
    value: batch.records.length,
    unit: 'Count',
    dimensions,
  });
  metrics.record({
    name: M.dataBytesProcessed,
    value: batch.dataBytes,
    unit: 'Bytes',
    dimensions,
  });
  metrics.record({
    name: M.processRecordsTime,
    value: ctx.clock.monotonic() - started,
    unit: 'Milliseconds',
    dimensions,
  });
}

function summarise(
  shardId: string,
  batch: PrefetchedBatch,
  error: unknown,
  attempts: number,
): BatchSummary {
  const { records } = batch;
  return {
    shardId,
    records: records.length,
    firstSequenceNumber: records[0]?.sequenceNumber,
    lastSequenceNumber: records[records.length - 1]?.sequenceNumber,
    attempts,
    error,
  };
}

function counts(summary: BatchSummary): Record<string, unknown> {
  return {
    records: summary.records,
    firstSequenceNumber: summary.firstSequenceNumber,
    lastSequenceNumber: summary.lastSequenceNumber,
    attempts: summary.attempts,
    error: summary.error,
  };
}
