import type { FailedBatch } from '../../../src/runtime/shardWorkerOptions.js';
import { createHarness, putPlain, text } from './workerHarness.js';
import type { Harness } from './workerHarness.js';

const BASE = {
  idleTimeBetweenReadsMs: 100,
  minTimeBetweenReadsMs: 0,
  maxRecords: 2,
  maxProcessorAttempts: 3,
  processorRetryBackoff: { baseMs: 100, capMs: 1000 },
};

/**
 * A processor that checkpoints each batch and throws on the first `failures` batches holding
 * `poison`; returns the fake times of the attempts on that batch.
 */
function poisonOn(h: Harness, poison: string, failures = Infinity): number[] {
  let failed = 0;
  const attemptsAt: number[] = [];
  h.processor.onProcess = async (input) => {
    if (text(input.records).includes(poison)) {
      attemptsAt.push(h.clock.now());
      if (failed++ < failures) throw new Error(`cannot handle ${poison}`);
    }
    await input.checkpointer.checkpoint();
  };
  return attemptsAt;
}

describe('ShardWorker processor errors', () => {
  it('retries a failing batch with backoff and goes on when it succeeds', async () => {
    const h = await createHarness({ options: BASE, setup: (k) => void putPlain(k, 4) });
    const attemptsAt = poisonOn(h, 'r1', 2);

    await h.drive(() => h.processor.delivered.length === 4);

    expect(text(h.processor.delivered)).toEqual(['r0', 'r1', 'r2', 'r3']);
    expect(h.events.processorError.map((e) => [e.attempt, e.willRetry])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(h.events.batchSkipped).toEqual([]);
    // Full jitter with random 0.5: attempt 2 after backoff(0) = 50 ms, attempt 3 after backoff(1) = 100 ms.
    expect(attemptsAt.slice(1).map((at, i) => at - attemptsAt[i]!)).toEqual([50, 100]);
    await h.worker.requestShutdown();
  });

  it("'stop-shard': stops after the last attempt, checkpoints nothing past the failed batch and hands the lease back", async () => {
    // Prepare: batches [r0 r1] [r2 r3] [r4 r5]; the second always fails.
    const h = await createHarness({
      options: { ...BASE, processorErrorPolicy: 'stop-shard' },
      setup: (k) => void putPlain(k, 6),
    });
    poisonOn(h, 'r2');

    // Act
    await h.drive(() => h.outcome !== undefined);

    // Assess
    expect(h.outcome).toMatchObject({ reason: 'stopped-on-error' });
    expect(text(h.processor.delivered)).toEqual(['r0', 'r1']);
    expect(h.processor.calls).toEqual([
      'initialize',
      'processRecords',
      'processRecords',
      'processRecords',
      'processRecords',
      'shutdownRequested',
    ]);
    // shutdownRequested's checkpoint() could only reach the last processed record.
    expect((await h.held.read()).checkpoint.sequenceNumber).toBe(
      h.processor.delivered[1]!.sequenceNumber,
    );
    expect(h.events.processorError.at(-1)).toMatchObject({ attempt: 3, willRetry: false });
  });

  it("'skip': emits batchSkipped and goes on", async () => {
    const h = await createHarness({
      options: { ...BASE, processorErrorPolicy: 'skip' },
      setup: (k) => void putPlain(k, 6),
    });
    poisonOn(h, 'r2');

    await h.drive(() => h.processor.delivered.length === 4);

    expect(text(h.processor.delivered)).toEqual(['r0', 'r1', 'r4', 'r5']);
    expect(h.events.batchSkipped).toHaveLength(1);
    expect(h.events.batchSkipped[0]).toMatchObject({ records: 2, attempts: 3 });
    expect(h.metrics.sum('BatchesSkipped')).toBe(1);
    await h.worker.requestShutdown();
  });

  it('dead-letter: the callback receives the batch, then processing goes on', async () => {
    const dead: FailedBatch[] = [];
    const h = await createHarness({
      options: {
        ...BASE,
        processorErrorPolicy: { deadLetter: (b) => Promise.resolve(void dead.push(b)) },
      },
      setup: (k) => void putPlain(k, 6),
    });
    poisonOn(h, 'r2');

    await h.drive(() => h.processor.delivered.length === 4);

    expect(dead).toHaveLength(1);
    expect(text(dead[0]!.records)).toEqual(['r2', 'r3']);
    expect(dead[0]!.attempts).toBe(3);
    expect(h.events.batchDeadLettered).toHaveLength(1);
    await h.worker.requestShutdown();
  });

  it('dead-letter that throws stops the shard', async () => {
    const h = await createHarness({
      options: {
        ...BASE,
        processorErrorPolicy: { deadLetter: () => Promise.reject(new Error('dlq down')) },
      },
      setup: (k) => void putPlain(k, 6),
    });
    poisonOn(h, 'r2');

    await h.drive(() => h.outcome !== undefined);

    expect(h.outcome).toMatchObject({ reason: 'stopped-on-error' });
    expect(h.events.processorError.some((e) => e.phase === 'deadLetter')).toBe(true);
    expect((await h.held.read()).checkpoint.sequenceNumber).toBe(
      h.processor.delivered[1]!.sequenceNumber,
    );
  });

  it('a checkpoint inside a batch that later fails stays valid, nothing beyond it is accepted', async () => {
    const h = await createHarness({
      options: { ...BASE, maxRecords: 3, maxProcessorAttempts: 1 },
      setup: (k) => void putPlain(k, 3),
    });
    h.processor.onProcess = async (input) => {
      await input.checkpointer.checkpoint(input.records[0]!);
      throw new Error('failed after the first record');
    };
    h.processor.onShutdownRequested = async ({ checkpointer }) => {
      await expect(
        checkpointer.checkpoint(h.processor.inputs[0]!.records[2]!),
      ).rejects.toMatchObject({
        code: 'KT_VALIDATION',
      });
      await checkpointer.checkpoint();
    };

    await h.drive(() => h.outcome !== undefined);

    expect((await h.held.read()).checkpoint.sequenceNumber).toBe(
      h.processor.inputs[0]!.records[0]!.sequenceNumber,
    );
  });

  it('a graceful shutdown during retries does not retry again and does not permit the batch', async () => {
    const h = await createHarness({
      options: {
        ...BASE,
        maxProcessorAttempts: 100,
        processorRetryBackoff: { baseMs: 10_000, capMs: 10_000 },
      },
      setup: (k) => void putPlain(k, 4),
    });
    poisonOn(h, 'r2');
    await h.drive(() => h.events.processorError.length === 1);

    const outcome = await h.worker.requestShutdown();

    expect(outcome).toEqual({ reason: 'shutdown' });
    expect(h.processor.calls.filter((c) => c === 'processRecords')).toHaveLength(2);
    expect((await h.held.read()).checkpoint.sequenceNumber).toBe(
      h.processor.delivered[1]!.sequenceNumber,
    );
  });

  it('initialize failures are retried with backoff', async () => {
    const h = await createHarness({
      options: BASE,
      setup: (k) => void putPlain(k, 1),
      start: false,
    });
    let calls = 0;
    const original = h.processor.initialize.bind(h.processor);
    h.processor.initialize = (input) =>
      ++calls < 3 ? Promise.reject(new Error('no db yet')) : original(input);
    h.worker.start();

    await h.drive(() => h.processor.delivered.length === 1);

    expect(calls).toBe(3);
    expect(h.events.processorError.map((e) => e.phase)).toEqual(['initialize', 'initialize']);
    await h.worker.requestShutdown();
  });

  it('gives the shard up after maxProcessorAttempts failed initialize calls', async () => {
    const h = await createHarness({
      options: BASE,
      setup: (k) => void putPlain(k, 1),
      start: false,
    });
    h.processor.initialize = () => Promise.reject(new Error('child crashed'));
    h.worker.start();

    await h.drive(() => h.outcome !== undefined);

    expect(h.outcome?.reason).toBe('stopped-on-error');
    expect(h.events.processorError.map((e) => [e.phase, e.willRetry])).toEqual([
      ['initialize', true],
      ['initialize', true],
      ['initialize', false],
    ]);
    expect(h.processor.delivered).toHaveLength(0);
  });
});
