// Enhanced fan-out against a real Kinesis engine (kinesis-local, or KINESIS_ENDPOINT): register a
// stream consumer, subscribe to a shard through FanOutShardSource, read records back, and resume
// after a forced end of the subscription without losing or repeating a record. kinesis-local
// serves SubscribeToShard only over HTTP/1.1, which is what createKinesisClient() uses.
import { PutRecordsCommand, SubscribeToShardCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, StartingPosition } from '@aws-sdk/client-kinesis';
import {
  createKinesisClient,
  createTestStream,
  deleteStream,
  destroySharedClients,
  listAllShards,
  uniqueName,
} from '@kinesis-kit/integration';
import { ensureStreamConsumer } from '../../../src/adapters/fanOutRegistration.js';
import { FanOutShardSource } from '../../../src/adapters/fanOutSubscription.js';
import type { FanOutResubscribe } from '../../../src/adapters/fanOutSubscription.js';

const kinesis = createKinesisClient();
const streams: string[] = [];
const sources: FanOutShardSource[] = [];
const decode = (data: Uint8Array): string => new TextDecoder().decode(data);

afterAll(async () => {
  await Promise.all(sources.map((s) => s.close()));
  await Promise.all(streams.map((name) => deleteStream(name)));
  kinesis.destroy();
  destroySharedClients();
});

async function put(streamName: string, values: readonly string[]): Promise<void> {
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: values.map((v) => ({ PartitionKey: 'pk', Data: new TextEncoder().encode(v) })),
    }),
  );
}

/** Pulls events until `count` records arrived (or `maxEvents` events passed). */
async function read(source: FanOutShardSource, count: number, maxEvents = 30) {
  const values: string[] = [];
  for (let i = 0; i < maxEvents && values.length < count; i++) {
    const batch = await source.next(AbortSignal.timeout(20_000));
    values.push(...batch.records.map((r) => decode(r.data)));
  }
  return values;
}

describe('enhanced fan-out on the emulator', () => {
  it('registers a consumer, reads records, and resumes after a forced end', async () => {
    // Prepare
    const { streamName, streamArn } = await createTestStream(1);
    streams.push(streamName);
    const [shard] = await listAllShards(streamName);
    const consumerName = uniqueName('app');
    const registered = await ensureStreamConsumer({
      client: kinesis,
      streamName,
      consumerName,
      describePollMs: 200,
      maxDescribeAttempts: 100,
    });
    const again = await ensureStreamConsumer({
      client: kinesis,
      streamArn,
      consumerName,
      describePollMs: 200,
    });
    await put(streamName, ['a', 'b', 'c']);
    const resubscribes: FanOutResubscribe[] = [];
    // A pass-through client that notes where each subscription starts.
    const positions: StartingPosition[] = [];
    const client = {
      send: ((command: object, options?: object) => {
        if (command instanceof SubscribeToShardCommand) {
          positions.push(command.input.StartingPosition!);
        }
        return kinesis.send(command as never, options);
      }) as KinesisClient['send'],
    };
    const source = new FanOutShardSource({
      client,
      consumerArn: registered.consumerArn,
      shardId: shard!.ShardId!,
      start: { type: 'TRIM_HORIZON' },
      resubscribeBackoff: { baseMs: 200, capMs: 1000 },
      onResubscribe: (info) => resubscribes.push(info),
    });
    sources.push(source);

    // Act: read the first records, cut the subscription, put more, read on.
    const first = await read(source, 3);
    const cut = new AbortController();
    const pending = source.next(cut.signal);
    cut.abort();
    await pending.catch(() => undefined);
    await put(streamName, ['d', 'e']);
    const second = await read(source, 2);

    // Assess
    expect(registered.streamArn).toBe(streamArn);
    expect(again.consumerArn).toBe(registered.consumerArn);
    expect(first).toEqual(['a', 'b', 'c']);
    expect(second).toEqual(['d', 'e']);
    // Later subscriptions resume after the continuation seen before the cut, never from the start.
    expect(positions.length).toBeGreaterThanOrEqual(2);
    expect(positions[0]).toEqual({ Type: 'TRIM_HORIZON' });
    expect(positions.slice(1).map((p) => p.Type)).toEqual(
      positions.slice(1).map(() => 'AFTER_SEQUENCE_NUMBER'),
    );
    expect(source.continuationSequenceNumber).toBeDefined();
    // kinesis-local keeps the cut subscription open a while: those retries are ResourceInUse.
    console.info(
      `[fanout] subscriptions: ${String(positions.length)}, retries: ${resubscribes
        .map((r) => ((r.error as Error | undefined)?.cause as Error | undefined)?.name ?? 'ended')
        .join(',')}`,
    );
  });

  it('a slow reader loses nothing and keeps one subscription (backpressure)', async () => {
    // Prepare
    const { streamName } = await createTestStream(1);
    streams.push(streamName);
    const [shard] = await listAllShards(streamName);
    const { consumerArn } = await ensureStreamConsumer({
      client: kinesis,
      streamName,
      consumerName: uniqueName('slow'),
      describePollMs: 200,
      maxDescribeAttempts: 100,
    });
    const resubscribes: FanOutResubscribe[] = [];
    const source = new FanOutShardSource({
      client: kinesis,
      consumerArn,
      shardId: shard!.ShardId!,
      start: { type: 'LATEST' },
      onResubscribe: (info) => resubscribes.push(info),
    });
    sources.push(source);
    await source.next(AbortSignal.timeout(20_000)); // subscribed (first, empty event)
    const expected = Array.from({ length: 60 }, (_, i) => `v${String(i)}`);

    // Act: six puts while the reader takes 1.5 s per event.
    const producing = (async () => {
      for (let i = 0; i < 6; i++) {
        await put(streamName, expected.slice(i * 10, i * 10 + 10));
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    const got: string[] = [];
    for (let i = 0; i < 15 && got.length < expected.length; i++) {
      const batch = await source.next(AbortSignal.timeout(20_000));
      got.push(...batch.records.map((r) => decode(r.data)));
      await new Promise((r) => setTimeout(r, 1500));
    }
    await producing;

    // Assess
    expect(got).toEqual(expected);
    expect(resubscribes).toEqual([]);
  });

  it('propagation delay put -> event on the emulator', async () => {
    const { streamName } = await createTestStream(1);
    streams.push(streamName);
    const [shard] = await listAllShards(streamName);
    const { consumerArn } = await ensureStreamConsumer({
      client: kinesis,
      streamName,
      consumerName: uniqueName('lat'),
      describePollMs: 200,
      maxDescribeAttempts: 100,
    });
    const source = new FanOutShardSource({
      client: kinesis,
      consumerArn,
      shardId: shard!.ShardId!,
      start: { type: 'LATEST' },
    });
    sources.push(source);
    await source.next(AbortSignal.timeout(20_000));
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const sent = Date.now();
      await put(streamName, [`t${String(i)}`]);
      const values = await read(source, 1);
      delays.push(Date.now() - sent);
      expect(values).toEqual([`t${String(i)}`]);
    }
    delays.sort((a, b) => a - b);
    console.info(`[fanout] put->event ms on the emulator: ${delays.join(' ')}`);
    // kinesis-local sends an event every second: nothing should wait much longer than that.
    expect(delays[delays.length - 1]).toBeLessThan(3000);
  });

  it('an unknown consumer ARN fails registration with a clear error', async () => {
    const { streamArn, streamName } = await createTestStream(1);
    streams.push(streamName);

    const error = await ensureStreamConsumer({
      client: kinesis,
      streamArn,
      consumerName: 'unused',
      consumerArn: `${streamArn}/consumer/nobody:1`,
    }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'KT_CONFIG', retriable: false, option: 'consumerArn' });
    expect((error as Error).message).toContain('does not exist');
  });
});
