/**
 * Error mapping of the DynamoDB adapter (the only thing a client mock is used for): failed
 * conditions become values, SDK errors become LeaseStoreErrors classified by name with the SDK
 * error as cause, aborts pass through, and table creation tolerates a concurrent creator.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { DynamoLeaseStore } from '../../../src/adapters/dynamoLeaseStore.js';
import { LeaseStoreError } from '../../../src/core/leaseErrors.js';
import type { Lease } from '../../../src/ports.js';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const store = new DynamoLeaseStore({ client, tableName: 'app', tableActivePollMs: 1 });
const lease: Lease = {
  leaseKey: 'shardId-0',
  shardId: 'shardId-0',
  leaseCounter: 4,
  leaseOwner: 'w1',
  checkpoint: ExtendedSequenceNumber.LATEST,
  ownerSwitchesSinceCheckpoint: 0,
  parentShardIds: [],
  childShardIds: [],
};

beforeEach(() => ddb.reset());
afterAll(() => client.destroy());

describe('DynamoLeaseStore error mapping', () => {
  it('maps ConditionalCheckFailedException to a conflict value', async () => {
    ddb
      .on(UpdateItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'x', $metadata: {} }));

    expect(await store.renewLease(lease)).toEqual({ ok: false, reason: 'conflict' });
  });

  it('sends a counter- and owner-conditioned update with #name placeholders', async () => {
    ddb.on(UpdateItemCommand).resolves({
      Attributes: {
        leaseKey: { S: 'shardId-0' },
        leaseCounter: { N: '5' },
        leaseOwner: { S: 'w1' },
        checkpoint: { S: 'LATEST' },
      },
    });

    const result = await store.renewLease(lease);

    expect(result).toMatchObject({ ok: true, lease: { leaseCounter: 5 } });
    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('#a0 = :v0 AND #a1 = :v1');
    expect(input.UpdateExpression).toBe('SET #a0 = :v2');
    expect(input.ExpressionAttributeNames).toEqual({ '#a0': 'leaseCounter', '#a1': 'leaseOwner' });
    expect(input.ExpressionAttributeValues).toEqual({
      ':v0': { N: '4' },
      ':v1': { S: 'w1' },
      ':v2': { N: '5' },
    });
  });

  it('wraps throttling as a retriable LeaseStoreError keeping the SDK error as cause', async () => {
    const sdkError = new ProvisionedThroughputExceededException({
      message: 'slow down',
      $metadata: {},
    });
    ddb.on(ScanCommand).rejects(sdkError);

    const error: unknown = await store.listLeases().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LeaseStoreError);
    expect(error).toMatchObject({
      code: 'KT_AWS',
      retriable: true,
      throttled: true,
      errorName: 'ProvisionedThroughputExceededException',
      operation: 'listLeases',
    });
    expect((error as Error).cause).toBe(sdkError);
  });

  it('lets an AbortError through unwrapped', async () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    ddb.on(ScanCommand).rejects(abort);

    await expect(store.listLeases()).rejects.toBe(abort);
  });

  it('forwards the signal as abortSignal', async () => {
    ddb.on(ScanCommand).resolves({ Items: [] });
    const controller = new AbortController();
    const send = jest.spyOn(client, 'send');

    await store.listLeases({ signal: controller.signal });

    expect(send.mock.calls[0]![1]).toEqual({ abortSignal: controller.signal });
    send.mockRestore();
  });

  it('treats a concurrent CreateTable as success and waits for ACTIVE', async () => {
    ddb
      .on(DescribeTableCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'no', $metadata: {} }))
      .resolvesOnce({ Table: { TableStatus: 'CREATING' } })
      .resolves({ Table: { TableStatus: 'ACTIVE' } });
    ddb
      .on(CreateTableCommand)
      .rejects(new ResourceInUseException({ message: 'exists', $metadata: {} }));

    await store.ensureTable();

    expect(ddb.commandCalls(DescribeTableCommand)).toHaveLength(3);
    expect(ddb.commandCalls(CreateTableCommand)[0]!.args[0].input).toMatchObject({
      KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('reads no coordinator state when the legacy table does not exist', async () => {
    ddb.on(ScanCommand).resolves({ Items: [] });
    ddb.on(GetItemCommand, { TableName: 'app' }).resolves({});
    ddb
      .on(GetItemCommand, { TableName: 'app-CoordinatorState' })
      .rejects(new ResourceNotFoundException({ message: 'no', $metadata: {} }));

    expect(await store.getClientVersionState()).toBeUndefined();
  });
});
