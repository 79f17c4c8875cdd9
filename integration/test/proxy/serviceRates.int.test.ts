/**
 * The proxy's rate accuracy at the service's own limits (1000 records/s, 1 MiB/s, 5 GetRecords/s
 * per shard), measured through a real SDK client against a fast stub target: kinesis-local cannot
 * absorb one real shard's throughput on a small machine (see writeLimits.int.test.ts for the same
 * checks with kinesis-local behind the proxy).
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '../../src/index.js';
import { startProxy } from '../../src/proxy/index.js';
import type { ProxyServer } from '../../src/proxy/index.js';
import { startStubKinesis } from './stubKinesis.js';
import type { StubKinesis } from './stubKinesis.js';

jest.setTimeout(60_000);

const KiB = 1024;
const MiB = 1024 * KiB;

let stub: StubKinesis;
let proxy: ProxyServer;
let kinesis: KinesisClient;

beforeAll(async () => {
  stub = await startStubKinesis();
  proxy = await startProxy({ target: stub.endpoint });
  kinesis = createKinesisClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
});

afterAll(async () => {
  kinesis.destroy();
  await proxy.close();
  await stub.close();
});

beforeEach(() => proxy.reset());

interface Window {
  firstSendStart: number;
  firstResponseEnd: number;
  lastSendStart: number;
  lastResponseEnd: number;
}

/** Runs `call` with `concurrency` loops for `seconds`, recording the client-side window. */
async function drive(
  seconds: number,
  concurrency: number,
  call: () => Promise<void>,
): Promise<Window> {
  const window: Window = {
    firstSendStart: Infinity,
    firstResponseEnd: Infinity,
    lastSendStart: 0,
    lastResponseEnd: 0,
  };
  const stopAt = performance.now() + seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      const start = performance.now();
      await call();
      const end = performance.now();
      window.firstSendStart = Math.min(window.firstSendStart, start);
      window.firstResponseEnd = Math.min(window.firstResponseEnd, end);
      window.lastSendStart = Math.max(window.lastSendStart, start);
      window.lastResponseEnd = Math.max(window.lastResponseEnd, end);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return window;
}

/**
 * Checks `admitted` against a token bucket (capacity + rate x time) over the window the proxy saw
 * the requests in, and returns the measured rate after the burst for the log.
 */
function expectBucket(
  admitted: number,
  window: Window,
  rate: number,
  capacity: number,
  slack: number,
): string {
  const widest = (window.lastResponseEnd - window.firstSendStart) / 1000;
  const narrowest = (window.lastSendStart - window.firstResponseEnd) / 1000;
  expect(admitted).toBeLessThanOrEqual(capacity + rate * widest);
  expect(admitted).toBeGreaterThanOrEqual(capacity + rate * narrowest - slack);
  const after = admitted - capacity;
  return `${(after / widest / rate).toFixed(3)}..${(after / narrowest / rate).toFixed(3)} x the limit`;
}

const SHARD0 = 'stub/shardId-000000000000';

describe('the service limits, measured', () => {
  it('1000 records/s per shard under about 4x the demand', async () => {
    // Act: 4 senders of 500 tiny entries to one shard.
    const window = await drive(4, 4, async () => {
      await kinesis.send(
        new PutRecordsCommand({
          StreamName: 'stub',
          Records: Array.from({ length: 500 }, (_, i) => ({
            PartitionKey: `k${i}`,
            ExplicitHashKey: '7',
            Data: new Uint8Array(8),
          })),
        }),
      );
    });
    // Assess
    const shard = proxy.stats().shards[SHARD0]!;
    const admitted = shard.putEntries - shard.throttledEntries;
    const rate = expectBucket(admitted, window, 1000, 1000, 1);
    console.info(
      `records (limit 1000/s): admitted ${admitted} of ${shard.putEntries}; after the burst ${rate}`,
    );
    expect(stub.storedEntries()).toBe(admitted);
  });

  it('1 MiB/s per shard under more than 10x the demand', async () => {
    const data = new Uint8Array(64 * KiB - 2);
    const window = await drive(4, 2, async () => {
      await kinesis.send(
        new PutRecordsCommand({
          StreamName: 'stub',
          Records: Array.from({ length: 32 }, () => ({
            PartitionKey: 'pk',
            ExplicitHashKey: '7',
            Data: data,
          })),
        }),
      );
    });
    const shard = proxy.stats().shards[SHARD0]!;
    const rate = expectBucket(
      shard.putBytes - shard.throttledEntries * 64 * KiB,
      window,
      MiB,
      MiB,
      64 * KiB,
    );
    console.info(
      `bytes (limit 1 MiB/s): admitted ${shard.putEntries - shard.throttledEntries} of ` +
        `${shard.putEntries} 64 KiB entries; after the burst ${rate}`,
    );
  });

  it('5 GetRecords calls/s per shard under 4x the demand', async () => {
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'stub',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'LATEST',
      }),
    );
    let admitted = 0;
    const window = await drive(3, 1, async () => {
      const started = performance.now();
      await kinesis.send(new GetRecordsCommand({ ShardIterator })).then(
        () => admitted++,
        (error: unknown) =>
          expect((error as Error).name).toBe('ProvisionedThroughputExceededException'),
      );
      // 20 calls/s offered.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, 50 - (performance.now() - started))),
      );
    });
    const rate = expectBucket(admitted, window, 5, 5, 1);
    console.info(
      `GetRecords (limit 5/s): admitted ${admitted} of ${proxy.stats().totals.getRecordsCalls}; after the burst ${rate}`,
    );
  });
});
