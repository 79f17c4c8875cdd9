/**
 * The retrieval ports. A shard worker's prefetcher pulls {@link ShardBatch}es from a
 * {@link ShardBatchSource}, which hides how the shard is read: by polling (GetShardIterator /
 * GetRecords over a {@link ShardReader}; `runtime/pollingBatchSource.ts`) or by enhanced fan-out
 * (SubscribeToShard; `runtime/fanOutBatchSource.ts`). The SDK adapters implement the reader and
 * the subscription; tests use the FakeKinesis. Errors the worker must act on are classified into
 * {@link RetrievalError} kinds by the adapters (by the SDK error's `name`, never its message), so
 * the runtime decides and the adapters only translate.
 */
import { KinesisKitError } from '@kinesis-kit/common';
import type { CallOptions, ChildShard } from './ports.js';

/**
 * Where a shard iterator starts. `AT_SEQUENCE_NUMBER` resumes from a checkpoint (the record at the
 * checkpoint is re-read and filtered, because a checkpoint can sit inside a KPL aggregate);
 * `AFTER_SEQUENCE_NUMBER` continues after the last record seen.
 * @public
 */
export type IteratorPosition =
  | {
      readonly type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER';
      readonly sequenceNumber: string;
    }
  | { readonly type: 'TRIM_HORIZON' | 'LATEST' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestamp: Date };

/** A record as GetRecords returns it, before KPL deaggregation. @public */
export interface RawRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly approximateArrivalTimestamp: Date;
}

/** One GetRecords answer in domain form. @public */
export interface GetRecordsResult {
  readonly records: readonly RawRecord[];
  /** The records' data bytes, when the reader counted them while translating (saves a pass). */
  readonly dataBytes?: number;
  /** Absent when the shard is closed and every record was read (then `childShards` is set). */
  readonly nextShardIterator?: string;
  readonly millisBehindLatest?: number;
  readonly childShards?: readonly ChildShard[];
}

/**
 * One read of a shard, as the processor's batches are cut from it: a GetRecords answer or a
 * SubscribeToShard event. `childShards` is set exactly when the shard has ended (empty when it
 * vanished: deleted, or trimmed after it closed).
 * @public
 */
export interface ShardBatch {
  readonly records: readonly RawRecord[];
  /** The records' data bytes, when the source counted them (saves a pass). */
  readonly dataBytes?: number;
  readonly millisBehindLatest?: number;
  readonly childShards?: readonly ChildShard[];
}

/**
 * Where one shard's batches come from, pulled one at a time: the source reads ahead only when
 * asked, so a caller that stops asking (a busy processor) stops the reading too. `next()` waits
 * for the next batch (a polling source paces itself, a fan-out source waits for the next event)
 * and throws {@link RetrievalError}s the caller backs off on; `shard-not-found` means the shard is
 * gone. After a batch with `childShards`, `next()` is not called again.
 * @public
 * @example
 * ```ts
 * for (;;) {
 *   const batch = await source.next(signal);
 *   handle(batch.records);
 *   if (batch.childShards) break; // shard end
 * }
 * await source.close();
 * ```
 */
export interface ShardBatchSource {
  next(signal: AbortSignal): Promise<ShardBatch>;
  /** Releases what the source holds (an open subscription). Idempotent. */
  close(): Promise<void>;
}

/**
 * Reads one stream's shards. Every call forwards `signal` to the SDK's `abortSignal`.
 * @public
 */
export interface ShardReader {
  getShardIterator(
    shardId: string,
    position: IteratorPosition,
    options?: CallOptions,
  ): Promise<string>;
  getRecords(iterator: string, limit: number, options?: CallOptions): Promise<GetRecordsResult>;
}

/**
 * What went wrong with a read, as far as the worker cares:
 * - `expired-iterator`: get a new iterator after the last record seen;
 * - `throttled`: back off (ProvisionedThroughputExceeded, KMS throttling, LimitExceeded);
 * - `shard-not-found`: the shard is gone (trimmed after closing, stream deleted): the KCL treats it
 *   as the end of the shard with no children;
 * - `invalid-argument`: a bad iterator or position; the KCL restarts the iterator;
 * - `other`: anything else (network, 5xx after SDK retries, access denied), retried with backoff.
 * @public
 */
export type RetrievalErrorKind =
  'expired-iterator' | 'throttled' | 'shard-not-found' | 'invalid-argument' | 'other';

/**
 * A classified read failure; the SDK error is kept as `cause`.
 * @public
 * @example
 * ```ts
 * if (e instanceof RetrievalError && e.kind === 'throttled') await clock.sleep(backoff, signal);
 * ```
 */
export class RetrievalError extends KinesisKitError {
  readonly kind: RetrievalErrorKind;
  constructor(
    kind: RetrievalErrorKind,
    message: string,
    options: { readonly cause?: unknown; readonly shardId?: string } = {},
  ) {
    super(kind === 'expired-iterator' ? 'KT_EXPIRED' : 'KT_AWS', message, {
      cause: options.cause,
      retriable: kind !== 'shard-not-found',
      context: { kind, ...(options.shardId === undefined ? {} : { shardId: options.shardId }) },
    });
    this.kind = kind;
  }
}

/** True for a RetrievalError of `kind` (also across two copies of the package). @public */
export function isRetrievalError(
  value: unknown,
  kind?: RetrievalErrorKind,
): value is RetrievalError {
  if (!(value instanceof Error)) return false;
  const k = (value as Partial<RetrievalError>).kind;
  return (
    value.name === 'RetrievalError' && typeof k === 'string' && (kind === undefined || k === kind)
  );
}
