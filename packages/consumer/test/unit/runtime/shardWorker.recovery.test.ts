import { computeBackoff } from '@kinesis-kit/common';
import { SHARD, createHarness, putPlain, text } from './workerHarness.js';

const FAST = { idleTimeBetweenReadsMs: 100, minTimeBetweenReadsMs: 0 };

describe('ShardWorker read failures', () => {
  it('backs off with full jitter on throttling, growing with consecutive throttles', async () => {
    // Prepare
    const h = await createHarness({
      options: { ...FAST, throttleBackoff: { baseMs: 100, capMs: 10_000 } },
      setup: (k) => void putPlain(k, 3),
    });
    h.kinesis.failNext('getRecords', 4, 'throttled');

    // Act
    await h.drive(() => h.processor.delivered.length === 3);

    // Assess: the harness's random is 0.5, so delays are half of 100·2^n.
    const reads = h.kinesis.calls.filter((c) => c.op === 'getRecords').map((c) => c.at);
    const gaps = reads.slice(1, 5).map((at, i) => at - reads[i]!);
    const expected = [0, 1, 2, 3].map((n) =>
      computeBackoff(n, { baseMs: 100, capMs: 10_000 }, () => 0.5),
    );
    expect(gaps).toEqual(expected);
    expect(h.events.readThrottled.map((e) => e.consecutive)).toEqual([1, 2, 3, 4]);
    expect(h.metrics.sum('ReadProvisionedThroughputExceeded')).toBe(4);
    expect(text(h.processor.delivered)).toEqual(['r0', 'r1', 'r2']);
    await h.worker.requestShutdown();
  });

  it('resets the throttle backoff after a successful read', async () => {
    const h = await createHarness({
      options: { ...FAST, throttleBackoff: { baseMs: 100, capMs: 10_000 } },
    });
    h.kinesis.failNext('getRecords', 3);
    await h.drive(() => h.events.readThrottled.length === 3);
    await h.drive(
      () => h.kinesis.calls.filter((c) => c.outcome === 'ok' && c.op === 'getRecords').length === 1,
    );

    h.kinesis.failNext('getRecords', 1);
    await h.drive(() => h.events.readThrottled.length === 4);

    expect(h.events.readThrottled[3]!.consecutive).toBe(1);
    await h.worker.requestShutdown();
  });

  it('restarts an expired iterator after the last record seen: nothing lost, nothing twice', async () => {
    // Prepare: read 4 records, expire every iterator, then 4 more arrive.
    const h = await createHarness({
      options: { ...FAST, maxRecords: 2 },
      setup: (k) => void putPlain(k, 4),
    });
    await h.drive(() => h.processor.delivered.length === 4);
    h.kinesis.expireIterators();
    putPlain(h.kinesis, 4, 'late');

    // Act
    await h.drive(() => h.processor.delivered.length === 8);
    await h.clock.advance(1000);

    // Assess
    expect(text(h.processor.delivered)).toEqual([
      'r0',
      'r1',
      'r2',
      'r3',
      'late0',
      'late1',
      'late2',
      'late3',
    ]);
    const restart = h.kinesis.calls.filter((c) => c.op === 'getShardIterator')[1];
    expect(restart?.position).toEqual({
      type: 'AFTER_SEQUENCE_NUMBER',
      sequenceNumber: h.kinesis.records(SHARD)[3]!.sequenceNumber,
    });
    expect(h.metrics.sum('ExpiredIterator')).toBe(1);
    expect(h.events.iteratorExpired).toHaveLength(1);
    await h.worker.requestShutdown();
  });

  it('restarts from the start position when the iterator expires before any record was read', async () => {
    const h = await createHarness({ options: FAST });
    await h.drive(() => h.kinesis.calls.some((c) => c.op === 'getRecords'));
    h.kinesis.expireIterators();
    putPlain(h.kinesis, 2);

    await h.drive(() => h.processor.delivered.length === 2);

    const positions = h.kinesis.calls
      .filter((c) => c.op === 'getShardIterator')
      .map((c) => c.position);
    expect(positions).toEqual([{ type: 'TRIM_HORIZON' }, { type: 'TRIM_HORIZON' }]);
    await h.worker.requestShutdown();
  });

  it('recovers when the iterator ages out behind a stuck processor (5 minutes)', async () => {
    let release: () => void = () => undefined;
    const h = await createHarness({
      options: { ...FAST, maxRecords: 1, maxPrefetchBatches: 1 },
      setup: (k) => void putPlain(k, 5),
    });
    h.processor.onProcess = (input, call) =>
      call === 1
        ? new Promise<void>((resolve) => (release = resolve))
        : input.checkpointer.checkpoint();
    await h.drive(() => h.processor.inputs.length === 1);

    await h.clock.advance(6 * 60_000);
    release();
    await h.drive(() => h.processor.delivered.length === 5);

    expect(text(h.processor.delivered)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(h.metrics.sum('ExpiredIterator')).toBe(1);
    await h.worker.requestShutdown();
  });

  it('retries other read errors with backoff and reports them', async () => {
    const h = await createHarness({
      options: { ...FAST, retrievalErrorBackoff: { baseMs: 1000, capMs: 5000 } },
      setup: (k) => void putPlain(k, 1),
    });
    h.kinesis.failNext('getShardIterator', 2, 'other');

    await h.drive(() => h.processor.delivered.length === 1);

    expect(h.events.retrievalError.map((e) => [e.consecutive, e.delayMs])).toEqual([
      [1, 500],
      [2, 1000],
    ]);
    await h.worker.requestShutdown();
  });

  it('gets a fresh iterator after the last record once GetRecords failed 3 times in a row', async () => {
    const h = await createHarness({
      options: { ...FAST, maxRecords: 1 },
      setup: (k) => void putPlain(k, 1),
    });
    await h.drive(() => h.processor.delivered.length === 1);
    h.kinesis.failNext('getRecords', 3, 'other');
    putPlain(h.kinesis, 1, 'next');

    await h.drive(() => h.processor.delivered.length === 2);

    const positions = h.kinesis.calls
      .filter((c) => c.op === 'getShardIterator')
      .map((c) => c.position);
    expect(positions).toEqual([
      { type: 'TRIM_HORIZON' },
      {
        type: 'AFTER_SEQUENCE_NUMBER',
        sequenceNumber: h.kinesis.records(SHARD)[0]!.sequenceNumber,
      },
    ]);
    expect(text(h.processor.delivered)).toEqual(['r0', 'next0']);
    await h.worker.requestShutdown();
  });
});
