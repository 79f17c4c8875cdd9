/**
 * Options of the per-shard engine (retrieval, processor retries), in one table with defaults and
 * one resolver, so the consumer's `options.ts` can merge them into its own table unchanged.
 * Defaults follow the KCL where the KCL is right and say why where we differ.
 */
import { ConfigurationError } from '@kinesis-kit/common';
import type { BackoffOptions, FieldProblem } from '@kinesis-kit/common';
import type { ConsumerRecord } from '../processor.js';

/** A batch given up on after every retry, as the dead-letter callback receives it. @public */
export interface FailedBatch {
  readonly shardId: string;
  readonly records: readonly ConsumerRecord[];
  /** The last error `processRecords` threw. */
  readonly error: unknown;
  readonly attempts: number;
}

/**
 * What to do with a batch whose `processRecords` still throws after `maxProcessorAttempts`:
 * - `'stop-shard'`: stop processing the shard and give its lease back, so it resumes (elsewhere or
 *   later) from the last checkpoint; nothing after the failed batch is processed;
 * - `'skip'`: emit `batchSkipped` and go on (what the KCL does silently, at the first failure);
 * - `{ deadLetter }`: hand the batch to the callback, then go on; if the callback throws, the shard
 *   stops as with `'stop-shard'`.
 * @public
 */
export type ProcessorErrorPolicy =
  'stop-shard' | 'skip' | { readonly deadLetter: (batch: FailedBatch) => Promise<void> };

/** @public */
export interface ShardWorkerOptions {
  /** GetRecords `Limit`. @defaultValue 10 000 (the service maximum, as the KCL) */
  readonly maxRecords: number;
  /**
   * The most user records one `processRecords` (or handler) call gets. A read with more (after
   * KPL deaggregation: a 1 MiB answer of 100-byte user records is ~7 000, a 10 MiB one ~70 000)
   * is handed over in consecutive calls, in order, each with the read's `millisBehindLatest`; the
   * last one carries the shard end. The KCL hands over a whole read at once; records of a slice
   * are made only when it is handed over, so at most a slice is in memory as record objects,
   * which is what keeps the consumer's garbage collection close to a bare GetRecords loop's.
   * @defaultValue 1000
   */
  readonly maxRecordsPerBatch: number;
  /**
   * Wait after a GetRecords that returned no records. The KCL waits 1 500 ms after every call; we
   * wait only when the shard is idle and fetch again at once while records flow.
   * @defaultValue 1000
   */
  readonly idleTimeBetweenReadsMs: number;
  /**
   * Minimum time between the starts of two GetRecords on one shard after a batch that was not
   * full, to stay under the service's 5 reads per second per shard near the tip. A full batch
   * (`maxRecords`) is followed at once.
   * @defaultValue 200
   */
  readonly minTimeBetweenReadsMs: number;
  /**
   * The read rate a shard serves (the service: 2 MiB per second, and "if a call returns 10 MiB,
   * subsequent calls made within the next 5 seconds throw ProvisionedThroughputExceededException").
   * After an answer of B bytes of record data the next GetRecords of the shard waits B / this, even
   * while the shard is behind: reading again at once would only be throttled, and the throttle's
   * retries (the SDK's, then ours) are jittered and end up to seconds after the shard could serve
   * again. 0 turns it off (an endpoint without read limits).
   * @defaultValue 2 097 152 (2 MiB)
   */
  readonly shardReadBytesPerSecond: number;
  /** Batches fetched ahead of the processor. @defaultValue 3 (the KCL's maxPendingProcessRecordsInput) */
  readonly maxPrefetchBatches: number;
  /** Bytes fetched ahead of the processor (one batch may overshoot). @defaultValue 8 MiB */
  readonly maxPrefetchBytes: number;
  /**
   * Backoff after ProvisionedThroughputExceededException (full jitter, by consecutive throttles).
   * The KCL has none (issue #539). @defaultValue \{ baseMs: 250, capMs: 10 000 \}
   */
  readonly throttleBackoff: BackoffOptions;
  /** Backoff after other read errors. @defaultValue \{ baseMs: 500, capMs: 30 000 \} */
  readonly retrievalErrorBackoff: BackoffOptions;
  /**
   * Calls of `processRecords` for one batch before the error policy applies (1 = no retry).
   * @defaultValue 3
   */
  readonly maxProcessorAttempts: number;
  /** Backoff between those calls, and between retries of initialize/shardEnded. @defaultValue \{ baseMs: 200, capMs: 10 000 \} */
  readonly processorRetryBackoff: BackoffOptions;
  /** @defaultValue 'stop-shard' */
  readonly processorErrorPolicy: ProcessorErrorPolicy;
  /**
   * How often a child polls whether its parents reached SHARD_END during its first 5 s of waiting;
   * after that the polls back off to every 10 s (the KCL polls every 10 000). A parent this worker
   * holds is not polled: its end wakes the child. @defaultValue 250
   */
  readonly parentPollIntervalMs: number;
  /** Where an `AT_TIMESTAMP` checkpoint starts (the lease does not store it, as in the KCL). @defaultValue undefined */
  readonly initialPositionTimestamp: Date | undefined;
  /** Deliver batches with no records (after filtering) too. @defaultValue false */
  readonly callProcessRecordsEvenForEmptyRecordList: boolean;
}

/** @public */
export const SHARD_WORKER_DEFAULTS = {
  maxRecords: 10_000,
  maxRecordsPerBatch: 1000,
  idleTimeBetweenReadsMs: 1000,
  minTimeBetweenReadsMs: 200,
  shardReadBytesPerSecond: 2 * 1024 * 1024,
  maxPrefetchBatches: 3,
  maxPrefetchBytes: 8 * 1024 * 1024,
  throttleBackoff: { baseMs: 250, capMs: 10_000 },
  retrievalErrorBackoff: { baseMs: 500, capMs: 30_000 },
  maxProcessorAttempts: 3,
  processorRetryBackoff: { baseMs: 200, capMs: 10_000 },
  processorErrorPolicy: 'stop-shard',
  parentPollIntervalMs: 250,
  initialPositionTimestamp: undefined,
  callProcessRecordsEvenForEmptyRecordList: false,
} as const satisfies ShardWorkerOptions;

/**
 * Merges `options` over the defaults and validates every field at once.
 * @public
 * @throws ConfigurationError listing every invalid field.
 */
export function resolveShardWorkerOptions(
  options: Partial<ShardWorkerOptions> = {},
): ShardWorkerOptions {
  const resolved: ShardWorkerOptions = { ...SHARD_WORKER_DEFAULTS, ...dropUndefined(options) };
  const problems: FieldProblem[] = [];
  const int = (field: keyof ShardWorkerOptions, value: number, min: number, max: number): void => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push({ field, message: `must be an integer in [${min}, ${max}], got ${value}` });
    }
  };
  int('maxRecords', resolved.maxRecords, 1, 10_000);
  int('maxRecordsPerBatch', resolved.maxRecordsPerBatch, 1, 10_000_000);
  int('idleTimeBetweenReadsMs', resolved.idleTimeBetweenReadsMs, 0, 3_600_000);
  int('minTimeBetweenReadsMs', resolved.minTimeBetweenReadsMs, 0, 60_000);
  int('shardReadBytesPerSecond', resolved.shardReadBytesPerSecond, 0, 2 ** 40);
  int('maxPrefetchBatches', resolved.maxPrefetchBatches, 1, 1000);
  int('maxPrefetchBytes', resolved.maxPrefetchBytes, 1, 2 ** 31);
  int('maxProcessorAttempts', resolved.maxProcessorAttempts, 1, 1_000_000);
  int('parentPollIntervalMs', resolved.parentPollIntervalMs, 1, 600_000);
  for (const field of [
    'throttleBackoff',
    'retrievalErrorBackoff',
    'processorRetryBackoff',
  ] as const) {
    const b = resolved[field];
    if (!(b.baseMs >= 0 && b.capMs >= b.baseMs && Number.isFinite(b.capMs))) {
      problems.push({ field, message: 'needs 0 <= baseMs <= capMs (finite)' });
    }
  }
  const policy = resolved.processorErrorPolicy;
  if (
    policy !== 'stop-shard' &&
    policy !== 'skip' &&
    !(typeof policy === 'object' && typeof policy.deadLetter === 'function')
  ) {
    problems.push({
      field: 'processorErrorPolicy',
      message: "must be 'stop-shard', 'skip' or { deadLetter(batch) }",
    });
  }
  const ts = resolved.initialPositionTimestamp;
  if (ts !== undefined && !(ts instanceof Date && !Number.isNaN(ts.getTime()))) {
    problems.push({ field: 'initialPositionTimestamp', message: 'must be a valid Date' });
  }
  if (problems.length > 0) throw new ConfigurationError('shard worker', problems);
  return resolved;
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
