// The documented defaults as the consumer resolves them (issue 5: LATEST, 10 s failover and the
// timings derived from it, as the KCL), and which SDK clients `stop()` destroys: only the ones
// the consumer built from configs, never a client the caller injected.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisConsumer } from '@kinesis-kit/consumer';
import { resolveConsumerOptions } from '../../src/options.js';

const handler = (): void => undefined;
const base = { streamName: 's', applicationName: 'my-app', handler } as const;
// Never contacted: no test here starts a consumer.
const clientConfig = {
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
};

describe('KinesisConsumer defaults', () => {
  it('starts shards without a checkpoint at LATEST and fails over after 10 s, as the KCL', () => {
    const o = resolveConsumerOptions(base);

    expect(o.initialPosition).toBe('LATEST');
    expect(o.failoverTimeMs).toBe(10_000);
    // Derived from the failover time: the KCL's renew interval, and our 1.5 s taker scan.
    expect(o.leaseRenewIntervalMs).toBe(3308);
    expect(o.leaseTakerIntervalMs).toBe(1500);
    expect(o.childInitialPosition).toBe('TRIM_HORIZON');
    expect(o.worker.initialPositionTimestamp).toBeUndefined();
  });

  it('derives the lease timings from a given failover time', () => {
    const o = resolveConsumerOptions({ ...base, failoverTimeMs: 3000 });

    expect(o.leaseRenewIntervalMs).toBe(975);
    expect(o.leaseTakerIntervalMs).toBe(500);
  });

  it("passes an AT_TIMESTAMP position's time to the shard workers", () => {
    const timestamp = new Date('2026-01-02T03:04:05Z');

    const o = resolveConsumerOptions({ ...base, initialPosition: { timestamp } });

    expect(o.initialPosition).toEqual({ timestamp });
    expect(o.worker.initialPositionTimestamp).toEqual(timestamp);
  });
});

describe('KinesisConsumer client ownership', () => {
  afterEach(() => jest.restoreAllMocks());

  it('never destroys clients the caller injected', async () => {
    const kinesisClient = new KinesisClient(clientConfig);
    const dynamoDBClient = new DynamoDBClient(clientConfig);
    const destroyedKinesis = jest.spyOn(kinesisClient, 'destroy');
    const destroyedDynamo = jest.spyOn(dynamoDBClient, 'destroy');
    const consumer = new KinesisConsumer({ ...base, kinesisClient, dynamoDBClient });

    await consumer.stop();

    expect(destroyedKinesis).not.toHaveBeenCalled();
    expect(destroyedDynamo).not.toHaveBeenCalled();
    kinesisClient.destroy();
    dynamoDBClient.destroy();
  });

  it('destroys the clients it built from configs when it stops', async () => {
    const kinesisDestroy = jest.spyOn(KinesisClient.prototype, 'destroy');
    const dynamoDestroy = jest.spyOn(DynamoDBClient.prototype, 'destroy');
    const consumer = new KinesisConsumer({
      ...base,
      kinesisClientConfig: clientConfig,
      dynamoDBClientConfig: clientConfig,
    });

    await consumer.stop();

    expect(kinesisDestroy.mock.contexts.filter((c) => c instanceof KinesisClient)).toHaveLength(1);
    expect(dynamoDestroy.mock.contexts.filter((c) => c instanceof DynamoDBClient)).toHaveLength(1);
  });

  it('destroys its own client and leaves the injected one when given one of each', async () => {
    const kinesisClient = new KinesisClient(clientConfig);
    const injected = jest.spyOn(kinesisClient, 'destroy');
    const dynamoDestroy = jest.spyOn(DynamoDBClient.prototype, 'destroy');
    const consumer = new KinesisConsumer({
      ...base,
      kinesisClient,
      dynamoDBClientConfig: clientConfig,
    });

    await consumer.stop();

    expect(injected).not.toHaveBeenCalled();
    expect(dynamoDestroy).toHaveBeenCalledTimes(1);
    kinesisClient.destroy();
  });
});
