import { DescribeStreamSummaryCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { Shard } from '@aws-sdk/client-kinesis';
import {
  createKinesisClient,
  createTestStream,
  deleteStream,
  destroySharedClients,
  listAllShards,
  mergeShardsAndWait,
  readAllRecords,
  splitShardAndWait,
  uniqueName,
  waitForStreamActive,
} from '@kinesis-kit/integration';

// `testTimeout` in a jest project config is ignored (it is a global option): set it here.
jest.setTimeout(60_000);

const MAX_HASH_KEY = ((1n << 128n) - 1n).toString();
const HALF = (1n << 127n).toString();
const kinesis = createKinesisClient();
const streams: string[] = [];

afterAll(async () => {
  await Promise.all(streams.map((name) => deleteStream(name)));
  kinesis.destroy();
  destroySharedClients();
});

async function newStream(shards: number): Promise<string> {
  const { streamName } = await createTestStream(shards);
  streams.push(streamName);
  return streamName;
}

function byId(shards: Shard[], id: string): Shard {
  const shard = shards.find((s) => s.ShardId === id);
  if (shard === undefined) throw new Error(`no shard ${id}`);
  return shard;
}

async function put(streamName: string, prefix: string, count: number): Promise<void> {
  const output = await kinesis.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: Array.from({ length: count }, (_, i) => ({
        PartitionKey: `${prefix}-${i}`,
        Data: new TextEncoder().encode(`${prefix}-${i}`),
      })),
    }),
  );
  expect(output.FailedRecordCount).toBe(0);
}

describe('createTestStream', () => {
  it('returns an ACTIVE stream with the requested shards covering the hash space', async () => {
    // Act
    const { streamName, streamArn } = await createTestStream(3, { name: uniqueName('named') });
    streams.push(streamName);
    // Assess
    const { StreamDescriptionSummary: summary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: streamName }),
    );
    expect(summary?.StreamStatus).toBe('ACTIVE');
    expect(streamArn).toBe(summary?.StreamARN);
    expect(streamArn.endsWith(`:stream/${streamName}`)).toBe(true);
    const shards = await listAllShards(streamName, { pageSize: 1 });
    expect(shards).toHaveLength(3);
    const ranges = shards.map((s) => s.HashKeyRange!);
    expect(ranges[0]!.StartingHashKey).toBe('0');
    expect(ranges[2]!.EndingHashKey).toBe(MAX_HASH_KEY);
    for (let i = 1; i < ranges.length; i++) {
      expect(BigInt(ranges[i]!.StartingHashKey!)).toBe(BigInt(ranges[i - 1]!.EndingHashKey!) + 1n);
    }
  });
});

describe('splitShardAndWait and mergeShardsAndWait', () => {
  it('split at the middle yields two children of the parent; merging them yields one', async () => {
    // Prepare
    const streamName = await newStream(1);
    const [parent] = await listAllShards(streamName);
    const parentId = parent!.ShardId!;

    // Act: split
    const children = await splitShardAndWait(streamName, parentId);

    // Assess: two children, lower range first, each with the parent as its only parent.
    expect(children).toHaveLength(2);
    const [low, high] = children as [string, string];
    let shards = await listAllShards(streamName);
    expect(shards).toHaveLength(3);
    expect(byId(shards, parentId).SequenceNumberRange?.EndingSequenceNumber).toBeDefined();
    for (const id of children) {
      expect(byId(shards, id).ParentShardId).toBe(parentId);
      expect(byId(shards, id).AdjacentParentShardId).toBeUndefined();
    }
    expect(byId(shards, low).HashKeyRange).toEqual({
      StartingHashKey: '0',
      EndingHashKey: (BigInt(HALF) - 1n).toString(),
    });
    expect(byId(shards, high).HashKeyRange).toEqual({
      StartingHashKey: HALF,
      EndingHashKey: MAX_HASH_KEY,
    });

    // Act: merge the children back
    const merged = await mergeShardsAndWait(streamName, low, high);

    // Assess
    expect(merged).toHaveLength(1);
    shards = await listAllShards(streamName);
    const mergedShard = byId(shards, merged[0]!);
    expect(mergedShard.ParentShardId).toBe(low);
    expect(mergedShard.AdjacentParentShardId).toBe(high);
    expect(mergedShard.HashKeyRange).toEqual({ StartingHashKey: '0', EndingHashKey: MAX_HASH_KEY });
    expect(shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined)).toEqual(
      [mergedShard],
    );
  });

  it('splits at an explicit hash key', async () => {
    const streamName = await newStream(1);
    const [parent] = await listAllShards(streamName);
    const [low, high] = (await splitShardAndWait(streamName, parent!.ShardId!, '1000')) as [
      string,
      string,
    ];
    const shards = await listAllShards(streamName);
    expect(byId(shards, low).HashKeyRange?.EndingHashKey).toBe('999');
    expect(byId(shards, high).HashKeyRange?.StartingHashKey).toBe('1000');
  });
});

describe('readAllRecords', () => {
  it('finds records written before and after a split, in parent and children', async () => {
    // Prepare
    const streamName = await newStream(1);
    const [parent] = await listAllShards(streamName);
    await put(streamName, 'before', 40);
    const children = await splitShardAndWait(streamName, parent!.ShardId!);
    await put(streamName, 'after', 60);

    // Act
    const records = await readAllRecords(streamName, { untilCount: 100, timeoutMs: 20_000 });

    // Assess: every record once, the early ones in the parent, the late ones in the children.
    const text = (data: Uint8Array): string => new TextDecoder().decode(data);
    expect(records.map((r) => text(r.data)).sort()).toEqual(
      [
        ...Array.from({ length: 40 }, (_, i) => `before-${i}`),
        ...Array.from({ length: 60 }, (_, i) => `after-${i}`),
      ].sort(),
    );
    for (const record of records) {
      expect(record.partitionKey).toBe(text(record.data));
      const expected = record.partitionKey.startsWith('before') ? [parent!.ShardId] : children;
      expect(expected).toContain(record.shardId);
    }
    expect(new Set(records.map((r) => r.shardId)).size).toBe(3);
  });

  it('follows ChildShards to children created after reading started', async () => {
    // Prepare: read the parent to its tip first, then reshard and write to the children only.
    const streamName = await newStream(1);
    const [parent] = await listAllShards(streamName);
    await put(streamName, 'early', 5);
    const reading = readAllRecords(streamName, { untilCount: 25, timeoutMs: 20_000 });
    const children = await splitShardAndWait(streamName, parent!.ShardId!);
    await put(streamName, 'late', 20);

    // Act
    const records = await reading;

    // Assess
    expect(records).toHaveLength(25);
    const late = records.filter((r) => r.partitionKey.startsWith('late'));
    expect(late).toHaveLength(20);
    for (const record of late) expect(children).toContain(record.shardId);
  });

  it('without untilCount reads each shard once to its tip', async () => {
    const streamName = await newStream(2);
    expect(await readAllRecords(streamName)).toEqual([]);
    await put(streamName, 'x', 10);
    const records = await readAllRecords(streamName);
    expect(records).toHaveLength(10);
    expect(records.every((r) => /^\d+$/.test(r.sequenceNumber))).toBe(true);
  });
});

describe('deleteStream', () => {
  it('deletes a stream and ignores one that does not exist', async () => {
    const streamName = await newStream(1);
    await deleteStream(streamName);
    await expect(deleteStream(uniqueName('never-created'))).resolves.toBeUndefined();
  });
});

describe('waitForStreamActive', () => {
  it('fails at once for a stream that does not exist', async () => {
    const started = performance.now();
    await expect(waitForStreamActive(uniqueName('missing'))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
