// processorFromHandler (src/processor.ts) and the shard worker options resolver.
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import type { HandlerContext, RecordHandler } from '../../../src/processor.js';
import { processorFromHandler } from '../../../src/processor.js';
import {
  SHARD_WORKER_DEFAULTS,
  resolveShardWorkerOptions,
} from '../../../src/runtime/shardWorkerOptions.js';
import { SHARD, createHarness, putPlain, text } from './workerHarness.js';

const FAST = { idleTimeBetweenReadsMs: 100, minTimeBetweenReadsMs: 0, maxRecords: 2 };

describe('processorFromHandler', () => {
  it('calls the handler per batch with the context and checkpoints after each batch (auto, interval 0)', async () => {
    // Prepare
    const contexts: HandlerContext[] = [];
    const batches: string[][] = [];
    const handler: RecordHandler = (records, context) => {
      batches.push(text(records));
      contexts.push(context);
    };
    const h = await createHarness({
      options: FAST,
      setup: (k) => void putPlain(k, 3),
      params: { processor: processorFromHandler(handler, { checkpointIntervalMs: 0 }) },
    });

    // Act
    await h.drive(() => batches.length === 2);
    await h.drive(() => h.events.checkpointed.length === 2);

    // Assess
    expect(batches).toEqual([['r0', 'r1'], ['r2']]);
    expect(contexts[0]).toMatchObject({ shardId: h.worker.shardId, isAtShardEnd: false });
    expect(contexts[0]!.signal.aborted).toBe(false);
    const last = h.kinesis.records(h.worker.shardId)[2]!.sequenceNumber;
    expect((await h.held.read()).checkpoint.sequenceNumber).toBe(last);
    await h.worker.requestShutdown();
  });

  it('manual checkpointing leaves it to context.checkpoint(), but still writes SHARD_END', async () => {
    const h = await createHarness({
      options: FAST,
      setup: (k) => {
        putPlain(k, 2);
        k.split(SHARD);
      },
      params: {
        processor: processorFromHandler(() => undefined, { checkpointing: 'manual' }),
      },
    });
    const checkpoints: string[] = [];
    h.worker.events.on('checkpointed', (e) => checkpoints.push(String(e.checkpoint)));

    await h.drive(() => h.outcome !== undefined);

    expect(checkpoints).toEqual(['SHARD_END']);
  });

  describe('automatic checkpoint written while the next batch is handled', () => {
    /** A checkpointer whose writes finish only when the test says so. */
    function slowCheckpointer() {
      const calls: { target: unknown; finish: (error?: Error) => void }[] = [];
      const checkpointer = {
        checkpoint: (target?: unknown) =>
          new Promise<void>((resolve, reject) => {
            calls.push({ target, finish: (error) => (error ? reject(error) : resolve()) });
          }),
      } as unknown as Parameters<
        ReturnType<typeof processorFromHandler>['processRecords']
      >[0]['checkpointer'];
      return { calls, checkpointer };
    }
    const input = (
      seqs: string[],
      checkpointer: ReturnType<typeof slowCheckpointer>['checkpointer'],
    ) => ({
      records: seqs.map((sequenceNumber) => ({ sequenceNumber, subSequenceNumber: 0 }) as never),
      millisBehindLatest: 0,
      checkpointer,
      isAtShardEnd: false,
      signal: new AbortController().signal,
    });
    const tick = () => new Promise((resolve) => setImmediate(resolve));

    it('hands batches on without waiting for the write, and coalesces those that end meanwhile', async () => {
      const seen: string[] = [];
      const processor = processorFromHandler(
        (records) => {
          seen.push(...records.map((r) => r.sequenceNumber));
        },
        { checkpointIntervalMs: 0 },
      );
      const { calls, checkpointer } = slowCheckpointer();
      const seqOf = (i: number) => (calls[i]!.target as { sequenceNumber: string }).sequenceNumber;

      await processor.processRecords(input(['1', '2'], checkpointer));
      await processor.processRecords(input(['3'], checkpointer));
      await processor.processRecords(input(['4', '5'], checkpointer));

      // Three batches handled while the first write (its own last record) is still going.
      expect(seen).toEqual(['1', '2', '3', '4', '5']);
      expect(calls).toHaveLength(1);
      expect(seqOf(0)).toBe('2');
      calls[0]!.finish();
      await tick();
      // One write covers both batches that ended meanwhile.
      expect(calls).toHaveLength(2);
      expect(seqOf(1)).toBe('5');
      calls[1]!.finish();
      await tick();
      expect(calls).toHaveLength(2);
    });

    it('a failed write fails the next batch before its handler runs, and drops what was queued', async () => {
      const seen: string[] = [];
      const processor = processorFromHandler(
        (records) => {
          seen.push(...records.map((r) => r.sequenceNumber));
        },
        { checkpointIntervalMs: 0 },
      );
      const { calls, checkpointer } = slowCheckpointer();
      await processor.processRecords(input(['1'], checkpointer));
      await processor.processRecords(input(['2'], checkpointer));

      calls[0]!.finish(new Error('lease lost'));
      await tick();

      await expect(processor.processRecords(input(['3'], checkpointer))).rejects.toThrow(
        'lease lost',
      );
      expect(seen).toEqual(['1', '2']);
      // Batch 2's queued checkpoint was dropped with the failure, not written after it.
      expect(calls).toHaveLength(1);
    });

    it('shutdown and shard end wait for the checkpoint in flight, then write their own', async () => {
      const processor = processorFromHandler(() => undefined);
      const { calls, checkpointer } = slowCheckpointer();
      await processor.processRecords(input(['1'], checkpointer));

      const shutdown = processor.shutdownRequested({ checkpointer });
      await tick();
      expect(calls).toHaveLength(1);
      calls[0]!.finish(new Error('ignored: the final checkpoint covers it'));
      await tick();
      expect(calls).toHaveLength(2);
      expect(calls[1]!.target).toBeUndefined();
      calls[1]!.finish();
      await shutdown;
    });
  });

  it('a throwing handler makes processRecords reject (so the worker retries the batch)', async () => {
    const processor = processorFromHandler(() => {
      throw new Error('boom');
    });

    await expect(
      processor.processRecords({
        records: [],
        millisBehindLatest: undefined,
        checkpointer: { checkpoint: () => Promise.resolve() } as never,
        isAtShardEnd: false,
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow('boom');
  });
});

describe('resolveShardWorkerOptions', () => {
  it('returns the defaults for no input and keeps given values', () => {
    expect(resolveShardWorkerOptions()).toEqual(SHARD_WORKER_DEFAULTS);
    expect(
      resolveShardWorkerOptions({ maxRecords: 50, processorErrorPolicy: 'skip' }),
    ).toMatchObject({
      maxRecords: 50,
      processorErrorPolicy: 'skip',
      idleTimeBetweenReadsMs: 1000,
    });
  });

  it('lists every invalid field in one ConfigurationError', () => {
    let caught: unknown;
    try {
      resolveShardWorkerOptions({
        maxRecords: 0,
        maxRecordsPerBatch: 0,
        idleTimeBetweenReadsMs: -1,
        throttleBackoff: { baseMs: 10, capMs: 1 },
        processorErrorPolicy: 'retry-forever' as never,
        initialPositionTimestamp: new Date(Number.NaN),
      });
    } catch (error) {
      caught = error;
    }

    expect(caught).toMatchObject({ code: 'KT_CONFIG' });
    expect((caught as { problems: { field: string }[] }).problems.map((p) => p.field)).toEqual([
      'maxRecords',
      'maxRecordsPerBatch',
      'idleTimeBetweenReadsMs',
      'throttleBackoff',
      'processorErrorPolicy',
      'initialPositionTimestamp',
    ]);
  });

  it('an AT_TIMESTAMP lease without initialPositionTimestamp is a configuration error', async () => {
    await expect(
      createHarness({ checkpoint: ExtendedSequenceNumber.AT_TIMESTAMP }),
    ).rejects.toMatchObject({
      code: 'KT_CONFIG',
    });
  });
});
