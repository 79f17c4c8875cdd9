/**
 * ListShards, paged: the open shards of the stream (ShardFilter AT_LATEST, 1000 per page). Pages
 * after the first carry only NextToken, because NextToken together with the stream name or ARN is
 * rejected by the service (KPL issue #481). Errors propagate as the SDK raised them.
 */
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';

/** The port the producer reads shard maps through (a fake in unit tests). @internal */
export interface ShardMapSource {
  listOpenShards(signal?: AbortSignal): Promise<Shard[]>;
}

/** @internal */
export class KinesisShardMapSource implements ShardMapSource {
  constructor(
    private readonly client: KinesisClient,
    private readonly target: { readonly streamName?: string; readonly streamArn?: string },
  ) {}

  async listOpenShards(signal?: AbortSignal): Promise<Shard[]> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const input =
        nextToken === undefined
          ? {
              ...(this.target.streamArn !== undefined
                ? { StreamARN: this.target.streamArn }
                : { StreamName: this.target.streamName }),
              ShardFilter: { Type: 'AT_LATEST' as const },
              MaxResults: 1000,
            }
          : { NextToken: nextToken, MaxResults: 1000 };
      const page = await this.client.send(
        new ListShardsCommand(input),
        signal ? { abortSignal: signal } : {},
      );
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
    return shards;
  }
}
