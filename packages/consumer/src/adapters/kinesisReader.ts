/**
 * The `ShardReader` port over `@aws-sdk/client-kinesis`: GetShardIterator and GetRecords, SDK
 * shapes translated to domain shapes, and SDK errors classified into {@link RetrievalError} kinds
 * by the shared `classifyKinesisError` (by `name` and `$retryable`, never by message). It decides
 * nothing: what a kind means (restart the iterator, back off, end the shard) is the runtime's.
 */
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { CallOptions } from '../ports.js';
import { RetrievalError } from '../retrievalPorts.js';
import { classifyKinesisError } from './kinesisErrors.js';
import { toChildShard, toRawRecord } from './kinesisRecords.js';
import type {
  GetRecordsResult,
  IteratorPosition,
  RawRecord,
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
      throw classifyKinesisError(error, 'GetShardIterator', shardId);
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
      throw classifyKinesisError(error, 'GetRecords');
    }
    // One pass: the prefetch budget and the read pacing need the bytes, and counting them here,
    // while each record is in hand, spares them another walk over up to 10 000 records.
    const sdkRecords = out.Records ?? [];
    const records: RawRecord[] = new Array<RawRecord>(sdkRecords.length);
    let dataBytes = 0;
    for (let i = 0; i < sdkRecords.length; i++) {
      const record = toRawRecord(sdkRecords[i]!);
      dataBytes += record.data.length;
      records[i] = record;
    }
    const result: {
      -readonly [K in keyof GetRecordsResult]: GetRecordsResult[K];
    } = { records, dataBytes };
    if (out.NextShardIterator) result.nextShardIterator = out.NextShardIterator;
    if (out.MillisBehindLatest !== undefined) result.millisBehindLatest = out.MillisBehindLatest;
    if (out.ChildShards && out.ChildShards.length > 0) {
      result.childShards = out.ChildShards.map(toChildShard);
    }
    return result;
  }
}
