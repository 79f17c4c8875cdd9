/**
 * Bad input under enhanced fan-out, on kinesis-local: an unknown consumer ARN makes `start()`
 * reject with a typed error naming the option, and a stream deleted while being consumed ends its
 * shard cleanly (shardEnded, SHARD_END) instead of hanging or retrying in a loop.
 */
import { KinesisConsumer, StreamConsumerArnError } from '@kinesis-kit/consumer';
import type { ShardWorkerOutcome } from '@kinesis-kit/consumer';
import { MemoryLogger } from '@kinesis-kit/common/testing';
import {
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
  testClientConfig,
} from '@kinesis-kit/integration';
import { RecordLog, countingClient, useFanOutFile, produce, waitFor } from './fanOutSupport.js';

const { direct, cleanup } = useFanOutFile();

describe('enhanced fan-out: bad input', () => {
  it('an unknown consumerArn rejects start() with StreamConsumerArnError naming the option', async () => {
    // Prepare
    const { streamName, streamArn } = await createTestStream(1);
    const tableName = createLeaseTableName();
    cleanup.push(
      () => deleteStream(streamName),
      () => deleteTable(tableName),
    );
    const consumerArn = `${streamArn}/consumer/nobody:1700000000`;
    const consumer = new KinesisConsumer({
      streamName,
      applicationName: tableName,
      retrieval: 'fanout',
      consumerArn,
      logger: new MemoryLogger(),
      kinesisClientConfig: testClientConfig('kinesis'),
      dynamoDBClientConfig: testClientConfig('dynamodb'),
      handler: () => undefined,
    });

    // Act
    const error = await consumer.start().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(StreamConsumerArnError);
    expect(error).toMatchObject({ code: 'KT_CONFIG', option: 'consumerArn', consumerArn });
    expect((error as Error).message).toMatch(/^consumerArn .* does not exist/);
    expect(consumer.processingShardIds()).toEqual([]);
    await consumer.stop();
  });

  it('a stream deleted while consumed ends its shard cleanly, without a retry loop', async () => {
    // Prepare
    const { streamName } = await createTestStream(1);
    const tableName = createLeaseTableName();
    cleanup.push(() => deleteTable(tableName));
    const log = new RecordLog();
    const counted = countingClient();
    cleanup.push(() => Promise.resolve(counted.client.destroy()));
    const consumer = new KinesisConsumer({
      streamName,
      applicationName: tableName,
      retrieval: 'fanout',
      initialPosition: 'TRIM_HORIZON',
      failoverTimeMs: 3000,
      logger: new MemoryLogger(),
      kinesisClient: counted.client,
      dynamoDBClientConfig: testClientConfig('dynamodb'),
      handler: log.handler,
    });
    cleanup.push(() => consumer.stop());
    const finished: ShardWorkerOutcome[] = [];
    let errors = 0;
    consumer.events.on('shardFinished', ({ outcome }) => finished.push(outcome));
    consumer.events.on('retrievalError', () => (errors += 1));
    await produce(direct.client, streamName, 0, 3);
    await consumer.start();
    await waitFor('the records', () => log.distinct() >= 3 * 8, 30_000);

    // Act
    await deleteStream(streamName);
    await waitFor('the shard to finish', () => finished.length > 0, 30_000);
    const errorsAtEnd = errors;
    const subscriptionsAtEnd = counted.calls.get('SubscribeToShardCommand') ?? 0;
    await new Promise((r) => setTimeout(r, 3000));
    const stopped = Date.now();
    await consumer.stop();

    // Assess: a shard end (the KCL's reading of a vanished shard), then quiet, then a quick stop.
    expect(finished).toEqual([{ reason: 'shard-end' }]);
    expect(errors - errorsAtEnd).toBe(0);
    expect(counted.calls.get('SubscribeToShardCommand') ?? 0).toBe(subscriptionsAtEnd);
    expect(Date.now() - stopped).toBeLessThan(10_000);
    console.info(`[fanout deleted] read errors before the end: ${String(errorsAtEnd)}`);
  }, 90_000);
});
