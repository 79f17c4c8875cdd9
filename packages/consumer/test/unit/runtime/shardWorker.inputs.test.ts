// What a processor is handed (millisBehindLatest, a KPL sub-record's explicit hash key) and the
// byte bound of the read-ahead queue (maxPrefetchBytes), on the worker harness's fakes.
import { createHarness, putAggregate, putPlain, text } from './workerHarness.js';

const FAST = { idleTimeBetweenReadsMs: 100, minTimeBetweenReadsMs: 0, shardReadBytesPerSecond: 0 };

describe('ShardWorker: what processRecords receives', () => {
  it('passes a non-zero millisBehindLatest of a read that is behind the tip', async () => {
    // Prepare: r0 at t=0, r1 five seconds later; one record per read, so the first read is
    // 5 s behind the tip (the fake answers now − arrival of the last record returned).
    const h = await createHarness({ options: { ...FAST, maxRecords: 1 }, start: false });
    putPlain(h.kinesis, 1, 'old');
    await h.clock.advance(5000);
    putPlain(h.kinesis, 1, 'new');

    // Act
    h.worker.start();
    await h.drive(() => h.processor.delivered.length === 2);

    // Assess
    expect(text(h.processor.delivered)).toEqual(['old0', 'new0']);
    expect(h.processor.inputs.map((i) => i.millisBehindLatest)).toEqual([5000, 0]);
    const metric = h.metrics.data.filter((d) => d.name === 'MillisBehindLatest');
    expect(metric.map((d) => d.value)).toEqual(expect.arrayContaining([5000]));
    await h.worker.requestShutdown();
  });

  it("delivers a KPL sub-record's explicitHashKey, and none for a plain record", async () => {
    // Prepare: an aggregate whose sub-records carry explicit hash keys, then a plain record.
    const h = await createHarness({
      options: FAST,
      setup: (k) => {
        putAggregate(k, 3, { explicitHashKey: (i) => String(1000n + BigInt(i)) });
        putPlain(k, 1, 'plain');
      },
    });

    // Act
    await h.drive(() => h.processor.delivered.length === 4);

    // Assess
    expect(h.processor.delivered.map((r) => [r.aggregated, r.explicitHashKey])).toEqual([
      [true, '1000'],
      [true, '1001'],
      [true, '1002'],
      [false, undefined],
    ]);
    await h.worker.requestShutdown();
  });
});

describe('ShardWorker: maxPrefetchBytes', () => {
  it.each([
    // [bound in bytes, reads queued behind the stuck batch]: reading stops once the queued
    // bytes reach the bound, so the last read may overshoot it by less than one batch.
    [1, 1],
    [2500, 3],
    [3000, 3],
  ])(
    'bounds the read-ahead of a stuck processor to %d bytes (%d reads queued)',
    async (maxPrefetchBytes, queued) => {
      // Prepare: 1000-byte records, one per read, and a batch bound too high to matter.
      const h = await createHarness({
        options: { ...FAST, maxRecords: 1, maxPrefetchBatches: 100, maxPrefetchBytes },
        setup: (k) => {
          for (let i = 0; i < 20; i++) k.put('shardId-000000000000', 'x'.repeat(1000), `pk-${i}`);
        },
      });
      let release: () => void = () => undefined;
      h.processor.onProcess = () => new Promise<void>((resolve) => (release = resolve));

      // Act: the processor holds the first batch while fake time runs on.
      await h.drive(() => h.processor.inputs.length === 1);
      await h.clock.advance(10_000);

      // Assess: the batch in the processor plus `queued` reads, and no more.
      const reads = () => h.kinesis.calls.filter((c) => c.op === 'getRecords').length;
      expect(reads()).toBe(1 + queued);
      h.processor.onProcess = () => Promise.resolve();
      release();
      await h.drive(() => h.processor.delivered.length === 20);
      await h.worker.requestShutdown();
    },
  );
});
