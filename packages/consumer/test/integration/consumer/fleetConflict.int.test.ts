/**
 * `start()` on a lease table that a live Java KCL 3.x fleet coordinates (the fixture's
 * `Migration3.0` item at CLIENT_VERSION_3X and a worker heartbeat a few seconds old), on DynamoDB
 * Local: it rejects with `FleetConflictError` at once (not retried as a transient start-up error),
 * writes nothing to the Java fleet's table, and afterwards destroys only the clients it built.
 */
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { ClosedError } from '@kinesis-kit/common';
import { MemoryLogger } from '@kinesis-kit/common/testing';
import { DynamoLeaseStore, FleetConflictError, KinesisConsumer } from '@kinesis-kit/consumer';
import {
  createDynamoDBClient,
  createKinesisClient,
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
  testClientConfig,
} from '@kinesis-kit/integration';
import { loadJavaLeaseTable } from '../../fixtures/javaLeaseTables.js';
import { recordCalls } from './consumerEvents.js';

const dynamo = createDynamoDBClient();
const cleanups: (() => Promise<unknown>)[] = [];
let streamName = '';

beforeAll(async () => {
  ({ streamName } = await createTestStream(1));
  cleanups.push(() => deleteStream(streamName));
});

afterAll(async () => {
  // Consumers first (a consumer that wrongly started must not keep the run alive), then tables.
  for (const c of cleanups) await c().catch(() => undefined);
  dynamo.destroy();
});

afterEach(() => jest.restoreAllMocks());

/** A lease table as a live Java KCL 3.5 fleet leaves it: its leases, version item and heartbeat. */
async function liveJavaFleetTable(): Promise<{ tableName: string; items: unknown[] }> {
  const tableName = createLeaseTableName();
  cleanups.push(() => deleteTable(tableName));
  await new DynamoLeaseStore({
    client: dynamo,
    tableName,
    tableActivePollMs: 50,
    coordinatorStateTableName: null,
    workerMetricsTableName: null,
  }).ensureTable();
  const lut = String(Math.floor(Date.now() / 1000) - 5);
  for (const item of loadJavaLeaseTable('kcl3x-single-table').items) {
    const row: Record<string, AttributeValue> =
      item.entityType?.S === 'WORKER_METRIC_STATS' ? { ...item, lut: { N: lut } } : item;
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: row }));
  }
  return { tableName, items: await scan(tableName) };
}

async function scan(tableName: string): Promise<unknown[]> {
  const out = await dynamo.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return (out.Items ?? []).sort((a, b) => (a.leaseKey?.S ?? '').localeCompare(b.leaseKey?.S ?? ''));
}

describe('KinesisConsumer on a live Java KCL 3.x fleet', () => {
  it('rejects start() with FleetConflictError at once and leaves the table as it was', async () => {
    // Prepare
    const { tableName, items } = await liveJavaFleetTable();
    const kinesisClient = createKinesisClient();
    const dynamoDBClient = createDynamoDBClient();
    const calls = recordCalls(dynamoDBClient);
    const destroyed = [jest.spyOn(kinesisClient, 'destroy'), jest.spyOn(dynamoDBClient, 'destroy')];
    const consumer = new KinesisConsumer({
      streamName,
      applicationName: tableName,
      initialPosition: 'TRIM_HORIZON',
      failoverTimeMs: 1000,
      kinesisClient,
      dynamoDBClient,
      logger: new MemoryLogger(),
      handler: () => undefined,
    });
    cleanups.unshift(() => consumer.stop());
    const errors = [] as unknown[];
    consumer.events.on('error', (e) => errors.push(e));

    // Act
    const error = await consumer.start().then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess: the typed error, naming the live Java worker.
    expect(error).toBeInstanceOf(FleetConflictError);
    const conflict = error as FleetConflictError;
    expect(conflict.code).toBe('KT_CONFIG');
    expect(conflict.retriable).toBe(false);
    expect(conflict.liveWorkers).toEqual(['java3-worker-a']);
    expect(conflict.message).toContain('running Java KCL 3.x fleet');
    // One attempt: the client version was read once and no retry was announced.
    const versionReads = calls.filter(
      (c) =>
        c.command === 'GetItemCommand' &&
        JSON.stringify(c.input.Key) === JSON.stringify({ leaseKey: { S: 'Migration3.0' } }),
    );
    expect(versionReads).toHaveLength(1);
    expect(errors).toEqual([]);
    // Nothing was written: no lease created, taken or touched.
    expect(calls.map((c) => c.command)).not.toContain('UpdateItemCommand');
    expect(calls.map((c) => c.command)).not.toContain('PutItemCommand');
    expect(await scan(tableName)).toEqual(items);
    // The consumer is done; the injected clients are the caller's.
    await expect(consumer.start()).rejects.toBeInstanceOf(ClosedError);
    await consumer.stop();
    for (const spy of destroyed) expect(spy).not.toHaveBeenCalled();
    kinesisClient.destroy();
    dynamoDBClient.destroy();
  }, 30_000);

  it('destroys the clients it built when start() fails that way', async () => {
    const { tableName } = await liveJavaFleetTable();
    const kinesisDestroy = jest.spyOn(KinesisClient.prototype, 'destroy');
    const dynamoDestroy = jest.spyOn(DynamoDBClient.prototype, 'destroy');
    const consumer = new KinesisConsumer({
      streamName,
      applicationName: tableName,
      kinesisClientConfig: testClientConfig('kinesis'),
      dynamoDBClientConfig: testClientConfig('dynamodb'),
      logger: new MemoryLogger(),
      handler: () => undefined,
    });
    cleanups.unshift(() => consumer.stop());

    await expect(consumer.start()).rejects.toBeInstanceOf(FleetConflictError);

    expect(kinesisDestroy).toHaveBeenCalledTimes(1);
    expect(dynamoDestroy).toHaveBeenCalledTimes(1);
  }, 30_000);
});
