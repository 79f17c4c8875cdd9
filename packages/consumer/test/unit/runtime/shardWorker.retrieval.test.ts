import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { createHarness, putAggregate, putPlain, text } from './workerHarness.js';

const FAST = { idleTimeBetweenReadsMs: 100, minTimeBetweenReadsMs: 0 };

describe('ShardWorker retrieval', () => {
  it('reads from TRIM_HORIZON, delivers every record in order and checkpoints the last', async () => {
    // Prepare
    const h = await createHarness({
      options: { ...FAST, maxRecords: 3 },
      setup: (k) => void putPlain(k, 8),
    });

    // Act
    await h.drive(() => h.processor.delivered.length === 8);

    // Assess
    expect(text(h.processor.delivered)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    expect(h.processor.inputs.map((i) => i.records.length)).toEqual([3, 3, 2]);
    await h.drive(
      () =>
        h.held.target.lease.checkpoint.sequenceNumber ===
        h.kinesis.records(h.worker.shardId)[7]!.sequenceNumber,
    );
    expect(h.kinesis.calls[0]).toMatchObject({
      op: 'getShardIterator',
      position: { type: 'TRIM_HORIZON' },
    });
    expect(h.processor.initInput?.extendedSequenceNumber).toBe(ExtendedSequenceNumber.TRIM_HORIZON);
    expect(h.metrics.sum('RecordsProcessed')).toBe(8);
    expect(h.metrics.sum('DataBytesProcessed')).toBe(16);
    expect(h.metrics.count('MillisBehindLatest')).toBeGreaterThan(0);
    await h.worker.requestShutdown();
  });

  it('resumes inside a KPL aggregate: only sub-records after the checkpoint are delivered', async () => {
    // Prepare: a plain record, an aggregate of 5, a plain record; checkpoint at sub-record 2.
    let aggregateSeq = '';
    const h = await createHarness({
      options: FAST,
      setup: (k) => {
        putPlain(k, 1, 'before');
        aggregateSeq = putAggregate(k, 5);
        putPlain(k, 1, 'after');
        return ExtendedSequenceNumber.of(aggregateSeq, 2);
      },
    });

    // Act
    await h.drive(() => h.processor.delivered.length === 3);

    // Assess
    expect(h.kinesis.calls[0]).toMatchObject({
      op: 'getShardIterator',
      position: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: aggregateSeq },
    });
    expect(text(h.processor.delivered)).toEqual(['u3', 'u4', 'after0']);
    expect(h.processor.delivered.map((r) => [r.subSequenceNumber, r.aggregated])).toEqual([
      [3, true],
      [4, true],
      [0, false],
    ]);
    expect(h.processor.initInput?.extendedSequenceNumber.toString()).toBe(`${aggregateSeq}/2`);
    await h.worker.requestShutdown();
  });

  it('resumes after a plain record without redelivering it (AT_SEQUENCE_NUMBER then filter)', async () => {
    const h = await createHarness({
      options: FAST,
      setup: (k) => ExtendedSequenceNumber.of(putPlain(k, 4)[1]!),
    });

    await h.drive(() => h.processor.delivered.length === 2);
    await h.drive(() => h.kinesis.calls.filter((c) => c.op === 'getRecords').length >= 3);

    expect(text(h.processor.delivered)).toEqual(['r2', 'r3']);
    await h.worker.requestShutdown();
  });

  it('skips a batch the resume checkpoint filters down to nothing, then delivers the next', async () => {
    // Prepare: one record per read; the iterator starts AT the checkpointed record r1.
    const h = await createHarness({
      options: { ...FAST, maxRecords: 1 },
      setup: (k) => ExtendedSequenceNumber.of(putPlain(k, 4)[1]!),
    });

    // Act
    await h.drive(() => h.processor.delivered.length === 2);

    // Assess: the first read (r1) filtered down to an empty batch, which is not handed over.
    expect(h.kinesis.calls.filter((c) => c.op === 'getRecords').length).toBeGreaterThanOrEqual(3);
    expect(h.processor.inputs.map((i) => text(i.records))).toEqual([['r2'], ['r3']]);
    await h.worker.requestShutdown();
  });

  it('hands the filtered-out read over as one empty batch when empty batches are asked for', async () => {
    // Prepare: as above, with callProcessRecordsEvenForEmptyRecordList.
    const h = await createHarness({
      options: { ...FAST, maxRecords: 1, callProcessRecordsEvenForEmptyRecordList: true },
      setup: (k) => ExtendedSequenceNumber.of(putPlain(k, 4)[1]!),
    });

    // Act
    await h.drive(() => h.processor.delivered.length === 2);

    // Assess: the read of r1 (filtered to nothing) comes as one empty batch, then r2 and r3.
    expect(h.processor.inputs.slice(0, 3).map((i) => text(i.records))).toEqual([
      [],
      ['r2'],
      ['r3'],
    ]);
    await h.worker.requestShutdown();
  });

  it.each([
    ['LATEST', ExtendedSequenceNumber.LATEST, ['new0', 'new1']],
    ['AT_TIMESTAMP', ExtendedSequenceNumber.AT_TIMESTAMP, ['r1', 'new0', 'new1']],
  ])('starts at %s', async (_name, checkpoint, expected) => {
    // Prepare: r0 before the timestamp, r1 at it; the worker starts, then two new records come.
    const h = await createHarness({
      checkpoint,
      options: { ...FAST, initialPositionTimestamp: new Date(1_700_000_000_500) },
      start: false,
    });
    putPlain(h.kinesis, 1);
    await h.clock.advance(500);
    h.kinesis.put(h.worker.shardId, 'r1');
    h.worker.start();
    await h.drive(() => h.kinesis.calls.some((c) => c.op === 'getRecords'));

    putPlain(h.kinesis, 2, 'new');
    await h.drive(() => h.processor.delivered.length >= expected.length);

    expect(text(h.processor.delivered)).toEqual(expected);
    await h.worker.requestShutdown();
  });

  it('drops a KPL aggregate whose sub-records hash outside the lease range (KCL rule)', async () => {
    // Prepare: the lease covers the lower half; one aggregate routed outside, one inside.
    const half = (2n ** 127n).toString();
    const h = await createHarness({
      options: FAST,
      hashKeyRange: { startingHashKey: '0', endingHashKey: half },
      setup: (k) => {
        putAggregate(k, 2, { prefix: 'out', explicitHashKey: () => (2n ** 127n + 5n).toString() });
        putAggregate(k, 2, { prefix: 'in', explicitHashKey: () => '5' });
      },
    });

    await h.drive(() => h.processor.delivered.length === 2);

    expect(text(h.processor.delivered)).toEqual(['in0', 'in1']);
    await h.worker.requestShutdown();
  });

  it('passes a corrupt aggregate through raw', async () => {
    const h = await createHarness({ options: FAST, start: false });
    putAggregate(h.kinesis, 3);
    const raw = h.kinesis.records(h.worker.shardId)[0]!;
    raw.data[raw.data.length - 1]! ^= 0xff; // break the MD5 trailer
    h.worker.start();

    await h.drive(() => h.processor.delivered.length === 1);

    expect(h.processor.delivered[0]).toMatchObject({ aggregated: false, subSequenceNumber: 0 });
    expect(h.processor.delivered[0]!.data).toBe(raw.data);
    await h.worker.requestShutdown();
  });

  it('waits the idle time on an empty shard and reads again at once while records flow', async () => {
    const h = await createHarness({
      options: { idleTimeBetweenReadsMs: 1000, minTimeBetweenReadsMs: 0, maxRecords: 2 },
    });
    await h.drive(() => h.kinesis.calls.filter((c) => c.op === 'getRecords').length === 3, 5000);
    const idle = h.kinesis.calls.filter((c) => c.op === 'getRecords').map((c) => c.at);
    expect(idle[1]! - idle[0]!).toBe(1000);
    expect(idle[2]! - idle[1]!).toBe(1000);

    putPlain(h.kinesis, 6);
    await h.drive(() => h.processor.delivered.length === 6, 5000);
    const reads = h.kinesis.calls
      .filter((c) => c.op === 'getRecords')
      .slice(3, 6)
      .map((c) => c.at);
    expect(reads[2]! - reads[0]!).toBe(0);
    await h.worker.requestShutdown();
  });

  it('keeps GetRecords starts minTimeBetweenReadsMs apart after a partial batch', async () => {
    const h = await createHarness({
      options: { idleTimeBetweenReadsMs: 1000, minTimeBetweenReadsMs: 200, maxRecords: 10 },
    });
    await h.drive(() => h.kinesis.calls.some((c) => c.op === 'getRecords'));
    putPlain(h.kinesis, 1);
    await h.drive(() => h.processor.delivered.length === 1, 5000);
    putPlain(h.kinesis, 1, 's');
    await h.drive(() => h.processor.delivered.length === 2, 5000);

    const reads = h.kinesis.calls
      .filter((c) => c.op === 'getRecords' && c.outcome === 'ok')
      .map((c) => c.at);
    for (let i = 1; i < reads.length; i++)
      expect(reads[i]! - reads[i - 1]!).toBeGreaterThanOrEqual(200);
    await h.worker.requestShutdown();
  });

  it('reads again at once after a partial batch from a shard it is behind on', async () => {
    const h = await createHarness({
      options: {
        idleTimeBetweenReadsMs: 1000,
        minTimeBetweenReadsMs: 500,
        maxRecords: 10,
        shardReadBytesPerSecond: 0,
      },
    });
    await h.drive(() => h.kinesis.calls.some((c) => c.op === 'getRecords'));
    // Three 4 MiB records, written 100 ms apart: a response holds two (10 MiB cap), so the first
    // batch is partial while the shard still has a later record (millisBehindLatest > 0).
    const big = 'x'.repeat(4 * 1024 * 1024);
    for (let i = 0; i < 3; i++) {
      h.kinesis.put('shardId-000000000000', `${i}${big}`, `pk-${i}`);
      await h.clock.advance(100);
    }
    await h.drive(() => h.processor.delivered.length === 3, 5000);
    const reads = h.kinesis.calls
      .filter((c) => c.op === 'getRecords' && c.outcome === 'ok')
      .map((c) => c.at);
    const last = reads.length - 1;
    // The read that fetched the third record followed the partial batch without pacing.
    expect(reads[last]! - reads[last - 1]!).toBeLessThan(500);
    await h.worker.requestShutdown();
  });

  it.each([
    [2 * 1024 * 1024, 4000],
    [4 * 1024 * 1024, 2000],
  ])(
    'waits for the shard to serve the bytes read (%d B/s) before reading again',
    async (shardReadBytesPerSecond, expectedGapMs) => {
      // Prepare: three 4 MiB records written 100 ms apart after the first (empty) read; the
      // next read gets two (an 8 MiB answer) while the shard is behind, so nothing but the byte
      // budget delays the read of the third.
      const h = await createHarness({
        options: {
          idleTimeBetweenReadsMs: 1000,
          minTimeBetweenReadsMs: 0,
          maxRecords: 10,
          shardReadBytesPerSecond,
        },
      });
      await h.drive(() => h.kinesis.calls.some((c) => c.op === 'getRecords'));
      const big = 'x'.repeat(4 * 1024 * 1024);
      for (let i = 0; i < 3; i++) {
        h.kinesis.put('shardId-000000000000', `${i}${big}`, `pk-${i}`);
        await h.clock.advance(100);
      }

      // Act
      await h.drive(() => h.processor.delivered.length === 3, 10_000);

      // Assess: the read of the third record came once the shard had served the 8 MiB.
      expect(h.processor.inputs.map((i) => i.records.length)).toEqual([2, 1]);
      const reads = h.kinesis.calls
        .filter((c) => c.op === 'getRecords' && c.outcome === 'ok')
        .map((c) => c.at);
      const gap = reads[reads.length - 1]! - reads[reads.length - 2]!;
      expect(gap).toBeGreaterThanOrEqual(expectedGapMs);
      expect(gap).toBeLessThan(expectedGapMs + 200);
      await h.worker.requestShutdown();
    },
  );

  it('prefetches at most maxPrefetchBatches ahead of a slow processor', async () => {
    let release: () => void = () => undefined;
    const h = await createHarness({
      options: { ...FAST, maxRecords: 1, maxPrefetchBatches: 2 },
      setup: (k) => void putPlain(k, 10),
    });
    h.processor.onProcess = () => new Promise<void>((resolve) => (release = resolve));

    await h.drive(() => h.processor.inputs.length === 1);
    await h.clock.advance(10_000);

    // One batch in the processor, two queued: three reads, and no more while it is stuck.
    expect(h.kinesis.calls.filter((c) => c.op === 'getRecords')).toHaveLength(3);
    release();
    await h.drive(() => h.processor.inputs.length === 2);
    h.processor.onProcess = () => Promise.resolve();
    release();
    await h.drive(() => h.processor.delivered.length === 10);
    await h.worker.requestShutdown();
  });
});
