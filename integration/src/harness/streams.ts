import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  MergeShardsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient, Shard, StreamDescriptionSummary } from '@aws-sdk/client-kinesis';
import { sharedKinesisClient } from './clients.js';
import { compareHashKeys, midpointHashKey } from './hashKeys.js';
import { uniqueName } from './names.js';
import { pollUntil } from './wait.js';

/** Options every stream helper takes. @public */
export interface StreamHelperOptions {
  /** @defaultValue the harness's shared client for `KINESIS_ENDPOINT` */
  readonly kinesis?: KinesisClient;
  /** How long to wait for the stream to become ACTIVE. @defaultValue 30000 */
  readonly timeoutMs?: number;
}

/** A stream created by {@link createTestStream}. @public */
export interface TestStream {
  readonly streamName: string;
  readonly streamArn: string;
}

/**
 * Creates a provisioned stream with `shardCount` shards (a unique name unless `name` is given)
 * and waits until it is ACTIVE.
 * @public
 * @example
 * const { streamName } = await createTestStream(2);
 * afterAll(() => deleteStream(streamName));
 */
export async function createTestStream(
  shardCount = 1,
  options: StreamHelperOptions & { readonly name?: string } = {},
): Promise<TestStream> {
  const kinesis = options.kinesis ?? sharedKinesisClient();
  const streamName = options.name ?? uniqueName('stream');
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  const summary = await waitForStreamActive(streamName, options);
  return { streamName, streamArn: summary.StreamARN! };
}

/**
 * Polls DescribeStreamSummary until the stream is ACTIVE and returns the summary. A stream that
 * does not exist fails at once with the SDK's `ResourceNotFoundException`.
 * @public
 */
export async function waitForStreamActive(
  streamName: string,
  options: StreamHelperOptions = {},
): Promise<StreamDescriptionSummary> {
  const kinesis = options.kinesis ?? sharedKinesisClient();
  return pollUntil(
    async () => {
      const { StreamDescriptionSummary: summary } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: streamName }),
      );
      return summary?.StreamStatus === 'ACTIVE' ? summary : undefined;
    },
    {
      description: `stream ${streamName} to become ACTIVE`,
      timeoutMs: options.timeoutMs,
      // A deleted stream never becomes ACTIVE (e.g. a timed-out test's cleanup ran meanwhile).
      isFatal: (error) => (error as { name?: unknown }).name === 'ResourceNotFoundException',
    },
  );
}

/**
 * Every shard of the stream, open and closed, following ListShards' `NextToken`.
 * @public
 */
export async function listAllShards(
  streamName: string,
  options: StreamHelperOptions & { readonly pageSize?: number } = {},
): Promise<Shard[]> {
  const kinesis = options.kinesis ?? sharedKinesisClient();
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    // ListShards rejects StreamName together with NextToken.
    const page = await kinesis.send(
      new ListShardsCommand(
        nextToken === undefined
          ? { StreamName: streamName, MaxResults: options.pageSize }
          : { NextToken: nextToken, MaxResults: options.pageSize },
      ),
    );
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return shards;
}

/**
 * Splits `shardId` at `newStartingHashKey` (default: the middle of its range), waits until the
 * stream is ACTIVE again, and returns the two child shard ids, lower hash range first.
 * @public
 * @example
 * const [low, high] = await splitShardAndWait(streamName, 'shardId-000000000000');
 */
export async function splitShardAndWait(
  streamName: string,
  shardId: string,
  newStartingHashKey?: string,
  options: StreamHelperOptions = {},
): Promise<string[]> {
  const kinesis = options.kinesis ?? sharedKinesisClient();
  // A reshard while another one runs fails with ResourceInUseException.
  await waitForStreamActive(streamName, options);
  let startingKey = newStartingHashKey;
  if (startingKey === undefined) {
    const shard = (await listAllShards(streamName, options)).find((s) => s.ShardId === shardId);
    if (shard?.HashKeyRange === undefined) throw new Error(`no shard ${shardId} in ${streamName}`);
    const { StartingHashKey, EndingHashKey } = shard.HashKeyRange;
    startingKey = midpointHashKey(StartingHashKey!, EndingHashKey!);
  }
  await kinesis.send(
    new SplitShardCommand({
      StreamName: streamName,
      ShardToSplit: shardId,
      NewStartingHashKey: startingKey,
    }),
  );
  const children = await waitForChildren(
    streamName,
    (s) => s.ParentShardId === shardId && s.AdjacentParentShardId === undefined,
    2,
    options,
  );
  return children.map((s) => s.ShardId!);
}

/**
 * Merges `shardId` with the adjacent `adjacentShardId`, waits until the stream is ACTIVE again and
 * returns the id of the merged shard (as a one-element array, like {@link splitShardAndWait}).
 * Its `ParentShardId` is `shardId` and its `AdjacentParentShardId` is `adjacentShardId`.
 * @public
 */
export async function mergeShardsAndWait(
  streamName: string,
  shardId: string,
  adjacentShardId: string,
  options: StreamHelperOptions = {},
): Promise<string[]> {
  const kinesis = options.kinesis ?? sharedKinesisClient();
  await waitForStreamActive(streamName, options);
  await kinesis.send(
    new MergeShardsCommand({
      StreamName: streamName,
      ShardToMerge: shardId,
      AdjacentShardToMerge: adjacentShardId,
    }),
  );
  const children = await waitForChildren(
    streamName,
    (s) => s.ParentShardId === shardId && s.AdjacentParentShardId === adjacentShardId,
    1,
    options,
  );
  return children.map((s) => s.ShardId!);
}

/**
 * Deletes a stream (and its EFO consumers); a missing stream is not an error, so this is safe in
 * `afterEach`/`afterAll`. Does not wait for the deletion to finish.
 * @public
 */
export async function deleteStream(
  streamName: string,
  options: StreamHelperOptions = {},
): Promise<void> {
  const kinesis = options.kinesis ?? sharedKinesisClient();
  try {
    await kinesis.send(
      new DeleteStreamCommand({ StreamName: streamName, EnforceConsumerDeletion: true }),
    );
  } catch (error) {
    if ((error as { name?: unknown }).name !== 'ResourceNotFoundException') throw error;
  }
}

/**
 * Waits until the stream is ACTIVE *and* lists the expected children. Checking ACTIVE alone could
 * pass before the reshard has even begun (an engine may report UPDATING only after the call).
 */
async function waitForChildren(
  streamName: string,
  isChild: (shard: Shard) => boolean,
  expected: number,
  options: StreamHelperOptions,
): Promise<Shard[]> {
  return pollUntil(
    async () => {
      await waitForStreamActive(streamName, options);
      const children = (await listAllShards(streamName, options)).filter(isChild);
      if (children.length !== expected) return undefined;
      return children.sort((a, b) =>
        compareHashKeys(a.HashKeyRange!.StartingHashKey!, b.HashKeyRange!.StartingHashKey!),
      );
    },
    { description: `the reshard of ${streamName} to finish`, timeoutMs: options.timeoutMs },
  );
}
