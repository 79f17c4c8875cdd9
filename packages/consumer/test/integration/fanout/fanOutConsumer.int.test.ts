/**
 * KinesisConsumer with `retrieval: 'fanout'` against kinesis-local and DynamoDB Local: every
 * record through a split and a merge (parent-first, although kinesis-local never sends
 * ChildShards), a slow processor (backpressure: one subscription, nothing lost), and a connection
 * dropped by the proxy (re-subscribed after the last event). Clients use the harness's HTTP/1.1
 * handler: kinesis-local serves SubscribeToShard only over HTTP/1.1.
 */
import { KinesisConsumer } from '@kinesis-kit/consumer';
import type { KinesisConsumerOptions } from '@kinesis-kit/consumer';
import { MemoryLogger } from '@kinesis-kit/common/testing';
import {
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
  listAllShards,
  mergeShardsAndWait,
  splitShardAndWait,
  startProxy,
  testClientConfig,
} from '@kinesis-kit/integration';
import type { ProxyServer } from '@kinesis-kit/integration';
import {
  RecordLog,
  countingClient,
  useFanOutFile,
  inOrder,
  produce,
  waitFor,
} from './fanOutSupport.js';

const { direct, cleanup } = useFanOutFile();

async function fanOutConsumer(
  shards: number,
  { endpoint, ...options }: Partial<KinesisConsumerOptions> & { endpoint?: string } = {},
) {
  const { streamName } = await createTestStream(shards);
  const tableName = createLeaseTableName();
  const counted = countingClient(endpoint !== undefined ? { endpoint } : {});
  const log = new RecordLog();
  const logger = new MemoryLogger();
  const consumer = new KinesisConsumer({
    streamName,
    applicationName: tableName,
    retrieval: 'fanout',
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: 3000,
    logger,
    kinesisClient: counted.client,
    dynamoDBClientConfig: testClientConfig('dynamodb'),
    handler: log.handler,
    ...(options as object),
  } as unknown as KinesisConsumerOptions);
  cleanup.push(
    () => consumer.stop(),
    () => Promise.resolve(counted.client.destroy()),
    () => deleteStream(streamName),
    () => deleteTable(tableName),
  );
  const events = { shardEnded: new Map<string, number>(), retrievalErrors: 0, readThrottled: 0 };
  consumer.events.on('shardEnded', ({ shardId }) => events.shardEnded.set(shardId, Date.now()));
  consumer.events.on('retrievalError', () => (events.retrievalErrors += 1));
  consumer.events.on('readThrottled', () => (events.readThrottled += 1));
  return { streamName, consumer, log, logger, calls: counted.calls, events };
}

describe('KinesisConsumer with enhanced fan-out on the emulator', () => {
  it('reads every record through a split and a merge, parents before children', async () => {
    // Prepare
    const { streamName, consumer, log, calls, events } = await fanOutConsumer(2);
    await produce(direct.client, streamName, 0, 5);
    await consumer.start();
    await waitFor('the first records', () => log.seen.length > 0, 30_000);
    const [s0, s1] = (await listAllShards(streamName)).map((s) => s.ShardId!);

    // Act: split shard 0, then merge its upper child with shard 1, writing all along.
    const [, upper] = await splitShardAndWait(streamName, s0!);
    await produce(direct.client, streamName, 5, 5);
    const [merged] = await mergeShardsAndWait(streamName, upper!, s1!);
    await produce(direct.client, streamName, 10, 5);
    await waitFor('every record', () => log.distinct() >= 15 * 8, 90_000);

    // Assess: all records, per key in order; every parent ended before its child's first batch.
    expect(log.firstDeliveriesByKey()).toEqual(inOrder(15));
    const parents: [string, string[]][] = [
      [upper!, [s0!]],
      [merged!, [upper!, s1!]],
    ];
    expect(log.firstBatchAt.has(merged!)).toBe(true);
    for (const [child, ofParents] of parents) {
      for (const parent of ofParents) {
        expect(events.shardEnded.get(parent)).toBeDefined();
        // A child with no records of its own never gets a batch: then there is nothing to order.
        const firstBatch = log.firstBatchAt.get(child) ?? Number.POSITIVE_INFINITY;
        expect(firstBatch).toBeGreaterThanOrEqual(events.shardEnded.get(parent)!);
      }
    }
    // Records came by SubscribeToShard; GetRecords only finished the three closed shards.
    expect(calls.get('RegisterStreamConsumerCommand')).toBe(1);
    expect(calls.get('SubscribeToShardCommand') ?? 0).toBeGreaterThanOrEqual(5);
    console.info(
      `[fanout e2e] calls: ${JSON.stringify(Object.fromEntries(calls))}, duplicates: ${String(log.duplicates())}`,
    );
  }, 180_000);

  it('a slow processor is backpressure: one subscription, no errors, every record', async () => {
    // Prepare: 1.5 s per batch while records arrive every 300 ms.
    const slow = new RecordLog();
    const { streamName, consumer, calls, events } = await fanOutConsumer(1, {
      handler: async (records, ctx) => {
        slow.handler(records, ctx);
        await new Promise((r) => setTimeout(r, 1500));
      },
    });
    await consumer.start();

    // Act
    for (let i = 0; i < 12; i++) {
      await produce(direct.client, streamName, i, 1);
      await new Promise((r) => setTimeout(r, 300));
    }
    await waitFor('every record', () => slow.distinct() >= 12 * 8, 60_000);

    // Assess
    expect(slow.firstDeliveriesByKey()).toEqual(inOrder(12));
    expect(slow.duplicates()).toBe(0);
    expect(calls.get('SubscribeToShardCommand')).toBe(1);
    expect(events.retrievalErrors).toBe(0);
  }, 120_000);

  it('hands a shard over between two fan-out workers from the checkpoint, nothing lost', async () => {
    // Prepare: worker A reads, worker B joins the same application after A stopped.
    const {
      streamName,
      consumer: a,
      log,
      calls,
    } = await fanOutConsumer(1, {
      workerId: 'worker-a',
    });
    await produce(direct.client, streamName, 0, 5);
    await a.start();
    await waitFor('worker A to read', () => log.distinct() >= 5 * 8, 30_000);
    const tableName = a.tableName;
    const b = new KinesisConsumer({
      streamName,
      applicationName: tableName,
      workerId: 'worker-b',
      retrieval: 'fanout',
      initialPosition: 'TRIM_HORIZON',
      failoverTimeMs: 3000,
      logger: new MemoryLogger(),
      kinesisClientConfig: testClientConfig('kinesis'),
      dynamoDBClientConfig: testClientConfig('dynamodb'),
      handler: log.handler,
    });
    cleanup.push(() => b.stop());

    // Act: A stops gracefully (checkpoint, release); B takes the lease and re-subscribes.
    await a.stop();
    await produce(direct.client, streamName, 5, 5);
    await b.start();
    await waitFor('worker B to read the rest', () => log.distinct() >= 10 * 8, 30_000);

    // Assess: B resumed at A's checkpoint (AT_SEQUENCE_NUMBER, filtered): no gap, no repeat.
    expect(log.firstDeliveriesByKey()).toEqual(inOrder(10));
    expect(log.duplicates()).toBe(0);
    expect(b.processingShardIds()).toHaveLength(1);
    expect(calls.get('RegisterStreamConsumerCommand')).toBe(1);
  }, 90_000);

  it('re-subscribes after the connection drops (proxy down and back) and loses nothing', async () => {
    // Prepare: the consumer talks to kinesis-local through the proxy.
    const target = process.env.KINESIS_ENDPOINT!;
    let proxy: ProxyServer = await startProxy({ target, limits: false });
    cleanup.push(() => proxy.close());
    const port = Number(new URL(proxy.endpoint).port);
    const { streamName, consumer, log, calls, events } = await fanOutConsumer(1, {
      endpoint: proxy.endpoint,
    });
    await produce(direct.client, streamName, 0, 5);
    await consumer.start();
    await waitFor('the first records', () => log.distinct() >= 5 * 8, 30_000);
    const subscribedBefore = calls.get('SubscribeToShardCommand') ?? 0;

    // Act: every connection through the proxy is cut; records keep coming meanwhile.
    await proxy.close();
    await produce(direct.client, streamName, 5, 5);
    await new Promise((r) => setTimeout(r, 2000));
    proxy = await startProxy({ target, limits: false, port });
    await produce(direct.client, streamName, 10, 5);
    await waitFor('every record', () => log.distinct() >= 15 * 8, 60_000);

    // Assess
    expect(log.firstDeliveriesByKey()).toEqual(inOrder(15));
    expect(calls.get('SubscribeToShardCommand')!).toBeGreaterThan(subscribedBefore);
    expect(events.retrievalErrors + events.readThrottled).toBeGreaterThan(0);
    console.info(
      `[fanout drop] subscriptions ${String(calls.get('SubscribeToShardCommand'))}, errors ${String(events.retrievalErrors)}, in-use ${String(events.readThrottled)}, duplicates ${String(log.duplicates())}`,
    );
  }, 120_000);
});
