/**
 * The lease-store contract against DynamoDB (DynamoDB Local from the harness, or DYNAMODB_ENDPOINT),
 * plus what only a real table shows: creation races and the Scan paging.
 */
import {
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { createDynamoDBClient, createLeaseTableName, deleteTable } from '@kinesis-kit/integration';
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { MemoryLogger } from '@kinesis-kit/common/testing';
import { DynamoLeaseStore } from '../../../src/adapters/dynamoLeaseStore.js';
import { describeLeaseStoreContract, newLease } from '../../contract/leaseStoreContract.js';

const client = createDynamoDBClient();
afterAll(() => client.destroy());

function makeStore(
  tableName: string,
  extra: Partial<ConstructorParameters<typeof DynamoLeaseStore>[0]> = {},
) {
  return new DynamoLeaseStore({
    client,
    tableName,
    tableActivePollMs: 50,
    coordinatorStateTableName: null,
    workerMetricsTableName: null,
    ...extra,
  });
}

describeLeaseStoreContract('DynamoLeaseStore', async () => {
  const tableName = createLeaseTableName();
  const store = makeStore(tableName);
  await store.ensureTable();
  return {
    store,
    putRawItem: async (item) => {
      await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
    },
    getRawItem: async (leaseKey) => {
      const out = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { leaseKey: { S: leaseKey } },
          ConsistentRead: true,
        }),
      );
      return out.Item;
    },
    dispose: () => deleteTable(tableName),
  };
});

describe('DynamoLeaseStore on a real table', () => {
  const tables: string[] = [];
  afterEach(async () => {
    await Promise.all(tables.splice(0).map((t) => deleteTable(t)));
  });

  it('creates the table once when many workers race to create it', async () => {
    const tableName = createLeaseTableName();
    tables.push(tableName);

    await Promise.all(Array.from({ length: 5 }, () => makeStore(tableName).ensureTable()));

    const store = makeStore(tableName);
    expect(await store.isEmpty()).toBe(true);
    expect(await store.createLeaseIfNotExists(newLease('shardId-000000000000'))).toBe(true);
  });

  it('pages through a scan and logs, not fails, on malformed items', async () => {
    const tableName = createLeaseTableName();
    tables.push(tableName);
    const logger = new MemoryLogger();
    const store = makeStore(tableName, { scanPageSize: 7, logger });
    await store.ensureTable();
    const keys = Array.from({ length: 30 }, (_, i) => `shardId-${String(i).padStart(12, '0')}`);
    await Promise.all(keys.map((k) => store.createLeaseIfNotExists(newLease(k))));
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { leaseKey: { S: 'broken' }, leaseCounter: { S: 'x' }, checkpoint: { S: 'LATEST' } },
      }),
    );

    const leases = await store.listLeases();

    expect(leases.map((l) => l.leaseKey).sort()).toEqual(keys);
    expect(logger.find('warn', 'malformed')).toHaveLength(1);
  });

  it('reads the Migration3.0 item from the legacy coordinator state table', async () => {
    const tableName = createLeaseTableName();
    const coordinatorStateTableName = `${tableName}-CoordinatorState`;
    tables.push(tableName, coordinatorStateTableName);
    const store = makeStore(tableName, { coordinatorStateTableName });
    await store.ensureTable();
    expect(await store.getClientVersionState()).toBeUndefined();
    // The legacy table is keyed `key`, not `leaseKey`: create it as the KCL 3.0 does.
    await client.send(
      new CreateTableCommand({
        TableName: coordinatorStateTableName,
        KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists(
      { client, maxWaitTime: 30 },
      { TableName: coordinatorStateTableName },
    );
    await client.send(
      new PutItemCommand({
        TableName: coordinatorStateTableName,
        Item: {
          key: { S: 'Migration3.0' },
          cv: { S: 'CLIENT_VERSION_3X' },
          mb: { S: 'java-1' },
          mts: { N: '1700000000000' },
        },
      }),
    );

    expect(await store.getClientVersionState()).toEqual({
      clientVersion: 'CLIENT_VERSION_3X',
      modifiedBy: 'java-1',
      modifiedAtMs: 1700000000000,
      source: 'coordinator-state-table',
    });
  });

  it('keeps a checkpoint across store instances (a restarted worker)', async () => {
    const tableName = createLeaseTableName();
    tables.push(tableName);
    const first = makeStore(tableName);
    await first.ensureTable();
    await first.createLeaseIfNotExists(newLease('shardId-000000000001'));
    const lease = (await first.getLease('shardId-000000000001'))!;
    const taken = await first.takeLease(lease, 'w1');
    if (!taken.ok) throw new Error('take failed');
    await first.updateCheckpoint(taken.lease, { checkpoint: ExtendedSequenceNumber.of('4242', 3) });

    const again = await makeStore(tableName).getLease('shardId-000000000001');

    expect(again?.checkpoint.toString()).toBe('4242/3');
  });
});
