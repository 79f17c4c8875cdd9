/**
 * Multi-stream with enhanced fan-out on kinesis-local: each stream registers its own stream
 * consumer (named after the application, as the Java KCL does per stream) and every shard is read
 * through SubscribeToShard, including a stream added while running.
 */
import {
  DescribeStreamSummaryCommand,
  ListStreamConsumersCommand,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { KinesisConsumer } from '@kinesis-kit/consumer';
import { MemoryLogger } from '@kinesis-kit/common/testing';
import {
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
  testClientConfig,
} from '@kinesis-kit/integration';
import { countingClient, waitFor } from '../fanout/fanOutSupport.js';

const { client, calls } = countingClient();
const cleanup: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  client.destroy();
});

async function produce(streamName: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const data = `${streamName}/${i}`;
    await client.send(
      new PutRecordCommand({
        StreamName: streamName,
        PartitionKey: `k${i}`,
        Data: Buffer.from(data),
      }),
    );
    out.push(data);
  }
  return out;
}

describe('multi-stream consumer with enhanced fan-out', () => {
  it('registers one stream consumer per stream and reads every stream by SubscribeToShard', async () => {
    // Prepare
    const names = await Promise.all(
      [1, 2, 1].map(async (n) => (await createTestStream(n)).streamName),
    );
    const [a, b, late] = names as [string, string, string];
    const table = createLeaseTableName();
    const list = [a, b];
    const seen = new Map<string, string | undefined>();
    const consumer = new KinesisConsumer({
      streams: () => list,
      applicationName: table,
      retrieval: 'fanout',
      initialPosition: 'TRIM_HORIZON',
      failoverTimeMs: 3000,
      streamSyncIntervalMs: 500,
      logger: new MemoryLogger(),
      kinesisClient: client,
      dynamoDBClientConfig: testClientConfig('dynamodb'),
      handler: (records, ctx) => {
        for (const r of records) seen.set(Buffer.from(r.data).toString(), ctx.streamName);
      },
    });
    cleanup.push(
      () => consumer.stop(),
      ...names.map((n) => () => deleteStream(n)),
      () => deleteTable(table),
    );
    const first = [...(await produce(a, 4)), ...(await produce(b, 4))];
    // Act
    await consumer.start();
    await waitFor('records of both streams', () => first.every((d) => seen.has(d)), 60_000);
    list.push(late);
    const added = await produce(late, 4);
    await waitFor('records of the added stream', () => added.every((d) => seen.has(d)), 60_000);
    // Assess
    for (const [data, streamName] of seen) expect(data.startsWith(`${streamName}/`)).toBe(true);
    for (const name of names) {
      const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      const { Consumers } = await client.send(
        new ListStreamConsumersCommand({
          StreamARN: summary.StreamDescriptionSummary!.StreamARN!,
        }),
      );
      expect(Consumers?.map((c) => c.ConsumerName)).toEqual([table]);
    }
    expect(calls.get('SubscribeToShardCommand') ?? 0).toBeGreaterThanOrEqual(4);
  }, 180_000);
});
