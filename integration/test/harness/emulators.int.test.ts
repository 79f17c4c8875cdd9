import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  ListTablesCommand,
  PutItemCommand,
  UpdateItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  createDynamoDBClient,
  createKinesisClient,
  createLeaseTableName,
  deleteTable,
  startDynamoDB,
  testClientConfig,
  uniqueName,
} from '@kinesis-kit/integration';
import type { DynamoDBEmulator } from '@kinesis-kit/integration';

// `testTimeout` in a jest project config is ignored (it is a global option): set it here.
jest.setTimeout(60_000);

describe('the emulators started by globalSetup', () => {
  it('exports the endpoints to the test workers', () => {
    expect(process.env.KINESIS_ENDPOINT).toMatch(/^https?:\/\//);
    expect(process.env.DYNAMODB_ENDPOINT).toMatch(/^https?:\/\//);
    expect(['embedded', 'external', 'mixed']).toContain(process.env.KINESIS_KIT_EMULATORS);
    expect(['dynamodb-local', 'dynalite', 'external']).toContain(
      process.env.KINESIS_KIT_DYNAMODB_ENGINE,
    );
  });

  it('Kinesis answers over HTTP/1.1 with the dummy account', async () => {
    const kinesis = createKinesisClient();
    const output = await kinesis.send(new ListStreamsCommand({}));
    expect(output.$metadata.httpStatusCode).toBe(200);
    kinesis.destroy();
  });

  it('DynamoDB answers', async () => {
    const dynamodb = createDynamoDBClient();
    const output = await dynamodb.send(new ListTablesCommand({}));
    expect(output.$metadata.httpStatusCode).toBe(200);
    dynamodb.destroy();
  });

  it('builds the client config from the environment with fast retries and HTTP/1.1', () => {
    const config = testClientConfig();
    expect(config.endpoint).toBe(process.env.KINESIS_ENDPOINT);
    expect(testClientConfig('dynamodb').endpoint).toBe(process.env.DYNAMODB_ENDPOINT);
    expect(config.requestHandler).toBeInstanceOf(NodeHttpHandler);
    expect(config.region).toBe('us-east-1');
    expect(config.credentials.accessKeyId).toBe('000000000000');
    expect(config.maxAttempts).toBeLessThanOrEqual(3);
  });

  it('lets overrides win over the harness defaults', async () => {
    const kinesis = createKinesisClient({ maxAttempts: 1, region: 'eu-west-1' });
    expect(await kinesis.config.maxAttempts()).toBe(1);
    expect(await kinesis.config.region()).toBe('eu-west-1');
    kinesis.destroy();
  });

  it('gives unique names', () => {
    expect(uniqueName('s')).not.toBe(uniqueName('s'));
  });
});

// The lease store relies on conditional writes; they must behave the same on the engine the run
// uses and on dynalite, the fallback without Java.
describe.each([
  ['the run engine', (): Promise<DynamoDBEmulator | undefined> => Promise.resolve(undefined)],
  ['dynalite', (): Promise<DynamoDBEmulator> => startDynamoDB({ engine: 'dynalite' })],
])('DynamoDB conditional writes on %s', (_name, start) => {
  let own: DynamoDBEmulator | undefined;
  let dynamodb: DynamoDBClient;
  let tableName: string;

  beforeAll(async () => {
    own = await start();
    dynamodb = createDynamoDBClient(own === undefined ? {} : { endpoint: own.endpoint });
    tableName = createLeaseTableName();
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
      }),
    );
    await waitUntilTableExists(
      { client: dynamodb, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 },
      { TableName: tableName },
    );
  });

  afterAll(async () => {
    await deleteTable(tableName, { dynamodb });
    dynamodb.destroy();
    await own?.stop();
  });

  it('creates only once and updates only with the expected counter', async () => {
    // Prepare
    const lease = { leaseKey: { S: 'shardId-000000000000' }, leaseCounter: { N: '1' } };
    const create = (): Promise<unknown> =>
      dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: lease,
          ConditionExpression: 'attribute_not_exists(leaseKey)',
        }),
      );
    const takeIf = (counter: string): Promise<unknown> =>
      dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { leaseKey: lease.leaseKey },
          ConditionExpression: 'leaseCounter = :expected',
          UpdateExpression: 'SET leaseOwner = :owner ADD leaseCounter :one',
          ExpressionAttributeValues: {
            ':expected': { N: counter },
            ':owner': { S: 'worker-a' },
            ':one': { N: '1' },
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
    // Act / Assess
    await create();
    await expect(create()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const taken = (await takeIf('1')) as { Attributes?: Record<string, { N?: string }> };
    expect(taken.Attributes?.leaseCounter?.N).toBe('2');
    await expect(takeIf('1')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });
});
