/** ListShards and GetShardIterator/GetRecords in the shapes the commands use. */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import type { GetRecordsCommandOutput, KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import type { ShardNode } from './core/shardGraph.js';
import type { StreamPosition } from './core/position.js';

/** Every shard of the stream (open and closed), following NextToken. */
export async function listShards(
  kinesis: KinesisClient,
  streamName: string,
  signal?: AbortSignal,
): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    // ListShards rejects StreamName together with NextToken.
    const page = await kinesis.send(
      new ListShardsCommand(
        nextToken === undefined ? { StreamName: streamName } : { NextToken: nextToken },
      ),
      { abortSignal: signal },
    );
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return shards;
}

/** A ListShards shard as a graph node. */
export function toNode(shard: Shard): ShardNode {
  return {
    shardId: shard.ShardId!,
    parents: [shard.ParentShardId, shard.AdjacentParentShardId].filter(
      (p): p is string => p !== undefined,
    ),
    open: shard.SequenceNumberRange?.EndingSequenceNumber === undefined,
    startingSequenceNumber: shard.SequenceNumberRange?.StartingSequenceNumber,
    endingSequenceNumber: shard.SequenceNumberRange?.EndingSequenceNumber,
  };
}

/** A shard iterator at `position` (AFTER_SEQUENCE_NUMBER is for resuming). */
export async function shardIterator(
  kinesis: KinesisClient,
  streamName: string,
  shardId: string,
  position:
    StreamPosition | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string },
  signal?: AbortSignal,
): Promise<string | undefined> {
  const out = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: streamName,
      ShardId: shardId,
      ShardIteratorType: position.type,
      ...('timestamp' in position && { Timestamp: position.timestamp }),
      ...('sequenceNumber' in position && { StartingSequenceNumber: position.sequenceNumber }),
    }),
    { abortSignal: signal },
  );
  return out.ShardIterator;
}

/** One GetRecords call. */
export function getRecords(
  kinesis: KinesisClient,
  iterator: string,
  limit: number,
  signal?: AbortSignal,
): Promise<GetRecordsCommandOutput> {
  return kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }), {
    abortSignal: signal,
  });
}
