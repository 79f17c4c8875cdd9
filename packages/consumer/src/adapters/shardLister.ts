/**
 * ListShards for the consumer: every page (later pages carry only NextToken, since the service
 * rejects NextToken together with the stream name or ARN), with the ShardFilter the KCL uses for
 * an empty lease table. Translates to `ShardDescription`; decides nothing.
 */
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, ListShardsCommandInput, ShardFilter } from '@aws-sdk/client-kinesis';
import type { CallOptions, ShardDescription } from '../ports.js';

/** @internal */
export interface StreamRef {
  readonly streamName?: string | undefined;
  readonly streamArn?: string | undefined;
}

/** @internal */
export class ShardLister {
  constructor(
    private readonly client: KinesisClient,
    private readonly stream: StreamRef,
  ) {}

  async listShards(filter?: ShardFilter, options: CallOptions = {}): Promise<ShardDescription[]> {
    const shards: ShardDescription[] = [];
    let nextToken: string | undefined;
    do {
      const input: ListShardsCommandInput =
        nextToken !== undefined
          ? { NextToken: nextToken, MaxResults: 1000 }
          : {
              ...(this.stream.streamArn !== undefined
                ? { StreamARN: this.stream.streamArn }
                : { StreamName: this.stream.streamName }),
              MaxResults: 1000,
              ...(filter && { ShardFilter: filter }),
            };
      const out = await this.client.send(new ListShardsCommand(input), {
        abortSignal: options.signal,
      });
      for (const s of out.Shards ?? []) {
        if (!s.ShardId || !s.HashKeyRange || !s.SequenceNumberRange?.StartingSequenceNumber)
          continue;
        shards.push({
          ShardId: s.ShardId,
          ...(s.ParentShardId !== undefined && { ParentShardId: s.ParentShardId }),
          ...(s.AdjacentParentShardId !== undefined && {
            AdjacentParentShardId: s.AdjacentParentShardId,
          }),
          HashKeyRange: {
            StartingHashKey: s.HashKeyRange.StartingHashKey ?? '0',
            EndingHashKey: s.HashKeyRange.EndingHashKey ?? '0',
          },
          SequenceNumberRange: {
            StartingSequenceNumber: s.SequenceNumberRange.StartingSequenceNumber,
            ...(s.SequenceNumberRange.EndingSequenceNumber !== undefined && {
              EndingSequenceNumber: s.SequenceNumberRange.EndingSequenceNumber,
            }),
          },
        });
      }
      nextToken = out.NextToken;
    } while (nextToken !== undefined);
    return shards;
  }
}
