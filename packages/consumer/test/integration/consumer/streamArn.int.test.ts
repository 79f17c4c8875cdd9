/**
 * A single-stream consumer named by `streamArn` only, on kinesis-local and DynamoDB Local, with
 * injected SDK clients: every Kinesis request names the stream by ARN, the injected clients carry
 * all the traffic and survive `stop()`, the default initial position (LATEST) skips what was
 * written before the shard started, and the lifecycle events reach `consumer.events`.
 */
import { DescribeStreamSummaryCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { KinesisConsumer } from '@kinesis-kit/consumer';
import type { ShardRecordProcessor } from '@kinesis-kit/consumer';
import {
  createDynamoDBClient,
  createKinesisClient,
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
} from '@kinesis-kit/integration';
import { firedEvents, recordCalls, recordEvents, waitFor } from './consumerEvents.js';

const kinesis = createKinesisClient();
const dynamo = createDynamoDBClient();
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  kinesis.destroy();
  dynamo.destroy();
});

async function put(streamName: string, tag: string, count: number): Promise<void> {
  const Records = Array.from({ length: count }, (_, i) => ({
    PartitionKey: `key-${i}`,
    Data: Buffer.from(`${tag}-${i}`),
  }));
  const out = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records }));
  expect(out.FailedRecordCount ?? 0).toBe(0);
}

describe('KinesisConsumer by stream ARN', () => {
  it('reads the stream by ARN through the injected clients and leaves them usable', async () => {
    // Prepare
    const { streamName, streamArn } = await createTestStream(2);
    const tableName = createLeaseTableName();
    cleanups.push(
      () => deleteStream(streamName),
      () => deleteTable(tableName),
    );
    await put(streamName, 'before', 6);
    const kinesisClient = createKinesisClient();
    const dynamoDBClient = createDynamoDBClient();
    const kinesisCalls = recordCalls(kinesisClient);
    const dynamoCalls = recordCalls(dynamoDBClient);
    const destroyed = [jest.spyOn(kinesisClient, 'destroy'), jest.spyOn(dynamoDBClient, 'destroy')];
    const delivered: string[] = [];
    const reads = new Set<string>();
    const consumer = new KinesisConsumer({
      streamArn,
      applicationName: tableName,
      workerId: 'arn-worker',
      failoverTimeMs: 3000,
      idleTimeBetweenReadsMs: 100,
      // Empty reads are delivered too: the first one shows the shard's LATEST iterator exists.
      callProcessRecordsEvenForEmptyRecordList: true,
      kinesisClient,
      dynamoDBClient,
      processorFactory: (shardId): ShardRecordProcessor => ({
        initialize: () => Promise.resolve(),
        processRecords: async ({ records, checkpointer }) => {
          reads.add(shardId);
          delivered.push(...records.map((r) => Buffer.from(r.data).toString()));
          if (records.length > 0) await checkpointer.checkpoint();
        },
        leaseLost: () => Promise.resolve(),
        shardEnded: ({ checkpointer }) => checkpointer.checkpoint(),
        shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
      }),
    });
    cleanups.push(() => consumer.stop());
    const events = recordEvents(consumer);

    // Act
    await consumer.start();
    await waitFor(() => reads.size === 2, 'a read of both shards');
    await put(streamName, 'after', 6);
    await waitFor(() => delivered.length >= 6, 'the records written after the start');
    await consumer.stop();

    // Assess: LATEST (the default) skipped what was written before; the rest came once.
    expect(delivered.sort()).toEqual(Array.from({ length: 6 }, (_, i) => `after-${i}`).sort());
    // Every Kinesis request named the stream by its ARN (no name lookup was needed).
    const byCommand = new Set(kinesisCalls.map((c) => c.command));
    expect(byCommand).toEqual(
      new Set(['ListShardsCommand', 'GetShardIteratorCommand', 'GetRecordsCommand']),
    );
    for (const call of kinesisCalls) {
      expect(call.input).toMatchObject({ StreamARN: streamArn });
      expect(call.input.StreamName).toBeUndefined();
    }
    expect(dynamoCalls.map((c) => c.command)).toEqual(
      expect.arrayContaining(['UpdateItemCommand', 'ScanCommand']),
    );
    // The lease table holds the bare shard ids with the checkpoints written through our client.
    const items = await dynamo.send(new ScanCommand({ TableName: tableName }));
    const checkpoints = (items.Items ?? []).map((i) => i.checkpoint?.S);
    expect(checkpoints.every((c) => /^\d+$/.test(c ?? ''))).toBe(true);
    // The injected clients were not destroyed and still work.
    for (const spy of destroyed) expect(spy).not.toHaveBeenCalled();
    const summary = await kinesisClient.send(
      new DescribeStreamSummaryCommand({ StreamARN: streamArn }),
    );
    expect(summary.StreamDescriptionSummary?.StreamName).toBe(streamName);
    await dynamoDBClient.send(new ScanCommand({ TableName: tableName, Limit: 1 }));
    // The consumer's own lifecycle, its coordinator's, its scheduler's and its workers' events
    // all reached consumer.events.
    expect(firedEvents(events)).toEqual(
      expect.arrayContaining([
        'started',
        'leasesCreated',
        'leaseTaken',
        'shardStarted',
        'stateChange',
        'checkpointed',
        'shardFinished',
        'leaseLost',
        'stopped',
      ]),
    );
    expect(events.leasesCreated[0]).toMatchObject({ reason: 'shard-sync' });
    expect(events.leaseTaken.map((e) => e.lease.leaseKey).sort()).toEqual(
      events.shardStarted.map((e) => e.shardId).sort(),
    );
    expect(events.stateChange.map((e) => e.to)).toEqual(
      expect.arrayContaining(['INITIALIZING', 'PROCESSING', 'SHUTDOWN_REQUESTED']),
    );
    expect(events.shardFinished.map((e) => e.outcome.reason)).toEqual(['shutdown', 'shutdown']);
    expect(events.leaseLost.map((e) => e.reason)).toEqual(['released', 'released']);
    expect(events.stopped).toEqual([{ workerId: 'arn-worker' }]);
    kinesisClient.destroy();
    dynamoDBClient.destroy();
  }, 30_000);
});
