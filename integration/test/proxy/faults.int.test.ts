/**
 * Every fault kind, seen by a real SDK client (one attempt, so the fault is not retried away)
 * through the proxy, with kinesis-local and DynamoDB Local behind it.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  DYNAMODB_ENDPOINT_VAR,
  KINESIS_ENDPOINT_VAR,
  createDynamoDBClient,
  createKinesisClient,
  createTestStream,
  deleteStream,
  destroySharedClients,
  readAllRecords,
} from '../../src/index.js';
import { seededRandom, startProxy } from '../../src/proxy/index.js';
import type { FaultRule, ProxyServer } from '../../src/proxy/index.js';

jest.setTimeout(60_000);

interface SdkError {
  name: string;
  message: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

let proxy: ProxyServer;
let kinesis: KinesisClient;
let streamName: string;

beforeAll(async () => {
  proxy = await startProxy({
    target: process.env[KINESIS_ENDPOINT_VAR]!,
    limits: false,
    random: seededRandom(1),
  });
  kinesis = createKinesisClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
  ({ streamName } = await createTestStream(2));
});

afterAll(async () => {
  await deleteStream(streamName);
  kinesis.destroy();
  destroySharedClients();
  await proxy.close();
});

beforeEach(() => {
  proxy.setFaults([]);
  proxy.reset();
});

const fail = (promise: Promise<unknown>): Promise<SdkError> =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as SdkError,
  );

const listShards = (): Promise<unknown> =>
  kinesis.send(new ListShardsCommand({ StreamName: streamName }));

describe('Kinesis faults', () => {
  it.each<[string, FaultRule['fault'], Partial<SdkError>, number]>([
    ['http-500', { kind: 'http-500' }, { name: 'InternalFailure' }, 500],
    ['http-503', { kind: 'http-503' }, { name: 'ServiceUnavailable' }, 503],
    [
      'throughput-exceeded',
      { kind: 'throughput-exceeded' },
      { name: 'ProvisionedThroughputExceededException' },
      400,
    ],
    ['throttling', { kind: 'throttling' }, { name: 'ThrottlingException' }, 400],
    [
      'error',
      { kind: 'error', status: 400, errorType: 'LimitExceededException', message: 'slow down' },
      { name: 'LimitExceededException', message: 'slow down' },
      400,
    ],
  ])('%s reaches the client as the service error', async (_label, fault, expected, status) => {
    proxy.setFaults([{ operations: ['ListShards'], fault }]);
    const error = await fail(listShards());
    expect(error).toMatchObject(expected);
    expect(error.$metadata?.httpStatusCode).toBe(status);
    expect(proxy.stats().faults[fault.kind]).toBe(1);
  });

  it('adds latency', async () => {
    proxy.setFaults([{ operations: ['ListShards'], fault: { kind: 'latency', ms: 400 } }]);
    const started = performance.now();
    await listShards();
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
    expect(proxy.stats().faults).toEqual({ latency: 1 });
  });

  it('resets the connection before the target sees the request', async () => {
    proxy.setFaults([{ operations: ['PutRecord'], fault: { kind: 'reset' } }]);
    const error = await fail(
      kinesis.send(
        new PutRecordCommand({
          StreamName: streamName,
          PartitionKey: 'lost',
          Data: new Uint8Array(1),
        }),
      ),
    );
    expect(`${error.code ?? ''} ${error.message}`).toMatch(/ECONNRESET|socket hang up/);
  });

  it('resets the connection after the target stored the record (the write happened)', async () => {
    // Prepare: a fresh stream so the read-back sees only this record.
    const { streamName: fresh } = await createTestStream(1);
    proxy.setFaults([{ operations: ['PutRecord'], fault: { kind: 'reset', afterForward: true } }]);
    // Act
    const error = await fail(
      kinesis.send(
        new PutRecordCommand({
          StreamName: fresh,
          PartitionKey: 'kept',
          Data: new Uint8Array([7]),
        }),
      ),
    );
    // Assess
    expect(`${error.code ?? ''} ${error.message}`).toMatch(/ECONNRESET|socket hang up/);
    const stored = await readAllRecords(fresh, { untilCount: 1, timeoutMs: 10_000 });
    expect(stored.map((r) => r.partitionKey)).toEqual(['kept']);
    await deleteStream(fresh);
  });

  it('answers GetRecords with ExpiredIteratorException', async () => {
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'LATEST',
      }),
    );
    proxy.setFaults([
      {
        operations: ['GetRecords'],
        shardId: 'shardId-000000000000',
        fault: { kind: 'expired-iterator' },
      },
    ]);
    const error = await fail(kinesis.send(new GetRecordsCommand({ ShardIterator })));
    expect(error.name).toBe('ExpiredIteratorException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(proxy.stats().shards[`${streamName}/shardId-000000000000`]?.faults).toBe(1);
    // Rules change while the proxy runs: without the rule the same iterator works.
    proxy.setFaults([]);
    await expect(kinesis.send(new GetRecordsCommand({ ShardIterator }))).resolves.toBeDefined();
  });

  it('fails individual PutRecords entries with InternalFailure and does not store them', async () => {
    // Prepare: a fresh stream; half of the entries (by the seeded dice) fail.
    const { streamName: fresh } = await createTestStream(1);
    proxy.setFaults([
      { operations: ['PutRecords'], probability: 0.5, fault: { kind: 'entry-internal-failure' } },
    ]);
    // Act
    const output = await kinesis.send(
      new PutRecordsCommand({
        StreamName: fresh,
        Records: Array.from({ length: 40 }, (_, i) => ({
          PartitionKey: `k${i}`,
          Data: new Uint8Array([i]),
        })),
      }),
    );
    // Assess
    const failed = output.Records!.filter((r) => r.ErrorCode !== undefined);
    expect(failed.length).toBeGreaterThan(5);
    expect(failed.length).toBeLessThan(35);
    expect(output.FailedRecordCount).toBe(failed.length);
    expect(failed[0]).toEqual({
      ErrorCode: 'InternalFailure',
      ErrorMessage: 'Internal service failure.',
    });
    const stored = await readAllRecords(fresh, { untilCount: 40, timeoutMs: 3000 });
    const written = output.Records!.flatMap((r, i) =>
      r.SequenceNumber === undefined ? [] : [`k${i}`],
    );
    expect(stored.map((r) => r.partitionKey).sort()).toEqual(written.sort());
    expect(proxy.stats().faults['entry-internal-failure']).toBe(failed.length);
    await deleteStream(fresh);
  });

  it('stops a rule after maxCount hits', async () => {
    proxy.setFaults([{ operations: ['ListShards'], maxCount: 1, fault: { kind: 'http-503' } }]);
    await fail(listShards());
    await expect(listShards()).resolves.toBeDefined();
  });
});

describe('DynamoDB faults', () => {
  let dynamoProxy: ProxyServer;
  let dynamodb: DynamoDBClient;

  beforeAll(async () => {
    dynamoProxy = await startProxy({
      target: process.env[DYNAMODB_ENDPOINT_VAR]!,
      kind: 'dynamodb',
    });
    dynamodb = createDynamoDBClient({ endpoint: dynamoProxy.endpoint, maxAttempts: 1 });
  });

  afterAll(async () => {
    dynamodb.destroy();
    await dynamoProxy.close();
  });

  it.each<[FaultRule['fault'], string, number]>([
    [{ kind: 'throughput-exceeded' }, 'ProvisionedThroughputExceededException', 400],
    [{ kind: 'throttling' }, 'ThrottlingException', 400],
    [{ kind: 'http-500' }, 'InternalServerError', 500],
    [{ kind: 'http-503' }, 'ServiceUnavailable', 503],
  ])('%j reaches a DynamoDB client as %s', async (fault, name, status) => {
    dynamoProxy.setFaults([{ operations: ['ListTables'], fault }]);
    const error = await fail(dynamodb.send(new ListTablesCommand({})));
    expect(error.name).toBe(name);
    expect(error.$metadata?.httpStatusCode).toBe(status);
    dynamoProxy.setFaults([]);
    await expect(dynamodb.send(new ListTablesCommand({}))).resolves.toBeDefined();
    expect(dynamoProxy.stats().requests.ListTables).toBeGreaterThanOrEqual(2);
  });
});
