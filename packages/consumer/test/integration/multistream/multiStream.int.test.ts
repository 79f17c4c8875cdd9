/**
 * Multi-stream consumption end to end on the emulators: one application reads several
 * kinesis-local streams through one DynamoDB Local lease table with the Java KCL's multi-stream
 * lease keys; streams are added, removed and deleted while it runs, one is split; and a Java KCL
 * 2.x multi-stream table is taken over from its checkpoints.
 */
import { GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { DynamoLeaseStore, KinesisConsumer, StreamNotFoundError } from '@kinesis-kit/consumer';
import type { KinesisConsumerEvents, StreamTrackerInput } from '@kinesis-kit/consumer';
import { MemoryLogger } from '@kinesis-kit/common/testing';
import {
  createDynamoDBClient,
  createKinesisClient,
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
  listAllShards,
  splitShardAndWait,
  testClientConfig,
} from '@kinesis-kit/integration';
import { javaReadableProblems } from '../../fixtures/javaLeaseTables.js';
import { loadJavaMultiStreamApp } from '../../fixtures/javaMultiStreamApp.js';

const kinesis = createKinesisClient();
const dynamo = createDynamoDBClient();
const streamNames: string[] = [];
const tables: string[] = [];
const consumers: KinesisConsumer[] = [];

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)));
  await Promise.all(streamNames.map((s) => deleteStream(s).catch(() => undefined)));
  await Promise.all(tables.map((t) => deleteTable(t).catch(() => undefined)));
  kinesis.destroy();
  dynamo.destroy();
});

interface Seen {
  readonly streamName: string | undefined;
  readonly shardId: string;
  readonly data: string;
}

async function stream(shards: number): Promise<string> {
  const { streamName } = await createTestStream(shards);
  streamNames.push(streamName);
  return streamName;
}

async function identifierOf(streamName: string): Promise<string> {
  const { StreamDescriptionSummary: s } = await kinesis.send(
    new DescribeStreamSummaryCommand({ StreamName: streamName }),
  );
  const account = s!.StreamARN!.split(':')[4]!;
  return `${account}:${streamName}:${Math.floor(s!.StreamCreationTimestamp!.getTime() / 1000)}`;
}

/** Writes `n` records named `${streamName}/${tag}${i}`; returns their data and sequence numbers. */
async function produce(
  streamName: string,
  n: number,
  tag = '',
  hashKey?: string,
): Promise<{ data: string; seq: string; shardId: string }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const data = `${streamName}/${tag}${i}`;
    const r = await kinesis.send(
      new PutRecordCommand({
        StreamName: streamName,
        PartitionKey: `pk-${i}`,
        Data: Buffer.from(data),
        ...(hashKey !== undefined && { ExplicitHashKey: hashKey }),
      }),
    );
    out.push({ data, seq: r.SequenceNumber!, shardId: r.ShardId! });
  }
  return out;
}

function consumer(
  applicationName: string,
  streams: StreamTrackerInput,
  seen: Seen[],
  extra: Partial<{
    formerStreamsLeasesDeletionStrategy: { kind: 'auto-detect'; waitPeriodMs: number };
  }> = {},
): KinesisConsumer {
  const c = new KinesisConsumer({
    streams,
    applicationName,
    workerId: `worker-${consumers.length}`,
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: 2000,
    idleTimeBetweenReadsMs: 100,
    shardSyncIntervalMs: 1000,
    streamSyncIntervalMs: 500,
    logger: new MemoryLogger(),
    kinesisClientConfig: testClientConfig('kinesis'),
    dynamoDBClientConfig: testClientConfig('dynamodb'),
    handler: (records, ctx) => {
      for (const r of records) {
        seen.push({
          streamName: ctx.streamName,
          shardId: ctx.shardId,
          data: Buffer.from(r.data).toString(),
        });
      }
    },
    ...extra,
  });
  consumers.push(c);
  return c;
}

async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const hasAll = (seen: readonly Seen[], data: readonly { data: string }[]): boolean => {
  const got = new Set(seen.map((s) => s.data));
  return data.every((d) => got.has(d.data));
};

async function rawItem(
  table: string,
  leaseKey: string,
): Promise<Record<string, AttributeValue> | undefined> {
  const out = await dynamo.send(
    new GetItemCommand({
      TableName: table,
      Key: { leaseKey: { S: leaseKey } },
      ConsistentRead: true,
    }),
  );
  return out.Item;
}

describe('multi-stream consumer on the emulators', () => {
  it('consumes three streams, follows a split on one and picks up a stream added while running', async () => {
    // Prepare
    const [a, b, c, late] = await Promise.all([stream(2), stream(1), stream(1), stream(1)]);
    const table = createLeaseTableName();
    tables.push(table);
    const list: string[] = [a, b, c];
    const seen: Seen[] = [];
    const first = (await Promise.all([produce(a, 6), produce(b, 6), produce(c, 6)])).flat();
    const app = consumer(table, () => list, seen);
    const changes: KinesisConsumerEvents['streamsChanged'][] = [];
    app.events.on('streamsChanged', (e) => changes.push(e));
    // Act
    await app.start();
    await waitFor(() => hasAll(seen, first), 'the records of three streams');
    const parent = (await listAllShards(b))[0]!.ShardId!;
    await splitShardAndWait(b, parent);
    const afterSplit = await produce(b, 6, 'after-');
    list.push(late);
    const lateRecords = await produce(late, 4);
    await waitFor(
      () => hasAll(seen, [...afterSplit, ...lateRecords]),
      'the split children and the new stream',
    );
    // Assess
    for (const s of seen) expect(s.data.startsWith(`${s.streamName}/`)).toBe(true);
    const idB = await identifierOf(b);
    const children = afterSplit.map((r) => r.shardId).filter((id) => id !== parent);
    expect(children.length).toBeGreaterThan(0);
    const child = await rawItem(table, `${idB}:${children[0]!}`);
    expect(child).toMatchObject({
      streamName: { S: idB },
      shardId: { S: children[0] },
      parentShardId: { SS: [parent] },
    });
    const parentItem = await rawItem(table, `${idB}:${parent}`);
    // Finished: either still waiting for cleanup (SHARD_END) or already cleaned up.
    expect(parentItem === undefined ? 'cleaned up' : parentItem.checkpoint).toEqual(
      parentItem === undefined ? 'cleaned up' : { S: 'SHARD_END' },
    );
    const lastParent = seen
      .map((s) => s.streamName === b && s.shardId === parent)
      .lastIndexOf(true);
    const firstChild = seen.findIndex((s) => s.streamName === b && s.shardId !== parent);
    expect(lastParent).toBeLessThan(firstChild);
    const idLate = await identifierOf(late);
    expect(app.processingLeaseKeys().some((k) => k.startsWith(`${idLate}:`))).toBe(true);
    // The tracker's change reached consumer.events.
    expect(changes.some((c) => c.added.includes(idLate))).toBe(true);
  }, 180_000);

  it('deletes a removed stream’s leases (auto-detect) and ends a deleted stream cleanly', async () => {
    // Prepare
    const [keep, removed, doomed] = await Promise.all([stream(1), stream(2), stream(1)]);
    const table = createLeaseTableName();
    tables.push(table);
    const list: string[] = [keep, removed, doomed];
    const seen: Seen[] = [];
    const errors: KinesisConsumerEvents['error'][] = [];
    const deleted: KinesisConsumerEvents['streamLeasesDeleted'][] = [];
    const app = consumer(table, () => list, seen, {
      formerStreamsLeasesDeletionStrategy: { kind: 'auto-detect', waitPeriodMs: 0 },
    });
    app.events.on('error', (e) => errors.push(e));
    app.events.on('streamLeasesDeleted', (e) => deleted.push(e));
    const first = (
      await Promise.all([produce(keep, 3), produce(removed, 3), produce(doomed, 3)])
    ).flat();
    await app.start();
    await waitFor(() => hasAll(seen, first), 'first records');
    const idRemoved = await identifierOf(removed);
    const idDoomed = await identifierOf(doomed);
    // Act
    list.splice(list.indexOf(removed), 1);
    await waitFor(
      () => deleted.some((d) => d.streamIdentifier === idRemoved),
      'the removed stream’s leases',
    );
    await deleteStream(doomed);
    await waitFor(
      () => app.heldLeaseKeys().every((k) => !k.startsWith(`${idDoomed}:`)),
      'the deleted stream’s leases to go',
    );
    await new Promise((r) => setTimeout(r, 3000)); // several more shard and stream syncs
    const later = await produce(keep, 3, 'later-');
    await waitFor(() => hasAll(seen, later), 'the kept stream');
    // Assess
    expect(deleted.find((d) => d.streamIdentifier === idRemoved)?.leaseKeys).toHaveLength(2);
    for (const key of [`${idRemoved}:shardId-000000000000`, `${idRemoved}:shardId-000000000001`]) {
      expect(await rawItem(table, key)).toBeUndefined();
    }
    const notFound = errors.filter((e) => e.error instanceof StreamNotFoundError);
    expect(notFound.length).toBeGreaterThanOrEqual(1);
    expect(notFound.length).toBeLessThanOrEqual(2); // once from the tracker, at most once from sync
    expect(app.processingLeaseKeys()).toEqual([`${await identifierOf(keep)}:shardId-000000000000`]);
  }, 180_000);

  it('takes over a Java KCL 2.x multi-stream table from its checkpoints', async () => {
    // Prepare
    const [orders, payments] = await Promise.all([stream(2), stream(1)]);
    const table = createLeaseTableName();
    tables.push(table);
    const shards = await listAllShards(orders);
    const start = (i: number): string => shards[i]!.HashKeyRange!.StartingHashKey!;
    const end = (i: number): string => shards[i]!.HashKeyRange!.EndingHashKey!;
    const orders0 = await produce(orders, 6, 's0-', start(0));
    const orders1 = await produce(orders, 4, 's1-', start(1));
    const payments0 = await produce(payments, 6);
    const items = loadJavaMultiStreamApp({
      orders: await identifierOf(orders),
      payments: await identifierOf(payments),
      ordersSeq0_2: orders0[2]!.seq,
      paymentsSeq0_1: payments0[1]!.seq,
      paymentsSeq0_3: payments0[3]!.seq,
      ordersStart0: start(0),
      ordersEnd0: end(0),
      ordersStart1: start(1),
      ordersEnd1: end(1),
    });
    const seen: Seen[] = [];
    const app = consumer(table, [orders, payments], seen);
    await new DynamoLeaseStore({
      client: dynamo,
      tableName: table,
      coordinatorStateTableName: null,
      workerMetricsTableName: null,
    }).ensureTable();
    for (const item of items)
      await dynamo.send(new PutItemCommand({ TableName: table, Item: item }));
    // Act
    await app.start();
    const expected = [...orders0.slice(3), ...orders1, ...payments0.slice(2)];
    await waitFor(() => hasAll(seen, expected), 'the records after the Java checkpoints', 90_000);
    await new Promise((r) => setTimeout(r, 1000));
    // Assess
    const got = seen.map((s) => s.data).sort();
    expect(got).toEqual(expected.map((r) => r.data).sort()); // nothing at or before a checkpoint
    const key = `${await identifierOf(orders)}:shardId-000000000000`;
    expect(await rawItem(table, key)).toMatchObject({
      leaseOwner: { S: 'worker-' + String(consumers.indexOf(app)) },
      streamName: { S: await identifierOf(orders) },
      shardId: { S: 'shardId-000000000000' },
    });
    // And what we leave is what a Java multi-stream worker reads back (the other direction).
    const { Items = [] } = await dynamo.send(
      new ScanCommand({ TableName: table, ConsistentRead: true }),
    );
    expect(Items.length).toBeGreaterThanOrEqual(3);
    for (const item of Items) {
      expect(javaReadableProblems(item)).toEqual([]);
      const [account, name, epoch, ...rest] = item.leaseKey!.S!.split(':');
      expect(item.streamName).toEqual({ S: `${account}:${name}:${epoch}` });
      expect(item.shardId).toEqual({ S: rest.join(':') });
    }
  }, 180_000);
});
