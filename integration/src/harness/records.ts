import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { GetRecordsCommandOutput, KinesisClient } from '@aws-sdk/client-kinesis';
import { setTimeout as sleep } from 'node:timers/promises';
import { sharedKinesisClient } from './clients.js';
import { listAllShards } from './streams.js';

/**
 * A Kinesis record as stored (not de-aggregated), with the shard it was read from. The fields
 * have the shape `deaggregate()` of `@kinesis-kit/common` takes.
 * @public
 */
export interface ReadRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly approximateArrivalTimestamp?: Date;
}

/** Options of {@link readAllRecords}. @public */
export interface ReadAllRecordsOptions {
  /**
   * Keep polling the open shards until at least this many records were read (or the timeout).
   * Without it, each shard is read once up to its tip.
   */
  readonly untilCount?: number;
  /** Give up and return what was read so far. @defaultValue 30000 */
  readonly timeoutMs?: number;
  /** Pause between polls of the open shards when `untilCount` is not reached. @defaultValue 100 */
  readonly pollIntervalMs?: number;
  /** @defaultValue the harness's shared client */
  readonly kinesis?: KinesisClient;
}

interface ShardCursor {
  readonly shardId: string;
  /** undefined once the shard is closed and fully read. */
  iterator: string | undefined;
}

/**
 * Reads every record of every shard of a stream from TRIM_HORIZON: open shards, closed parents,
 * and children a parent names in `ChildShards` when it ends (so records written during a reshard
 * are found too). Records are grouped by shard, in sequence order within a shard. It never
 * throws for a timeout: it returns what it read, and the test's count assertion says what is
 * missing.
 * @public
 * @example
 * const records = await readAllRecords(streamName, { untilCount: 100 });
 * expect(records).toHaveLength(100);
 */
export async function readAllRecords(
  streamName: string,
  options: ReadAllRecordsOptions = {},
): Promise<ReadRecord[]> {
  const kinesis = options.kinesis ?? sharedKinesisClient();
  const deadline = performance.now() + (options.timeoutMs ?? 30_000);
  const records: ReadRecord[] = [];
  const cursors: ShardCursor[] = [];
  const seen = new Set<string>();
  const addShard = async (shardId: string): Promise<void> => {
    if (seen.has(shardId)) return;
    seen.add(shardId);
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    cursors.push({ shardId, iterator: ShardIterator });
  };

  for (const shard of await listAllShards(streamName, { kinesis })) await addShard(shard.ShardId!);
  for (;;) {
    // Cursors may be appended (children) while iterating; a plain index loop picks them up.
    for (let i = 0; i < cursors.length; i++) {
      const cursor = cursors[i]!;
      while (cursor.iterator !== undefined && performance.now() < deadline) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: cursor.iterator }));
        records.push(...toReadRecords(cursor.shardId, page));
        cursor.iterator = page.NextShardIterator ?? undefined;
        // A closed shard's last page has no next iterator and names its children.
        for (const child of page.ChildShards ?? []) await addShard(child.ShardId!);
        const atTip = (page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0;
        if (atTip) break;
      }
    }
    const done = options.untilCount === undefined ? true : records.length >= options.untilCount;
    if (done || performance.now() >= deadline) return records;
    await sleep(options.pollIntervalMs ?? 100);
  }
}

function toReadRecords(shardId: string, page: GetRecordsCommandOutput): ReadRecord[] {
  return (page.Records ?? []).map((r) => ({
    shardId,
    sequenceNumber: r.SequenceNumber!,
    partitionKey: r.PartitionKey!,
    data: r.Data ?? new Uint8Array(),
    ...(r.ApproximateArrivalTimestamp !== undefined && {
      approximateArrivalTimestamp: r.ApproximateArrivalTimestamp,
    }),
  }));
}
