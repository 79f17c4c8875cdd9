/**
 * The shard workers' trouble events reach `consumer.events` on a real consumer (kinesis-local and
 * DynamoDB Local): a throttled read, an expired iterator and another read error, injected through
 * the consumer's own (injected) Kinesis client; a failed lease-table scan as `error`; and a batch
 * whose handler keeps throwing, as `processorError` then `batchSkipped` or `batchDeadLettered`.
 */
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { MemoryLogger } from '@kinesis-kit/common/testing';
import { KinesisConsumer } from '@kinesis-kit/consumer';
import type { FailedBatch, ProcessorErrorPolicy } from '@kinesis-kit/consumer';
import {
  createDynamoDBClient,
  createKinesisClient,
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
} from '@kinesis-kit/integration';
import { recordCalls, recordEvents, serviceError, waitFor } from './consumerEvents.js';

const kinesis = createKinesisClient();
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  // In order: each consumer stops before its stream, table and clients go.
  for (const c of cleanups) await c().catch(() => undefined);
  kinesis.destroy();
});

const FAST_BACKOFF = { baseMs: 10, capMs: 20 };

async function consumerOn(policy: ProcessorErrorPolicy) {
  const { streamName } = await createTestStream(1);
  const tableName = createLeaseTableName();
  // Records one by one, so that each is its own GetRecords answer and handler batch.
  for (const data of ['ok-0', 'poison', 'ok-1']) {
    await kinesis.send(
      new PutRecordCommand({ StreamName: streamName, PartitionKey: 'k', Data: Buffer.from(data) }),
    );
  }
  const kinesisClient = createKinesisClient();
  const dynamoDBClient = createDynamoDBClient();
  const readFaults: Error[] = [];
  const scanFaults: Error[] = [];
  recordCalls(kinesisClient, (call) =>
    call.command === 'GetRecordsCommand' ? readFaults.shift() : undefined,
  );
  recordCalls(dynamoDBClient, (call) =>
    call.command === 'ScanCommand' ? scanFaults.shift() : undefined,
  );
  const handled: string[] = [];
  const consumer = new KinesisConsumer({
    streamName,
    applicationName: tableName,
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: 3000,
    idleTimeBetweenReadsMs: 100,
    maxRecordsPerBatch: 1,
    maxProcessorAttempts: 2,
    processorRetryBackoff: FAST_BACKOFF,
    throttleBackoff: FAST_BACKOFF,
    retrievalErrorBackoff: FAST_BACKOFF,
    processorErrorPolicy: policy,
    // The injected faults are logged as warnings: keep them out of the test output.
    logger: new MemoryLogger(),
    kinesisClient,
    dynamoDBClient,
    handler: (records) => {
      for (const r of records) {
        const data = Buffer.from(r.data).toString();
        if (data === 'poison') throw new Error('cannot handle poison');
        handled.push(data);
      }
    },
  });
  const events = recordEvents(consumer);
  cleanups.push(
    () => consumer.stop(),
    () => deleteStream(streamName),
    () => deleteTable(tableName),
    () => Promise.resolve(kinesisClient.destroy()),
    () => Promise.resolve(dynamoDBClient.destroy()),
  );
  return { consumer, events, handled, readFaults, scanFaults };
}

describe('KinesisConsumer worker events', () => {
  it('forwards read trouble, a failed scan, processor errors and a skipped batch', async () => {
    // Prepare: the first three reads fail, each in its own way; one table scan fails.
    const app = await consumerOn('skip');
    app.readFaults.push(
      serviceError('ProvisionedThroughputExceededException'),
      serviceError('ExpiredIteratorException'),
      serviceError('InternalFailure', 500),
    );

    // Act
    await app.consumer.start();
    app.scanFaults.push(serviceError('InternalServerError', 500));
    await waitFor(() => app.handled.length === 2, 'the good records');
    await waitFor(() => app.events.error.length > 0, 'the failed scan');

    // Assess
    const { events } = app;
    expect(app.handled).toEqual(['ok-0', 'ok-1']);
    expect(events.readThrottled).toEqual([
      expect.objectContaining({ shardId: 'shardId-000000000000', consecutive: 1 }),
    ]);
    expect(events.iteratorExpired).toEqual([
      expect.objectContaining({ shardId: 'shardId-000000000000' }),
    ]);
    expect(events.retrievalError).toEqual([
      expect.objectContaining({ shardId: 'shardId-000000000000', consecutive: 1 }),
    ]);
    expect(events.processorError.map((e) => [e.phase, e.attempt, e.willRetry])).toEqual([
      ['processRecords', 1, true],
      ['processRecords', 2, false],
    ]);
    expect(events.batchSkipped).toEqual([
      expect.objectContaining({ shardId: 'shardId-000000000000', records: 1, attempts: 2 }),
    ]);
    expect(events.batchDeadLettered).toEqual([]);
    // The lease taker's scan failed; it is retried at the next scan.
    expect(events.error[0]).toMatchObject({ operation: 'takeLeases' });
  }, 30_000);

  it('forwards a dead-lettered batch', async () => {
    const dead: FailedBatch[] = [];
    const app = await consumerOn({
      deadLetter: (batch) => {
        dead.push(batch);
        return Promise.resolve();
      },
    });

    await app.consumer.start();
    await waitFor(() => app.handled.length === 2, 'the good records');

    expect(dead.map((b) => b.records.map((r) => Buffer.from(r.data).toString()))).toEqual([
      ['poison'],
    ]);
    expect(app.events.batchDeadLettered).toEqual([
      expect.objectContaining({ shardId: 'shardId-000000000000', records: 1, attempts: 2 }),
    ]);
    expect(app.events.batchSkipped).toEqual([]);
  }, 30_000);
});
