// A read with more user records than maxRecordsPerBatch is handed over in consecutive batches
// (src/runtime/prefetcher.ts, recordBatch.ts): order, shard end on the last one, per-slice
// checkpoints, errors and shutdown between slices.
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { SHARD, createHarness, putAggregate, putPlain, text } from './workerHarness.js';

const FAST = { idleTimeBetweenReadsMs: 100, minTimeBetweenReadsMs: 0 };

describe('ShardWorker: a read handed over in slices', () => {
  it('splits one read (an aggregate split across slices) into batches of at most the limit, in order', async () => {
    const h = await createHarness({
      options: { ...FAST, maxRecordsPerBatch: 3 },
      setup: (k) => {
        putPlain(k, 2, 'p');
        putAggregate(k, 5);
        putPlain(k, 1, 'q');
      },
    });

    await h.drive(() => h.processor.delivered.length === 8);

    // One GetRecords answer (8 user records) in three batches.
    expect(h.processor.inputs.map((i) => text(i.records))).toEqual([
      ['p0', 'p1', 'u0'],
      ['u1', 'u2', 'u3'],
      ['u4', 'q0'],
    ]);
    expect(h.processor.inputs.map((i) => i.millisBehindLatest)).toEqual([0, 0, 0]);
    expect(h.metrics.sum('RecordsProcessed')).toBe(8);
    // The default processor checkpoints each batch: the last one names the last record.
    const checkpoints = h.events.checkpointed.map((e) => String(e.checkpoint));
    const [aggregateSeq, lastSeq] = [
      h.kinesis.records(SHARD)[2]!.sequenceNumber,
      h.kinesis.records(SHARD)[3]!.sequenceNumber,
    ];
    expect(checkpoints).toEqual([
      String(ExtendedSequenceNumber.of(aggregateSeq, 0)),
      String(ExtendedSequenceNumber.of(aggregateSeq, 3)),
      String(ExtendedSequenceNumber.of(lastSeq, 0)),
    ]);
    await h.worker.requestShutdown();
  });

  it('only the last slice of the closing read is at shard end and carries the children', async () => {
    const h = await createHarness({
      options: { ...FAST, maxRecordsPerBatch: 2 },
      setup: (k) => {
        putPlain(k, 5);
        k.split(SHARD);
      },
    });

    await h.drive(() => h.outcome !== undefined);

    expect(h.processor.inputs.map((i) => [i.records.length, i.isAtShardEnd])).toEqual([
      [2, false],
      [2, false],
      [1, true],
    ]);
    expect(h.processor.inputs[2]!.childShards?.length).toBe(2);
    expect(h.processor.inputs[0]!.childShards).toBeUndefined();
    expect(h.outcome).toEqual({ reason: 'shard-end' });
    expect(h.processor.calls.at(-1)).toBe('shardEnded');
  });

  it('a failing slice is retried alone; skipping it goes on with the next slice of the read', async () => {
    const h = await createHarness({
      options: {
        ...FAST,
        maxRecordsPerBatch: 2,
        maxProcessorAttempts: 2,
        processorErrorPolicy: 'skip',
      },
      setup: (k) => void putPlain(k, 6),
    });
    h.processor.onProcess = (input) =>
      text(input.records).includes('r2')
        ? Promise.reject(new Error('bad slice'))
        : input.checkpointer.checkpoint();

    await h.drive(() => h.processor.delivered.length === 4);

    expect(text(h.processor.delivered)).toEqual(['r0', 'r1', 'r4', 'r5']);
    expect(h.processor.inputs.map((i) => text(i.records))).toEqual([
      ['r0', 'r1'],
      ['r2', 'r3'],
      ['r2', 'r3'],
      ['r4', 'r5'],
    ]);
    expect(h.events.batchSkipped).toHaveLength(1);
    await h.worker.requestShutdown();
  });

  it('a graceful shutdown between slices delivers no more of the read; a restart resumes after the checkpoint', async () => {
    let aggregateSeq = '';
    const h = await createHarness({
      options: { ...FAST, maxRecordsPerBatch: 2 },
      setup: (k) => void (aggregateSeq = putAggregate(k, 6)),
    });
    let release!: () => void;
    h.processor.onProcess = async (input) => {
      await input.checkpointer.checkpoint();
      if (h.processor.inputs.length === 1) await new Promise<void>((r) => (release = r));
    };
    await h.drive(() => h.processor.inputs.length === 1);

    const stopped = h.worker.requestShutdown();
    release();
    await h.drive(() => h.outcome !== undefined);
    await stopped;

    expect(text(h.processor.delivered)).toEqual(['u0', 'u1']);
    const checkpoint = (await h.held.read()).checkpoint;
    expect(checkpoint).toEqual(ExtendedSequenceNumber.of(aggregateSeq, 1));

    // A new owner starts from that checkpoint: the rest of the aggregate, nothing twice.
    const next = await createHarness({
      options: { ...FAST, maxRecordsPerBatch: 2 },
      setup: (k) => {
        putAggregate(k, 6);
        return ExtendedSequenceNumber.of(k.records(SHARD)[0]!.sequenceNumber, 1);
      },
    });
    await next.drive(() => next.processor.delivered.length === 4);
    expect(text(next.processor.delivered)).toEqual(['u2', 'u3', 'u4', 'u5']);
    await next.worker.requestShutdown();
  });

  it('ends the shard when the last slice of the closing read filtered down to nothing', async () => {
    const half = (2n ** 127n).toString();
    const h = await createHarness({
      options: { ...FAST, maxRecordsPerBatch: 2 },
      hashKeyRange: { startingHashKey: '0', endingHashKey: half },
      setup: (k) => {
        putPlain(k, 3);
        putAggregate(k, 2, { prefix: 'out', explicitHashKey: () => (2n ** 127n + 5n).toString() });
        k.split(SHARD);
      },
    });

    await h.drive(() => h.outcome !== undefined);

    expect(h.processor.inputs.map((i) => text(i.records))).toEqual([['r0', 'r1'], ['r2']]);
    expect(h.outcome).toEqual({ reason: 'shard-end' });
    expect(h.shardEnds).toHaveLength(1);
    expect((await h.held.read()).checkpoint.isShardEnd).toBe(true);
  });
});
