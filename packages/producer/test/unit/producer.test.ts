import { ClosedError, RecordTooLargeError, ValidationError } from '@kinesis-kit/common';
import { MemoryMetricsSink } from '@kinesis-kit/common/testing';
import {
  BufferFullError,
  CloseTimeoutError,
  DeliveryFailedError,
  RecordExpiredError,
} from '../../src/errors.js';
import { RECORD_OVERHEAD_BYTES } from '../../src/capacity.js';
import type { PutResult } from '../../src/core/records.js';
import { FakeKinesis, awsError } from '../fakes/fakeKinesis.js';
import { makeProducer, readBack, sleep, text } from '../fakes/harness.js';

const putMany = (
  producer: ReturnType<typeof makeProducer>,
  n: number,
  prefix = 'r',
  size = 0,
): Promise<PutResult>[] =>
  Array.from({ length: n }, (_, i) =>
    producer.put({ partitionKey: `${prefix}-${i}`, data: `${prefix}-${i}`.padEnd(size, '.') }),
  );

describe('KinesisProducer', () => {
  it('resolves each put with where its record is, once it is stored', async () => {
    const fake = new FakeKinesis(4);
    const producer = makeProducer(fake);
    const results = await Promise.all(putMany(producer, 200));
    await producer.close();

    const stored = readBack(fake);
    expect(stored).toHaveLength(200);
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      const found = stored.filter(
        (s) => s.sequenceNumber === r.sequenceNumber && s.subSequenceNumber === r.subSequenceNumber,
      );
      expect(found).toHaveLength(1);
      expect(text(found[0]!)).toBe(`r-${i}`);
      expect(found[0]!.shardId).toBe(r.shardId);
      expect(r.attempts).toBe(1);
    }
  });

  it('aggregates per shard with outer key "a" and the first record hash key, lone records raw', async () => {
    const fake = new FakeKinesis(2);
    const producer = makeProducer(fake);
    await Promise.all(putMany(producer, 100));
    await producer.close();
    // Two shards, one request: at most a few aggregates per shard.
    expect(fake.records.length).toBeLessThanOrEqual(4);
    const aggregates = fake.records.filter((r) => readBack(fake, false, [r]).length > 1);
    expect(aggregates.length).toBeGreaterThan(0);
    expect(aggregates.every((r) => r.partitionKey === 'a')).toBe(true);
    for (const r of fake.records) {
      const range = fake.rangeOf(r.shardId);
      expect(
        BigInt(r.explicitHashKey!) >= range.start && BigInt(r.explicitHashKey!) <= range.end,
      ).toBe(true);
    }

    const fake2 = new FakeKinesis(1);
    const lone = makeProducer(fake2);
    await lone.put({ partitionKey: 'abcd', data: 'x' });
    await lone.close();
    expect(fake2.records[0]).toMatchObject({
      partitionKey: 'abcd',
      explicitHashKey: BigInt('0xE2FC714C4727EE9395F324CD2E7F331F').toString(),
    });
    expect(text(fake2.records[0]!)).toBe('x');
  });

  it('sends a record larger than the aggregate limit alone and raw', async () => {
    const fake = new FakeKinesis(1);
    const producer = makeProducer(fake, { aggregationMaxSize: 1000 });
    const big = 'B'.repeat(5000);
    const puts = [
      producer.put({ partitionKey: 'k1', data: 'small-1' }),
      producer.put({ partitionKey: 'k2', data: big }),
      producer.put({ partitionKey: 'k3', data: 'small-2' }),
    ];
    const results = await Promise.all(puts);
    await producer.close();
    const raw = fake.records.find((r) => r.data.length === 5000)!;
    expect(raw.partitionKey).toBe('k2');
    expect(results[1]!.subSequenceNumber).toBe(0);
    expect(readBack(fake).map(text).sort()).toEqual([big, 'small-1', 'small-2'].sort());
  });

  it('keeps requests within 500 entries and 5 MiB, partition keys counted', async () => {
    const fake = new FakeKinesis(4);
    // rateLimit 1000%: this test is about request limits, not shard budgets.
    const producer = makeProducer(fake, { aggregationEnabled: false, rateLimit: 1000 });
    await Promise.all(putMany(producer, 1300));
    const bigKey = 'K'.repeat(200);
    await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        producer.put({ partitionKey: `${bigKey}${i}`, data: Buffer.alloc(1024 * 1024 - 300) }),
      ),
    );
    await producer.close();
    expect(readBack(fake)).toHaveLength(1314);
    expect(Math.max(...fake.requestSizes)).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(fake.putCalls).toBeGreaterThanOrEqual(3 + 3);
  });

  it('waits about recordMaxBufferedTime before sending a lone record', async () => {
    const fake = new FakeKinesis(1);
    const producer = makeProducer(fake, { recordMaxBufferedTime: 150 });
    const start = Date.now();
    await producer.put({ partitionKey: 'k', data: 'v' });
    const elapsed = Date.now() - start;
    await producer.close();
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(600);
  });

  it('flush() sends at once and resolves when earlier records are in', async () => {
    const fake = new FakeKinesis(2);
    const producer = makeProducer(fake, { recordMaxBufferedTime: 60_000 });
    const puts = putMany(producer, 50);
    const start = Date.now();
    await producer.flush();
    expect(Date.now() - start).toBeLessThan(2000);
    expect(readBack(fake)).toHaveLength(50);
    await Promise.all(puts);
    await producer.close();
  });

  it('retries failed entries and failed requests, counting attempts', async () => {
    const fake = new FakeKinesis(1);
    fake.failEntries = { code: 'InternalFailure', count: 1 };
    fake.putErrors.push(awsError('InternalFailure', 500));
    const producer = makeProducer(fake);
    const result = await producer.put({ partitionKey: 'k', data: 'v' });
    await producer.close();
    expect(result.attempts).toBe(3);
    expect(readBack(fake)).toHaveLength(1);
  });

  it('rejects with the AWS error as cause, without retrying, when the stream is missing', async () => {
    const fake = new FakeKinesis(1);
    const notFound = awsError('ResourceNotFoundException', 400, 'Stream test-stream not found');
    fake.putErrors.push(notFound);
    const producer = makeProducer(fake);
    const error = await producer.put({ partitionKey: 'k', data: 'v' }).catch((e: unknown) => e);
    await producer.close();
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect((error as DeliveryFailedError).cause).toBe(notFound);
    expect((error as DeliveryFailedError).errorCode).toBe('ResourceNotFoundException');
    expect(fake.putCalls).toBe(1);
  });

  it('rejects every put when the stream cannot be listed (access denied)', async () => {
    const fake = new FakeKinesis(1);
    const denied = awsError('AccessDeniedException', 400);
    fake.listShardsError = denied;
    const producer = makeProducer(fake);
    const error = await producer.put({ partitionKey: 'k', data: 'v' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect((error as DeliveryFailedError).cause).toBe(denied);
    await producer.close();
  });

  it('expires a record at its TTL with every attempt', async () => {
    const fake = new FakeKinesis(1);
    fake.failEntries = { code: 'ProvisionedThroughputExceededException', count: 1e9 };
    const producer = makeProducer(fake, { recordTtl: 300 });
    const error = await producer.put({ partitionKey: 'k', data: 'v' }).catch((e: unknown) => e);
    await producer.close();
    expect(error).toBeInstanceOf(RecordExpiredError);
    const attempts = (error as RecordExpiredError).attempts;
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.every((a) => a.errorCode === 'ProvisionedThroughputExceededException')).toBe(
      true,
    );
  });

  it('fails throttled records at once with failIfThrottled', async () => {
    const fake = new FakeKinesis(1);
    fake.failEntries = { code: 'ProvisionedThroughputExceededException', count: 1 };
    const producer = makeProducer(fake, { failIfThrottled: true });
    const error = await producer.put({ partitionKey: 'k', data: 'v' }).catch((e: unknown) => e);
    await producer.close();
    expect(error).toBeInstanceOf(DeliveryFailedError);
  });

  it('rejects bad input per put, naming the field, and delivers the rest', async () => {
    const fake = new FakeKinesis(2);
    const producer = makeProducer(fake);
    const bad = [
      { partitionKey: '', data: 'x' },
      { partitionKey: 'p'.repeat(257), data: 'x' },
      { partitionKey: 'k', data: 'x', explicitHashKey: 'abc' },
      { partitionKey: 'k', data: 'x', explicitHashKey: (1n << 128n).toString() },
      { partitionKey: 'k', data: 42 },
      { partitionKey: 'k', data: Buffer.alloc(1024 * 1024) },
    ];
    const outcomes = await Promise.allSettled([
      producer.put({ partitionKey: 'good-1', data: 'ok' }),
      ...bad.map((b) => producer.put(b as never)),
      producer.put({ partitionKey: 'good-2', data: 'ok' }),
    ]);
    await producer.close();
    expect(outcomes[0].status).toBe('fulfilled');
    expect(outcomes.at(-1)!.status).toBe('fulfilled');
    const errors = outcomes
      .slice(1, -1)
      .map((o) => (o.status === 'rejected' ? (o.reason as ValidationError) : undefined));
    expect(errors.slice(0, 5).every((e) => e instanceof ValidationError)).toBe(true);
    expect(errors.map((e) => e?.field)).toEqual([
      'partitionKey',
      'partitionKey',
      'explicitHashKey',
      'explicitHashKey',
      'data',
      'data',
    ]);
    expect(errors[5]).toBeInstanceOf(RecordTooLargeError);
    expect((errors[5] as RecordTooLargeError).limitBytes).toBe(1024 * 1024);
    expect(readBack(fake)).toHaveLength(2);
  });

  it('accepts records up to the configured stream record size', async () => {
    const fake = new FakeKinesis(1);
    const producer = makeProducer(fake, { maxRecordSizeBytes: 4 * 1024 * 1024 });
    await producer.put({ partitionKey: 'k', data: Buffer.alloc(3 * 1024 * 1024) });
    await producer.close();
    expect(fake.records[0]!.data.length).toBe(3 * 1024 * 1024);
  });

  it('stores an explicit hash key in canonical form and routes by it', async () => {
    const fake = new FakeKinesis(4);
    const producer = makeProducer(fake);
    const last = (1n << 128n) - 1n;
    const r = await producer.put({ partitionKey: 'k', data: 'v', explicitHashKey: `000${last}` });
    await producer.close();
    expect(r.shardId).toBe('shardId-000000000003');
    expect(readBack(fake)[0]!.shardId).toBe('shardId-000000000003');
  });
});

describe('KinesisProducer backpressure and lifecycle', () => {
  it('rejects with BufferFullError when full and onBufferFull is reject', async () => {
    const fake = new FakeKinesis(1);
    const producer = makeProducer(fake, { maxBufferedRecords: 5, onBufferFull: 'reject' });
    const outcomes = await Promise.allSettled(putMany(producer, 8));
    await producer.close();
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    expect(
      rejected.every((o) => o.status === 'rejected' && o.reason instanceof BufferFullError),
    ).toBe(true);
  });

  it('charges each record its size plus a per-record overhead against maxBufferedBytes', async () => {
    const fake = new FakeKinesis(1);
    fake.latencyMs = 30;
    // Records of 12 bytes (key k0..k4 + 10 bytes of data) cost 12 + RECORD_OVERHEAD_BYTES each.
    const charge = 12 + RECORD_OVERHEAD_BYTES;
    const producer = makeProducer(fake, {
      maxRecordSizeBytes: 1024,
      aggregationMaxSize: 1000,
      maxBufferedBytes: 4 * charge,
      onBufferFull: 'reject',
    });
    const puts = [0, 1, 2, 3, 4].map((i) =>
      producer.put({ partitionKey: `k${i}`, data: '0123456789' }),
    );
    expect(producer.outstandingRecords).toBe(4);
    expect(producer.outstandingBytes).toBe(4 * 12);
    const outcomes = await Promise.allSettled(puts);
    await producer.close();
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    expect((outcomes[4] as PromiseRejectedResult).reason).toBeInstanceOf(BufferFullError);
    expect(producer.outstandingBytes).toBe(0);
  });

  it('makes put() wait for room when full, keeping memory bounded', async () => {
    const fake = new FakeKinesis(1);
    fake.latencyMs = 30;
    const producer = makeProducer(fake, { maxBufferedRecords: 10 });
    let maxOutstanding = 0;
    const puts: Promise<PutResult>[] = [];
    for (let i = 0; i < 60; i++) {
      puts.push(producer.put({ partitionKey: `k${i}`, data: 'v' }));
      maxOutstanding = Math.max(maxOutstanding, producer.outstandingRecords);
    }
    const sampler = setInterval(() => {
      maxOutstanding = Math.max(maxOutstanding, producer.outstandingRecords);
    }, 1);
    await Promise.all(puts);
    clearInterval(sampler);
    await producer.close();
    expect(maxOutstanding).toBeLessThanOrEqual(10);
    expect(readBack(fake)).toHaveLength(60);
  });

  it('close() flushes, then put() rejects with ClosedError; close is idempotent', async () => {
    const fake = new FakeKinesis(1);
    const producer = makeProducer(fake, { recordMaxBufferedTime: 60_000 });
    const put = producer.put({ partitionKey: 'k', data: 'v' });
    const [a, b] = [producer.close(), producer.close()];
    expect(a).toBe(b);
    await a;
    await expect(put).resolves.toMatchObject({ attempts: 1 });
    await expect(producer.put({ partitionKey: 'k', data: 'v' })).rejects.toBeInstanceOf(
      ClosedError,
    );
  });

  it('close() rejects what is left at its deadline with CloseTimeoutError', async () => {
    const fake = new FakeKinesis(1);
    fake.failEntries = { code: 'InternalFailure', count: 1e9 };
    const producer = makeProducer(fake, { closeTimeoutMs: 200 });
    const put = producer.put({ partitionKey: 'k', data: 'v' }).catch((e: unknown) => e);
    await sleep(50);
    await producer.close();
    const error = await put;
    expect(error).toBeInstanceOf(CloseTimeoutError);
    expect((error as CloseTimeoutError).attempts.length).toBeGreaterThan(0);
  });

  it('emits KPL metrics through the sink', async () => {
    const fake = new FakeKinesis(2);
    const sink = new MemoryMetricsSink();
    const producer = makeProducer(fake, { metricsSink: sink });
    await Promise.all(putMany(producer, 30));
    await producer.close();
    expect(sink.sum('UserRecordsReceived')).toBe(30);
    expect(sink.sum('UserRecordsPut')).toBe(30);
    expect(sink.sum('KinesisRecordsPut')).toBe(fake.records.length);
    expect(sink.sum('UserRecordsDataPut')).toBe(
      Array.from({ length: 30 }, (_, i) => `r-${i}`.length).reduce((a, b) => a + b, 0),
    );
    expect(sink.count('RequestTime')).toBe(fake.putCalls);
    expect(sink.data.find((d) => d.name === 'UserRecordsPut')!.dimensions).toMatchObject({
      StreamName: 'test-stream',
    });
  });
});
