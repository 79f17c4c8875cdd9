import type { PutResult } from '../../src/core/records.js';
import { FakeKinesis } from '../fakes/fakeKinesis.js';
import { makeProducer, readBack, text } from '../fakes/harness.js';

describe('KinesisProducer under shard limits', () => {
  it('fills a throttling shard near its limit, with few throttles, losing nothing', async () => {
    const fake = new FakeKinesis(1);
    fake.throttling = true;
    const producer = makeProducer(fake, { retryBaseMs: 20, retryMaxMs: 500 });
    let throttleEvents = 0;
    producer.on('throttled', () => (throttleEvents += 1));
    // About 3 MiB offered to one shard as fast as the buffer takes it: ~3 s at 1 MiB/s.
    const payload = 'x'.repeat(1000);
    const start = Date.now();
    const puts: Promise<PutResult>[] = [];
    for (let i = 0; i < 3000; i++) {
      puts.push(producer.put({ partitionKey: `k${i}`, data: `${i}:${payload}` }));
    }
    await Promise.all(puts);
    const seconds = (Date.now() - start) / 1000;
    await producer.close();

    const stored = readBack(fake);
    expect(new Set(stored.map(text)).size).toBe(3000);
    const bytes = fake.records.reduce((a, r) => a + r.data.length + r.partitionKey.length, 0);
    const rate = bytes / seconds / (1024 * 1024);
    // The first second starts with a full bucket, so allow a little above the limit.
    expect(rate).toBeGreaterThan(0.75);
    expect(rate).toBeLessThan(1.2);
    const entries = fake.records.length + fake.throttledEntries;
    expect(fake.throttledEntries / entries).toBeLessThan(0.05);
    expect(throttleEvents > 0).toBe(fake.throttledEntries > 0);
  }, 20_000);

  it('keeps per-key order with preserveOrder despite failures', async () => {
    const fake = new FakeKinesis(2);
    const producer = makeProducer(fake, { preserveOrder: true, aggregationEnabled: false });
    let n = 0;
    fake.beforePut = () => {
      // Fail the first entry of every third request.
      if (++n % 3 === 0) fake.failEntries = { code: 'InternalFailure', count: 1 };
    };
    const puts: Promise<PutResult>[] = [];
    for (let i = 0; i < 300; i++) {
      puts.push(producer.put({ partitionKey: `key-${i % 5}`, data: `key-${i % 5}:${i}` }));
    }
    const results = await Promise.all(puts);
    await producer.close();
    expect(results.some((r) => r.attempts > 1)).toBe(true);
    const stored = readBack(fake);
    for (let k = 0; k < 5; k++) {
      const seq = stored
        .filter((s) => s.partitionKey === `key-${k}`)
        .sort((a, b) => (BigInt(a.sequenceNumber) < BigInt(b.sequenceNumber) ? -1 : 1))
        .map((s) => Number(text(s).split(':')[1]));
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
      expect(seq).toHaveLength(60);
    }
  });

  it('with preserveOrder keeps up with a steady rate when a round trip is slower than recordMaxBufferedTime', async () => {
    // One request in flight per shard: each round trip must carry everything that accumulated
    // during the previous one. Sealing an aggregate every recordMaxBufferedTime (20 ms) while the
    // shard waits 250 ms would send a tenth of the offered records per round trip.
    const fake = new FakeKinesis(4);
    fake.latencyMs = 250;
    const producer = makeProducer(fake, { preserveOrder: true, recordTtl: 60_000 });
    const puts: Promise<PutResult>[] = [];
    const started = Date.now();
    // 1000 records/s for 1.5 s, in 10 ms ticks.
    for (let tick = 0; tick < 150; tick++) {
      for (let j = 0; j < 10; j++) {
        const i = tick * 10 + j;
        puts.push(producer.put({ partitionKey: `key-${i % 40}`, data: `key-${i % 40}:${i}` }));
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const offeredFor = Date.now() - started;
    await Promise.all(puts);
    const lag = Date.now() - started - offeredFor;
    await producer.close();

    // Within a few round trips of the last put (a loaded machine stretches timers); it was 16 s.
    expect(lag).toBeLessThan(3000);
    // About one request per shard per round trip, not one per 20 ms aggregate.
    expect(fake.putCalls).toBeLessThan(((offeredFor + lag) / 250 + 2) * 4);
    const stored = readBack(fake);
    expect(stored).toHaveLength(1500);
    for (let k = 0; k < 40; k++) {
      const seq = stored
        .filter((s) => s.partitionKey === `key-${k}`)
        .sort((a, b) => (BigInt(a.sequenceNumber) < BigInt(b.sequenceNumber) ? -1 : 1))
        .map((s) => Number(text(s).split(':')[1]));
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
  }, 20_000);
});
