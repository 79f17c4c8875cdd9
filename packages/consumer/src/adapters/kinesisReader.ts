/**
 * The `ShardReader` port over `@aws-sdk/client-kinesis`: GetShardIterator and GetRecords, SDK
 * shapes translated to domain shapes, and SDK errors classified by `name` (and `$retryable`),
 * never by message, into {@link RetrievalError} kinds. It decides nothing: what a kind means
 * (restart the iterator, back off, end the shard) is the shard worker's business.
 */
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { isAbortError } from '@kinesis-kit/common';
import type { CallOptions } from '../ports.js';
import { RetrievalError } from '../retrievalPorts.js';
import { toChildShard, toRawRecord } from './kinesisRecords.js';
import type {
  GetRecordsResult,
  IteratorPosition,
  RetrievalErrorKind,
  ShardReader,
} from '../retrievalPorts.js';

/** The stream, by name or by ARN (never both). @public */
export type StreamSelector =
  | { readonly streamName: string; readonly streamArn?: never }
  | { readonly streamArn: string; readonly streamName?: never };

/** @public */
export type KinesisShardReaderOptions = StreamSelector & {
  /** Only `send` is used; the reader never destroys a client it did not create. */
  readonly client: Pick<KinesisClient, 'send'>;
};

const KIND_BY_NAME: Readonly<Record<string, RetrievalErrorKind>> = {
  ExpiredIteratorException: 'expired-iterator',
  ProvisionedThroughputExceededException: 'throttled',
  LimitExceededException: 'throttled',
  KMSThrottlingException: 'throttled',
  ThrottlingException: 'throttled',
  ResourceNotFoundException: 'shard-not-found',
  InvalidArgumentException: 'invalid-argument',
};

/**
 * Reads shards of one stream by polling.
 * @public
 * @example
 * ```ts
 * const reader = new KinesisShardReader({ client: new KinesisClient({}), streamName: 'orders' });
 * const it = await reader.getShardIterator('shardId-000000000000', { type: 'TRIM_HORIZON' });
 * const { records, nextShardIterator } = await reader.getRecords(it, 1000);
 * ```
 */
export class KinesisShardReader implements ShardReader {
  private readonly stream: { StreamName: string } | { StreamARN: string };

  constructor(private readonly options: KinesisShardReaderOptions) {
    this.stream =
      options.streamArn !== undefined
        ? { StreamARN: options.streamArn }
        : { StreamName: options.streamName };
  }

  async getShardIterator(
    shardId: string,
    position: IteratorPosition,
    options: CallOptions = {},
  ): Promise<string> {
    const command = new GetShardIteratorCommand({
      ...this.stream,
      ShardId: shardId,
      ShardIteratorType: position.type,
      ...('sequenceNumber' in position && { StartingSequenceNumber: position.sequenceNumber }),
      ...('timestamp' in position && { Timestamp: position.timestamp }),
    });
    try {
      const out = await this.options.client.send(command, { abortSignal: options.signal });
      if (out.ShardIterator) return out.ShardIterator;
    } catch (error) {
      throw classify(error, shardId, 'GetShardIterator');
    }
    // The KCL reads a missing iterator as the end of the shard.
    throw new RetrievalError(
      'shard-not-found',
      `GetShardIterator returned no iterator for ${shardId}`,
      {
        shardId,
      },
    );
  }

  async getRecords(
    iterator: string,
    limit: number,
    options: CallOptions = {},
  ): Promise<GetRecordsResult> {
    const command = new GetRecordsCommand({
      ShardIterator: iterator,
      Limit: limit,
      ...('StreamARN' in this.stream && { StreamARN: this.stream.StreamARN }),
    });
    let out;
    try {
      out = await this.options.client.send(command, { abortSignal: options.signal });
    } catch (error) {
      throw classify(error, undefined, 'GetRecords');
    }
    const records = (out.Records ?? []).map(toRawRecord);
    const result: {
      -readonly [K in keyof GetRecordsResult]: GetRecordsResult[K];
    } = { records };
    if (out.NextShardIterator) result.nextShardIterator = out.NextShardIterator;
    if (out.MillisBehindLatest !== undefined) result.millisBehindLatest = out.MillisBehindLatest;
    if (out.ChildShards && out.ChildShards.length > 0) {
      result.childShards = out.ChildShards.map(toChildShard);
    }
    return result;
  }
}

/** SDK error → RetrievalError by `name` / `$retryable`; aborts pass through untouched. */
function classify(error: unknown, shardId: string | undefined, operation: string): unknown {
  if (isAbortError(error)) return error;
  const name = error instanceof Error ? error.name : 'Unknown';
  const retryable = (error as { $retryable?: { throttling?: boolean } } | null)?.$retryable;
  const kind: RetrievalErrorKind =
    KIND_BY_NAME[name] ?? (retryable?.throttling === true ? 'throttled' : 'other');
  return new RetrievalError(kind, `${operation} failed: ${name}`, {
    cause: error,
    ...(shardId !== undefined && { shardId }),
  });
}
