/**
 * The one place where Kinesis SDK errors become {@link RetrievalError} kinds, for the polling
 * reader (GetShardIterator/GetRecords), the fan-out subscription (SubscribeToShard) and the shard
 * end probe (ListShards). Classified by the error's `name` and `$retryable`, never its message
 * (house style); the SDK error is kept as `cause`. What a kind means (restart the iterator, back
 * off, end the shard) is the runtime's business.
 */
import { isAbortError } from '@kinesis-kit/common';
import { RetrievalError } from '../retrievalPorts.js';
import type { RetrievalErrorKind } from '../retrievalPorts.js';

const KIND_BY_NAME: Readonly<Record<string, RetrievalErrorKind>> = {
  ExpiredIteratorException: 'expired-iterator',
  ProvisionedThroughputExceededException: 'throttled',
  LimitExceededException: 'throttled',
  KMSThrottlingException: 'throttled',
  ThrottlingException: 'throttled',
  // SubscribeToShard: the previous subscription to this shard (ours before a reconnect, or the
  // previous lease owner's) is still open; the service frees it within seconds, so wait and retry.
  ResourceInUseException: 'throttled',
  ResourceNotFoundException: 'shard-not-found',
  InvalidArgumentException: 'invalid-argument',
};

/** The SDK error's `name` ('Unknown' for non-errors). @internal */
export function sdkErrorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Unknown';
}

/**
 * An SDK error as a RetrievalError of the right kind. Aborts and errors that are already
 * RetrievalErrors pass through unchanged.
 * @internal
 * @example
 * ```ts
 * try { await client.send(cmd) } catch (e) { throw classifyKinesisError(e, 'GetRecords', shardId) }
 * ```
 */
export function classifyKinesisError(error: unknown, operation: string, shardId?: string): Error {
  if (error instanceof RetrievalError) return error;
  if (isAbortError(error) && error instanceof Error) return error;
  const name = sdkErrorName(error);
  const retryable = (error as { $retryable?: { throttling?: boolean } } | null)?.$retryable;
  const kind: RetrievalErrorKind =
    KIND_BY_NAME[name] ??
    (name.startsWith('KMSThrottling') || retryable?.throttling === true ? 'throttled' : 'other');
  const where = shardId === undefined ? operation : `${operation} ${shardId}`;
  return new RetrievalError(kind, `${where} failed: ${name}`, {
    cause: error,
    ...(shardId !== undefined && { shardId }),
  });
}
