/**
 * How a shard worker opens its {@link ShardBatchSource}: a factory the consumer chooses once
 * (`retrieval: 'polling' | 'fanout'`) and every shard worker calls with its shard, start position
 * and reporting hooks. Polling is the default, over the worker's `ShardReader`.
 */
import type { IteratorPosition, ShardBatchSource, ShardReader } from '../retrievalPorts.js';
import { PollingBatchSource } from './pollingBatchSource.js';
import type { ShardReadContext } from './prefetcher.js';

/** What a shard worker tells the factory when it opens its source. @internal */
export interface BatchSourceRequest extends ShardReadContext {
  readonly shardId: string;
  /** Where reading starts: the lease checkpoint (`AT_SEQUENCE_NUMBER`) or a sentinel. */
  readonly start: IteratorPosition;
}

/** Opens one shard's batch source. @internal */
export type ShardBatchSourceFactory = (request: BatchSourceRequest) => ShardBatchSource;

/**
 * Polling sources over `reader`.
 * @internal
 * @example
 * ```ts
 * const open = pollingSources(new KinesisShardReader({ client, streamName }));
 * ```
 */
export function pollingSources(reader: ShardReader): ShardBatchSourceFactory {
  return (r) =>
    new PollingBatchSource({
      shardId: r.shardId,
      reader,
      start: r.start,
      config: r.config,
      clock: r.clock,
      metrics: r.metrics,
      dimensions: r.dimensions,
      onIteratorExpired: (restartFrom) => r.observer.iteratorExpired(restartFrom),
    });
}
