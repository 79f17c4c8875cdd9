/**
 * The KCL's lease cleanup at run time, on kinesis-local and DynamoDB Local: once a split parent
 * has been read to its end and checkpointed at SHARD_END, and both children have started (each
 * checkpointed past TRIM_HORIZON), the parent's lease is deleted from the table while the children
 * go on. Cleanup runs after every lease scan (`leaseTakerIntervalMs`, 500 ms at a 3 s failover).
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { MemoryLogger } from '@kinesis-kit/common/testing';
import { KinesisConsumer } from '@kinesis-kit/consumer';
import {
  createDynamoDBClient,
  createKinesisClient,
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
  splitShardAndWait,
  testClientConfig,
} from '@kinesis-kit/integration';
import { recordEvents, waitFor } from './consumerEvents.js';

const kinesis = createKinesisClient();
const dynamo = createDynamoDBClient();
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const c of cleanups) await c().catch(() => undefined);
  kinesis.destroy();
  dynamo.destroy();
});

const LOW = '1';
const HIGH = (2n ** 128n - 2n).toString();

/** One record at each end of the hash-key space: after a split, one lands in each child. */
async function putPair(streamName: string, tag: string): Promise<void> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: [
        { PartitionKey: 'k', ExplicitHashKey: LOW, Data: Buffer.from(`${tag}-low`) },
        { PartitionKey: 'k', ExplicitHashKey: HIGH, Data: Buffer.from(`${tag}-high`) },
      ],
    }),
  );
  expect(out.FailedRecordCount ?? 0).toBe(0);
}

describe('KinesisConsumer lease cleanup', () => {
  it('deletes a split parent at SHARD_END once both children have started', async () => {
    // Prepare
    const { streamName } = await createTestStream(1);
    const tableName = createLeaseTableName();
    const parent = 'shardId-000000000000';
    const seen: { shardId: string; data: string }[] = [];
    const consumer = new KinesisConsumer({
      streamName,
      applicationName: tableName,
      initialPosition: 'TRIM_HORIZON',
      failoverTimeMs: 3000,
      idleTimeBetweenReadsMs: 100,
      kinesisClientConfig: testClientConfig('kinesis'),
      dynamoDBClientConfig: testClientConfig('dynamodb'),
      logger: new MemoryLogger(),
      handlerOptions: { checkpointIntervalMs: 0 },
      handler: (records, { shardId }) => {
        for (const r of records) seen.push({ shardId, data: Buffer.from(r.data).toString() });
      },
    });
    cleanups.push(
      () => consumer.stop(),
      () => deleteStream(streamName),
      () => deleteTable(tableName),
    );
    const events = recordEvents(consumer);
    // The order of the checkpoints and the deletion, as they happened.
    const order: string[] = [];
    consumer.events.on('checkpointed', (e) =>
      order.push(`checkpoint ${e.shardId} ${e.checkpoint.sequenceNumber}`),
    );
    consumer.events.on('leaseDeleted', (e) => order.push(`deleted ${e.leaseKey}`));
    await putPair(streamName, 'before');
    await consumer.start();
    await waitFor(() => seen.length === 2, 'the parent records');

    // Act
    const children = await splitShardAndWait(streamName, parent);
    await putPair(streamName, 'after');
    await waitFor(
      () => children.every((c) => seen.some((s) => s.shardId === c)),
      'records from both children',
    );
    await waitFor(() => events.leaseDeleted.length > 0, 'the parent lease deleted', 15_000);

    // Assess
    expect(events.shardEnded.map((e) => e.shardId)).toEqual([parent]);
    expect(events.leaseDeleted).toEqual([{ leaseKey: parent, reason: 'cleanup' }]);
    const deletedAt = order.indexOf(`deleted ${parent}`);
    expect(order.slice(0, deletedAt)).toContain(`checkpoint ${parent} SHARD_END`);
    for (const child of children) {
      const started = order.findIndex((o) => /^checkpoint \S+ \d+$/.test(o) && o.includes(child));
      expect(started).toBeGreaterThanOrEqual(0);
      expect(started).toBeLessThan(deletedAt);
    }
    const items = await dynamo.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true }),
    );
    const keys = (items.Items ?? []).map((i) => i.leaseKey?.S).sort();
    expect(keys).toEqual([...children].sort());
    expect(consumer.processingShardIds().sort()).toEqual([...children].sort());
    expect(consumer.heldLeaseKeys()).not.toContain(parent);
  }, 30_000);
});
