/**
 * Write limits through the proxy, seen by a real SDK client (HTTP/1.1, one attempt) with
 * kinesis-local behind it. kinesis-local ingests only about 0.5 MiB/s and a few hundred records/s
 * on a loaded 2-core machine, less than one real shard, so a client cannot saturate the service's
 * limits through it: the rate tests here configure less (20 records/s, 32 KiB/s).
 * serviceRates.int.test.ts measures the service's own limits against a fast stub target.
 */
import { PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { readAllRecords } from '../../src/index.js';
import { useProxyFixture } from './proxyFixture.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const HALF = 1n << 127n;
/** Explicit hash keys inside the lower and the upper shard of a 2-shard stream. */
const LOW_KEY = '1';
const HIGH_KEY = (HALF + 1n).toString();

jest.setTimeout(90_000);

const fx = useProxyFixture();
const { newStream } = fx;

interface Burst {
  admitted: number;
  throttled: PutRecordsResultEntry[];
  /** Client-side bounds of the window in which the proxy saw the requests. */
  firstSendStart: number;
  firstResponseEnd: number;
  lastSendStart: number;
  lastResponseEnd: number;
}

/** Sends `entries()` batches with `concurrency` senders for `seconds`, counting per entry. */
async function hammer(
  streamName: string,
  entries: () => { PartitionKey: string; Data: Uint8Array; ExplicitHashKey?: string }[],
  seconds: number,
  concurrency: number,
): Promise<Burst> {
  const burst: Burst = {
    admitted: 0,
    throttled: [],
    firstSendStart: Infinity,
    firstResponseEnd: Infinity,
    lastSendStart: 0,
    lastResponseEnd: 0,
  };
  const stopAt = performance.now() + seconds * 1000;
  const sender = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      const start = performance.now();
      const records = entries();
      const output = await fx.kinesis.send(
        new PutRecordsCommand({ StreamName: streamName, Records: records }),
      );
      const end = performance.now();
      burst.firstSendStart = Math.min(burst.firstSendStart, start);
      burst.firstResponseEnd = Math.min(burst.firstResponseEnd, end);
      burst.lastSendStart = Math.max(burst.lastSendStart, start);
      burst.lastResponseEnd = Math.max(burst.lastResponseEnd, end);
      const results = output.Records ?? [];
      expect(results).toHaveLength(records.length);
      const failed = results.filter((r) => r.ErrorCode !== undefined && r.ErrorCode !== null);
      expect(output.FailedRecordCount).toBe(failed.length);
      burst.throttled.push(...failed);
      burst.admitted += results.length - failed.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return burst;
}

/**
 * Bounds on what a token bucket (burst + rate x time) may admit in the window the proxy saw:
 * at most over the widest window, at least over the narrowest one while demand saturates.
 */
function admissionBounds(
  burst: Burst,
  rate: number,
  capacity: number,
): { min: number; max: number; rateRange: (admitted: number) => string } {
  const widest = (burst.lastResponseEnd - burst.firstSendStart) / 1000;
  const narrowest = Math.max(0, (burst.lastSendStart - burst.firstResponseEnd) / 1000);
  return {
    min: capacity + rate * narrowest,
    max: capacity + rate * widest,
    // The rate after the burst over the widest and the narrowest window the proxy may have seen.
    rateRange: (admitted) =>
      `${((admitted - capacity) / widest).toFixed(1)}..${((admitted - capacity) / narrowest).toFixed(1)}`,
  };
}

describe('write limits', () => {
  it('throttles a client over the byte rate of one shard to that rate, per entry, and writes only what it admits', async () => {
    // Prepare: 32 KiB/s per shard; 2 shards, every entry to the lower one. 10 x 4 KiB per
    // request from 4 senders offers many times the limit.
    fx.proxy.setLimits({ writeBytesPerSecond: 32 * KiB });
    const streamName = await newStream(2);
    const data = new Uint8Array(4 * KiB - 2);
    const entryBytes = data.length + 2; // + the partition key 'pk'
    // Act
    const burst = await hammer(
      streamName,
      () =>
        Array.from({ length: 10 }, () => ({
          PartitionKey: 'pk',
          ExplicitHashKey: LOW_KEY,
          Data: data,
        })),
      4,
      4,
    );
    // Assess: the admitted bytes follow the bucket; the throttled entries carry the service's error.
    const bounds = admissionBounds(burst, 32 * KiB, 32 * KiB);
    const admittedBytes = burst.admitted * entryBytes;
    const seconds = (burst.lastResponseEnd - burst.firstSendStart) / 1000;
    console.info(
      `byte limit: admitted ${(admittedBytes / KiB).toFixed(0)} KiB in ${seconds.toFixed(2)} s ` +
        `(bounds ${(bounds.min / KiB).toFixed(0)}..${(bounds.max / KiB).toFixed(0)} KiB), ` +
        `measured ${bounds.rateRange(admittedBytes)} B/s after the burst ` +
        `(limit ${32 * KiB}), ${burst.throttled.length} entries throttled`,
    );
    expect(admittedBytes).toBeLessThanOrEqual(bounds.max);
    expect(admittedBytes).toBeGreaterThanOrEqual(bounds.min - entryBytes);
    expect(burst.throttled[0]).toEqual({
      ErrorCode: 'ProvisionedThroughputExceededException',
      ErrorMessage: `Rate exceeded for shard shardId-000000000000 in stream ${streamName} under account 000000000000.`,
    });
    const stats = fx.proxy.stats();
    expect(stats.shards[`${streamName}/shardId-000000000000`]?.throttledEntries).toBe(
      burst.throttled.length,
    );
    expect(stats.shards[`${streamName}/shardId-000000000001`]).toBeUndefined();
    // Only admitted entries reached kinesis-local.
    const stored = await readAllRecords(streamName, {
      untilCount: burst.admitted,
      timeoutMs: 20_000,
    });
    expect(stored).toHaveLength(burst.admitted);
  });

  it('throttles entries over the record rate per shard, at the configured rate', async () => {
    // Prepare: 20 records/s per shard, low enough that kinesis-local's latency never starves the
    // demand (it cannot absorb the service's 1000/s here).
    fx.proxy.setLimits({ writeRecordsPerSecond: 20 });
    const streamName = await newStream(2);
    let n = 0;
    // Act: 50 entries per request alternating between the shards, 3 senders, 3 s.
    const burst = await hammer(
      streamName,
      () =>
        Array.from({ length: 50 }, () => ({
          PartitionKey: `k${n}`,
          ExplicitHashKey: n++ % 2 === 0 ? LOW_KEY : HIGH_KEY,
          Data: new Uint8Array(10),
        })),
      3,
      3,
    );
    // Assess: each shard admits 20 (burst) + 20/s; both shards are limited independently.
    const perShard = admissionBounds(burst, 20, 20);
    const stats = fx.proxy.stats();
    const low = stats.shards[`${streamName}/shardId-000000000000`]!;
    const high = stats.shards[`${streamName}/shardId-000000000001`]!;
    const seconds = (burst.lastResponseEnd - burst.firstSendStart) / 1000;
    for (const [label, shard] of [
      ['low', low],
      ['high', high],
    ] as const) {
      const admitted = shard.putEntries - shard.throttledEntries;
      console.info(
        `record limit (${label} shard): admitted ${admitted} of ${shard.putEntries} in ${seconds.toFixed(2)} s ` +
          `(bounds ${perShard.min.toFixed(0)}..${perShard.max.toFixed(0)}), ` +
          `measured ${perShard.rateRange(admitted)} records/s after the burst (limit 20)`,
      );
      expect(shard.throttledEntries).toBeGreaterThan(0);
      expect(admitted).toBeLessThanOrEqual(perShard.max);
      expect(admitted).toBeGreaterThanOrEqual(perShard.min - 1);
    }
    expect(low.throttledEntries + high.throttledEntries).toBe(burst.throttled.length);
    expect(burst.admitted).toBe(stats.totals.putEntries - stats.totals.throttledEntries);
  });

  it('throttles nobody who stays under the limits', async () => {
    // Prepare: 100 x 1 KiB every 200 ms = 500 records/s and ~500 KiB/s on one shard.
    const streamName = await newStream(1);
    let admitted = 0;
    // Act
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const output = await fx.kinesis.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: Array.from({ length: 100 }, (_, j) => ({
            PartitionKey: `p${i}-${j}`,
            Data: new Uint8Array(1000),
          })),
        }),
      );
      expect(output.FailedRecordCount).toBe(0);
      admitted += output.Records!.length;
      const wait = 200 - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await fx.kinesis.send(
      new PutRecordCommand({
        StreamName: streamName,
        PartitionKey: 'single',
        Data: new Uint8Array(10),
      }),
    );
    // Assess
    expect(admitted).toBe(1000);
    expect(fx.proxy.stats().totals).toMatchObject({ putEntries: 1001, throttledEntries: 0 });
  });

  it('answers PutRecord over the limit with a 400 ProvisionedThroughputExceededException', async () => {
    fx.proxy.setLimits({ writeRecordsPerSecond: 2 });
    const streamName = await newStream(1);
    const put = (): Promise<unknown> =>
      fx.kinesis.send(
        new PutRecordCommand({
          StreamName: streamName,
          PartitionKey: 'a',
          Data: new Uint8Array(1),
        }),
      );
    await put();
    await put();
    const error = (await put().catch((e: unknown) => e)) as {
      name: string;
      message: string;
      $metadata: { httpStatusCode: number };
    };
    expect(error.name).toBe('ProvisionedThroughputExceededException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      `Rate exceeded for shard shardId-000000000000 in stream ${streamName} under account 000000000000.`,
    );
  });

  it('rejects 501 entries with ValidationException and more than 5 MiB with InvalidArgumentException', async () => {
    // Prepare
    const streamName = await newStream(1);
    const small = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ PartitionKey: `k${i}`, Data: new Uint8Array(1) }));
    // 6 entries of 900 KiB: each is a valid record, together they exceed 5 MiB.
    const big = Array.from({ length: 6 }, (_, i) => ({
      PartitionKey: `b${i}`,
      Data: new Uint8Array(900 * KiB),
    }));
    // Act
    const tooMany = (await fx.kinesis
      .send(new PutRecordsCommand({ StreamName: streamName, Records: small(501) }))
      .catch((e: unknown) => e)) as {
      name: string;
      message: string;
      $metadata: { httpStatusCode: number };
    };
    const tooBig = (await fx.kinesis
      .send(new PutRecordsCommand({ StreamName: streamName, Records: big }))
      .catch((e: unknown) => e)) as {
      name: string;
      message: string;
      $metadata: { httpStatusCode: number };
    };
    const fits = await fx.kinesis.send(
      new PutRecordsCommand({ StreamName: streamName, Records: small(500) }),
    );
    // Assess
    expect(tooMany).toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(tooMany.message).toMatch(/Member must have length less than or equal to 500/);
    expect(tooBig).toMatchObject({
      name: 'InvalidArgumentException',
      message: 'Records size exceeds 5 MB limit',
      $metadata: { httpStatusCode: 400 },
    });
    expect(6 * 900 * KiB).toBeGreaterThan(5 * MiB);
    expect(fits.FailedRecordCount).toBe(0);
    expect(fx.proxy.stats().rejectedRequests).toBe(2);
    // Nothing of the rejected requests was written.
    expect(await readAllRecords(streamName, { untilCount: 501, timeoutMs: 2000 })).toHaveLength(
      500,
    );
  });
});
