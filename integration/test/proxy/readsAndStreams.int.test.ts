/**
 * Read limits (iterator → shard), resharding seen through the proxy, SubscribeToShard streamed
 * through it, and the proxy as a child process steered over its control endpoint.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import {
  KINESIS_ENDPOINT_VAR,
  createKinesisClient,
  splitShardAndWait,
  waitForStreamActive,
} from '../../src/index.js';
import { startProxyProcess } from '../../src/proxy/index.js';
import { useProxyFixture } from './proxyFixture.js';

jest.setTimeout(90_000);

const KiB = 1024;
const SHARD0 = 'shardId-000000000000';

const fx = useProxyFixture();
const { newStream } = fx;

async function iterator(streamName: string, shardId = SHARD0): Promise<string> {
  const { ShardIterator } = await fx.kinesis.send(
    new GetShardIteratorCommand({
      StreamName: streamName,
      ShardId: shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  return ShardIterator!;
}

const outcome = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error as Error).name,
  );

describe('read limits', () => {
  it('admits 5 GetRecords calls per shard at once and throttles the rest', async () => {
    // Prepare
    const streamName = await newStream(2);
    const [low, high] = [
      await iterator(streamName),
      await iterator(streamName, 'shardId-000000000001'),
    ];
    // Act: 8 concurrent calls on one shard, then one on the other, with no time passing for the
    // limits (on a loaded machine the 8 sends can take longer than one 200 ms token).
    fx.freezeLimitClock();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        outcome(fx.kinesis.send(new GetRecordsCommand({ ShardIterator: low }))),
      ),
    );
    const other = await outcome(fx.kinesis.send(new GetRecordsCommand({ ShardIterator: high })));
    // Assess
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(results.filter((r) => r === 'ProvisionedThroughputExceededException')).toHaveLength(3);
    expect(other).toBe('ok');
    expect(fx.proxy.stats().shards[`${streamName}/${SHARD0}`]).toMatchObject({
      getRecordsCalls: 8,
      throttledGetRecords: 3,
    });
  });

  it('blocks a shard after a large read until the 2 MiB/s budget has paid for it, following NextShardIterator', async () => {
    // Prepare: 1.5 MiB in one shard (written with limits off), read with the service's limits.
    fx.proxy.setLimits(false);
    const streamName = await newStream(1);
    for (let i = 0; i < 3; i++) {
      await fx.kinesis.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: Array.from({ length: 5 }, (_, j) => ({
            PartitionKey: `${i}-${j}`,
            Data: new Uint8Array(100 * KiB),
          })),
        }),
      );
    }
    fx.proxy.setLimits({});
    // Act: the first read returns ~1.5 MiB; the next one, on the returned iterator, comes too early.
    const first = await fx.kinesis.send(
      new GetRecordsCommand({ ShardIterator: await iterator(streamName) }),
    );
    const readAt = performance.now();
    const early = await outcome(
      fx.kinesis.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator })),
    );
    // 1.5 MiB at 2 MiB/s is paid for 750 ms after the read.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, 800 - (performance.now() - readAt))),
    );
    const later = await outcome(
      fx.kinesis.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator })),
    );
    // Assess
    expect(first.Records).toHaveLength(15);
    expect(early).toBe('ProvisionedThroughputExceededException');
    expect(later).toBe('ok');
    expect(fx.proxy.stats().totals.readBytes).toBe(15 * (100 * KiB + 3));
  });
});

describe('resharding', () => {
  it('limits the children of a split separately once the split is seen', async () => {
    // Prepare: 5 records/s per shard; split the only shard through the proxy.
    fx.proxy.setLimits({ writeRecordsPerSecond: 5 });
    const streamName = await newStream(1);
    const [lowChild, highChild] = await splitShardAndWait(streamName, SHARD0, undefined, {
      kinesis: fx.kinesis,
    });
    await waitForStreamActive(streamName);
    // The proxy refreshes its map in the background once the stream is ACTIVE again.
    const deadline = performance.now() + 10_000;
    while (fx.proxy.stats().shardMapRefreshes < 2 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    fx.proxy.reset();
    // Act: 10 entries to each half of the key space.
    const output = await fx.kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: Array.from({ length: 20 }, (_, i) => ({
          PartitionKey: `k${i}`,
          ExplicitHashKey: i % 2 === 0 ? '1' : ((1n << 128n) - 2n).toString(),
          Data: new Uint8Array(1),
        })),
      }),
    );
    // Assess: each child admitted its own 5 (one second of burst).
    expect(output.FailedRecordCount).toBe(10);
    const shards = fx.proxy.stats().shards;
    expect(shards[`${streamName}/${lowChild!}`]).toMatchObject({
      putEntries: 10,
      throttledEntries: 5,
    });
    expect(shards[`${streamName}/${highChild!}`]).toMatchObject({
      putEntries: 10,
      throttledEntries: 5,
    });
  });
});

describe('SubscribeToShard', () => {
  it('streams enhanced fan-out events through the proxy untouched', async () => {
    // Prepare
    const { streamName, streamArn } = await fx.newStreamWithArn(1);
    const { Consumer } = await fx.kinesis.send(
      new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'proxy-test' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500)); // CREATING → ACTIVE
    await fx.kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: Array.from({ length: 3 }, (_, i) => ({
          PartitionKey: `k${i}`,
          Data: new TextEncoder().encode(`r${i}`),
        })),
      }),
    );
    const abort = new AbortController();
    // Act
    const { EventStream } = await fx.kinesis.send(
      new SubscribeToShardCommand({
        ConsumerARN: Consumer!.ConsumerARN,
        ShardId: SHARD0,
        StartingPosition: { Type: 'TRIM_HORIZON' },
      }),
      { abortSignal: abort.signal },
    );
    const received: string[] = [];
    for await (const event of EventStream!) {
      for (const record of event.SubscribeToShardEvent?.Records ?? []) {
        received.push(new TextDecoder().decode(record.Data));
      }
      if (received.length >= 3) break;
    }
    abort.abort();
    // Assess
    expect(received).toEqual(['r0', 'r1', 'r2']);
    expect(fx.proxy.stats().requests.SubscribeToShard).toBe(1);
  });
});

describe('child process', () => {
  it('runs the proxy out of process, steered over the control endpoint', async () => {
    // Prepare
    const child = await startProxyProcess({ target: process.env[KINESIS_ENDPOINT_VAR]!, seed: 3 });
    const client = createKinesisClient({ endpoint: child.endpoint, maxAttempts: 1 });
    try {
      const streamName = await newStream(1);
      await child.setLimits({ writeRecordsPerSecond: 3 });
      await child.setFaults([{ operations: ['ListShards'], fault: { kind: 'http-503' } }]);
      // Act
      const output = await client.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: Array.from({ length: 5 }, (_, i) => ({
            PartitionKey: `k${i}`,
            Data: new Uint8Array(1),
          })),
        }),
      );
      const listed = await outcome(client.send(new ListShardsCommand({ StreamName: streamName })));
      const iterated = await outcome(
        client.send(
          new GetShardIteratorCommand({
            StreamName: streamName,
            ShardId: SHARD0,
            ShardIteratorType: 'LATEST',
          }),
        ),
      );
      // Assess
      expect(output.FailedRecordCount).toBe(2);
      expect(listed).toBe('ServiceUnavailable');
      expect(iterated).toBe('ok');
      const stats = await child.stats();
      expect(stats.totals).toMatchObject({ putEntries: 5, throttledEntries: 2 });
      expect(stats.faults).toEqual({ 'http-503': 1 });
      await child.reset();
      expect((await child.stats()).totals.putEntries).toBe(0);
      await expect(child.setFaults([{ fault: { kind: 'explode' } } as never])).rejects.toThrow(
        /unknown fault/,
      );
    } finally {
      client.destroy();
      await child.close();
    }
  });
});
