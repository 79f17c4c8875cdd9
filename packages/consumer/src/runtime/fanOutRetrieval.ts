/**
 * Enhanced fan-out wiring for the consumer: at start, find or register the stream consumer and
 * wait until it is ACTIVE (or check a given `consumerArn`); then every shard worker opens a
 * {@link FanOutBatchSource} over its own SubscribeToShard subscription. Re-subscribe failures are
 * reported as the worker's read events: `ResourceInUseException` (the previous owner's
 * subscription is still open) as `readThrottled`, anything else as `retrievalError`.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { BackoffOptions, Clock, Logger } from '@kinesis-kit/common';
import { ensureStreamConsumer } from '../adapters/fanOutRegistration.js';
import type { StreamConsumerInfo } from '../adapters/fanOutRegistration.js';
import { FanOutShardSource } from '../adapters/fanOutSubscription.js';
import type { FanOutResubscribe } from '../adapters/fanOutSubscription.js';
import { classifyKinesisError } from '../adapters/kinesisErrors.js';
import type { ShardLister } from '../adapters/shardLister.js';
import { isRetrievalError } from '../retrievalPorts.js';
import type { ShardReader } from '../retrievalPorts.js';
import { pollingSources } from './batchSources.js';
import type { BatchSourceRequest, ShardBatchSourceFactory } from './batchSources.js';
import { FanOutBatchSource } from './fanOutBatchSource.js';
import { CachedShardClosedProbe } from './shardClosedProbe.js';
import type { ShardClosedProbe } from './shardClosedProbe.js';

/** @internal */
export interface FanOutSourcesOptions {
  readonly client: Pick<KinesisClient, 'send'>;
  readonly consumerArn: string;
  /** Polling reader that finishes a closed shard (GetRecords returns its children). */
  readonly reader: ShardReader;
  readonly probe: ShardClosedProbe;
  /** @defaultValue 2000 */
  readonly probeIntervalMs?: number;
  /** No event for this long while one is awaited: the subscription is cut and renewed. @defaultValue 60 000 (the KCL's) */
  readonly idleTimeoutMs?: number;
  /** @defaultValue \{ baseMs: 200, capMs: 5000 \} */
  readonly resubscribeBackoff?: BackoffOptions;
}

/**
 * Fan-out sources for every shard worker of one stream.
 * @internal
 */
export function fanOutSources(o: FanOutSourcesOptions): ShardBatchSourceFactory {
  const polling = pollingSources(o.reader);
  return (r: BatchSourceRequest) => {
    const subscription = new FanOutShardSource({
      client: o.client,
      consumerArn: o.consumerArn,
      shardId: r.shardId,
      start: r.start,
      ...(o.resubscribeBackoff !== undefined && { resubscribeBackoff: o.resubscribeBackoff }),
      idleTimeoutMs: o.idleTimeoutMs ?? 60_000,
      onResubscribe: (info) => reportResubscribe(r, info),
      clock: r.clock,
      random: r.random,
    });
    return new FanOutBatchSource({
      shardId: r.shardId,
      start: r.start,
      subscription,
      openFinisher: (from) => polling({ ...r, start: from }),
      probe: o.probe,
      ...(o.probeIntervalMs !== undefined && { probeIntervalMs: o.probeIntervalMs }),
      clock: r.clock,
      logger: r.logger,
    });
  };
}

function reportResubscribe(r: BatchSourceRequest, info: FanOutResubscribe): void {
  const { error, attempt, delayMs, position } = info;
  if (error === undefined) {
    // The 5-minute subscription ended (or the server closed it): routine.
    r.logger.debug('subscription ended; re-subscribing', { position, delayMs });
  } else if (isRetrievalError(error, 'throttled')) {
    r.observer.throttled(attempt, delayMs, error);
  } else {
    r.observer.retrievalError(error, attempt, delayMs);
  }
}

/** @internal */
export interface StartFanOutOptions {
  readonly client: KinesisClient;
  readonly streamArn: string | undefined;
  readonly streamName: string | undefined;
  readonly consumerName: string;
  readonly consumerArn: string | undefined;
  readonly reader: ShardReader;
  readonly lister: ShardLister;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
}

/**
 * Registers (or checks) the stream consumer, waits until it is ACTIVE and returns the sources.
 * Rejects with `StreamConsumerArnError` for an unusable `consumerArn`.
 * @internal
 */
export async function startFanOut(
  o: StartFanOutOptions,
  signal: AbortSignal,
): Promise<{ readonly consumer: StreamConsumerInfo; readonly sources: ShardBatchSourceFactory }> {
  const consumer = await ensureStreamConsumer(
    {
      client: o.client,
      ...(o.streamArn !== undefined && { streamArn: o.streamArn }),
      ...(o.streamName !== undefined && { streamName: o.streamName }),
      consumerName: o.consumerName,
      ...(o.consumerArn !== undefined && { consumerArn: o.consumerArn }),
      clock: o.clock,
      random: o.random,
    },
    { signal },
  );
  o.logger.info('enhanced fan-out consumer ACTIVE', { consumerArn: consumer.consumerArn });
  const probe = new CachedShardClosedProbe({
    clock: o.clock,
    listShards: (s) =>
      o.lister.listShards(undefined, { signal: s }).catch((error: unknown) => {
        throw classifyKinesisError(error, 'ListShards');
      }),
  });
  const sources = fanOutSources({
    client: o.client,
    consumerArn: consumer.consumerArn,
    reader: o.reader,
    probe,
  });
  return { consumer, sources };
}
