/**
 * The producer through the shard-limit and fault proxy in front of kinesis-local: the service's
 * per-shard write limits (throttling per entry) and injected faults lose nothing.
 */
import { createTestStream, deleteStream, testClientConfig } from '@kinesis-kit/integration';
import { startProxy } from '../../../../integration/src/proxy/index.js';
import type { ProxyServer } from '../../../../integration/src/proxy/index.js';
import { KinesisProducer } from '../../src/KinesisProducer.js';
import type { PutResult } from '../../src/core/records.js';
import type { ProducerTunables } from '../../src/options.js';
import { deaggregateOurs, readStream } from './readBack.js';

jest.setTimeout(120_000);

let proxy: ProxyServer;
const streams: string[] = [];

beforeAll(async () => {
  proxy = await startProxy({ target: testClientConfig().endpoint, shardMapRefreshMs: 500 });
});
afterAll(async () => {
  await proxy.close();
  await Promise.all(streams.map((s) => deleteStream(s)));
});

async function setup(shards: number, options: ProducerTunables = {}) {
  const { streamName } = await createTestStream(shards);
  streams.push(streamName);
  proxy.reset();
  const producer = new KinesisProducer({
    streamName,
    clientConfig: { ...testClientConfig(), endpoint: proxy.endpoint, maxAttempts: 1 },
    retryBaseMs: 20,
    retryMaxMs: 500,
    ...options,
  });
  return { streamName, producer };
}

async function putAll(
  producer: KinesisProducer,
  n: number,
  size: number,
  prefix = 'rec',
): Promise<PutResult[]> {
  const pad = 'p'.repeat(size);
  const puts: Promise<PutResult>[] = [];
  for (let i = 0; i < n; i++) {
    puts.push(producer.put({ partitionKey: `key-${prefix}-${i}`, data: `${prefix}-${i}:${pad}` }));
  }
  return Promise.all(puts);
}

/** Stored user records by their text (rec-<i>), as a KCL consumer sees them. */
async function copiesOf(
  streamName: string,
  results: readonly PutResult[],
): Promise<Map<string, number>> {
  const kinesisRecords = new Set(results.map((r) => `${r.shardId}/${r.sequenceNumber}`)).size;
  const records = await readStream(streamName, kinesisRecords);
  const copies = new Map<string, number>();
  for (const u of await deaggregateOurs(streamName, records, true)) {
    const id = u.text.slice(0, u.text.indexOf(':'));
    copies.set(id, (copies.get(id) ?? 0) + 1);
  }
  return copies;
}

describe('KinesisProducer through the shard-limit and fault proxy', () => {
  it('adapts to shards slower than the limits, with few throttles, losing nothing', async () => {
    // kinesis-local takes only about 0.4 MiB/s in all, so the proxy models shards of 128 KiB/s:
    // the producer (aiming at 1 MiB/s) must find their real rate from the throttling alone.
    const shardBytes = 128 * 1024;
    proxy.setLimits({ writeBytesPerSecond: shardBytes });
    const { streamName, producer } = await setup(2);
    let throttleEvents = 0;
    producer.on('throttled', () => (throttleEvents += 1));
    // The first seconds teach the producer the shards' rate (kinesis-local answers slowly, so
    // feedback takes a while); then the adapted rate is measured.
    const warmUp = await putAll(producer, 800, 1000, 'warm');
    proxy.reset();
    const started = performance.now();
    const results = await putAll(producer, 1500, 1000);
    const seconds = (performance.now() - started) / 1000;
    const stats = proxy.stats();
    await producer.close();
    proxy.setLimits({});

    expect(warmUp).toHaveLength(800);
    const copies = await copiesOf(streamName, results);
    expect(results.filter((_, i) => copies.get(`rec-${i}`) !== 1)).toEqual([]);
    expect(throttleEvents).toBeGreaterThan(0);
    const throttled = stats.totals.throttledEntries / stats.totals.putEntries;
    expect(throttled).toBeLessThan(0.1);
    const admitted = stats.totals.putBytes * (1 - throttled);
    expect(admitted / seconds / (2 * shardBytes)).toBeGreaterThan(0.6);
  });

  it('loses nothing under injected faults, and writes nothing twice when faults precede the write', async () => {
    // Small aggregates and requests: many requests for the faults to hit.
    const { streamName, producer } = await setup(2, {
      aggregationMaxSize: 2000,
      collectionMaxCount: 10,
    });
    proxy.setFaults([
      {
        id: 'entry',
        operations: ['PutRecords'],
        probability: 0.05,
        fault: { kind: 'entry-internal-failure' },
      },
      { id: '503', operations: ['PutRecords'], probability: 0.1, fault: { kind: 'http-503' } },
      { id: 'reset', operations: ['PutRecords'], probability: 0.05, fault: { kind: 'reset' } },
      {
        id: 'slow',
        operations: ['PutRecords'],
        probability: 0.2,
        fault: { kind: 'latency', ms: 50 },
      },
      {
        id: 'throttle',
        operations: ['PutRecords'],
        probability: 0.05,
        fault: { kind: 'throughput-exceeded' },
      },
    ]);
    const results = await putAll(producer, 5000, 100);
    await producer.close();
    const stats = proxy.stats();
    proxy.setFaults([]);

    expect(Object.values(stats.faultsByRule).reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
    expect(results.some((r) => r.attempts > 1)).toBe(true);
    const copies = await copiesOf(streamName, results);
    const notOnce = results.map((_, i) => copies.get(`rec-${i}`) ?? 0).filter((c) => c !== 1);
    expect(notOnce).toEqual([]);
  });

  it('loses nothing when responses are lost after the write (at least once)', async () => {
    const { streamName, producer } = await setup(1, {
      aggregationMaxSize: 2000,
      collectionMaxCount: 10,
    });
    proxy.setFaults([
      {
        id: 'lost-503',
        operations: ['PutRecords'],
        probability: 0.1,
        fault: { kind: 'http-503', afterForward: true },
      },
      {
        id: 'lost-reset',
        operations: ['PutRecords'],
        probability: 0.05,
        fault: { kind: 'reset', afterForward: true },
      },
    ]);
    const results = await putAll(producer, 3000, 100);
    await producer.close();
    proxy.setFaults([]);

    const copies = await copiesOf(streamName, results);
    const missing = results.filter((_, i) => (copies.get(`rec-${i}`) ?? 0) === 0);
    expect(missing).toEqual([]);
  });
});
