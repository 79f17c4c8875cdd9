/**
 * Typed producer events: `producer.on('throttled', ...)` returns an unsubscribe function, and
 * emitting costs nothing without listeners.
 */

/** @public */
export interface ProducerEvents {
  /** A new shard map is in use. `changedShardIds` lists shards whose records were routed again. */
  shardMapRefreshed: {
    readonly openShards: number;
    readonly changedShardIds: readonly string[];
    readonly reason: string;
  };
  /** The shard map could not be read. The producer keeps retrying with backoff. */
  shardMapError: { readonly error: unknown; readonly consecutiveFailures: number };
  /** Entries to a shard were throttled; `rateFraction` is the shard's new send rate (0..1 of the limit). */
  throttled: { readonly shardId: string; readonly entries: number; readonly rateFraction: number };
  /** A Kinesis record will be retried. */
  retrying: { readonly shardId: string; readonly errorCode: string; readonly sends: number };
  /** A user record's put() was rejected after it had been accepted. */
  recordFailed: { readonly shardId: string | undefined; readonly error: unknown };
  /** put() found the buffer full (it waits or rejects by `onBufferFull`). */
  bufferFull: { readonly bufferedRecords: number; readonly bufferedBytes: number };
}
