/** Java KCL 2.x/3.x lease tables, written with raw PutItem into DynamoDB, taken over by our store. */
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDBClient, createLeaseTableName, deleteTable } from '@kinesis-kit/integration';
import { DynamoLeaseStore } from '../../../src/adapters/dynamoLeaseStore.js';
import { describeJavaTakeover } from '../../contract/javaTakeoverContract.js';

const client = createDynamoDBClient();
afterAll(() => client.destroy());

describeJavaTakeover('DynamoLeaseStore', async () => {
  const tableName = createLeaseTableName();
  const store = new DynamoLeaseStore({
    client,
    tableName,
    tableActivePollMs: 50,
    coordinatorStateTableName: null,
    workerMetricsTableName: null,
  });
  await store.ensureTable();
  return {
    store,
    putRawItem: async (item) => {
      await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
    },
    getRawItem: async (leaseKey) =>
      (
        await client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { leaseKey: { S: leaseKey } },
            ConsistentRead: true,
          }),
        )
      ).Item,
    dispose: () => deleteTable(tableName),
  };
});
