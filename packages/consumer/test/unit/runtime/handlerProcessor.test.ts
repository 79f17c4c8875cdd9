// processorFromHandler (src/processor.ts) and the shard worker options resolver.
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import type { HandlerContext, RecordHandler } from '../../../src/processor.js';
import { processorFromHandler } from '../../../src/processor.js';
import {
  SHARD_WORKER_DEFAULTS,
  resolveShardWorkerOptions,
} from '../../../src/runtime/shardWorkerOptions.js';
import { SHARD, createHarness, putPlain, text } from './workerHarness.js';

const FAST = { idleTimeBetweenReadsMs: 100, minTimeBetweenReadsMs: 0, maxRecords: 2 };

describe('processorFromHandler', () => {
  it('calls the handler per batch with the context and checkpoints after each batch (auto)', async () => {
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
      params: { processor: processorFromHandler(handler) },
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

  it('checkpoints at most every checkpointIntervalMs, and on graceful shutdown', async () => {
    const clock = new FakeClock();
    const processor = processorFromHandler(() => undefined, {
      checkpointIntervalMs: 1000,
      clock,
    });
    const written: string[] = [];
    let permitted = ExtendedSequenceNumber.of('1');
    const checkpointer = {
      checkpoint: () => Promise.resolve(void written.push(String(permitted))),
    } as unknown as Parameters<typeof processor.processRecords>[0]['checkpointer'];
    const batch = (seq: string) => {
      permitted = ExtendedSequenceNumber.of(seq);
      return processor.processRecords({
        records: [{ sequenceNumber: seq } as never],
        millisBehindLatest: 0,
        checkpointer,
        isAtShardEnd: false,
        signal: new AbortController().signal,
      });
    };
    await processor.initialize({
      shardId: 's',
      extendedSequenceNumber: ExtendedSequenceNumber.TRIM_HORIZON,
    });

    await batch('1');
    await clock.advance(500);
    await batch('2');
    await clock.advance(600);
    await batch('3');
    await processor.shutdownRequested({ checkpointer });

    expect(written).toEqual(['1', '3', '3']);
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
