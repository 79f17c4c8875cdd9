import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { SHARD, createHarness, putPlain, text } from './workerHarness.js';

const FAST = { idleTimeBetweenReadsMs: 100, minTimeBetweenReadsMs: 0 };

describe('ShardWorker lifecycle', () => {
  it.each([
    ['with the last records', true],
    ['on an empty answer after them', false],
  ])(
    'at shard end (children %s): delivers the rest, then onShardEnd, then shardEnded writes SHARD_END',
    async (_name, childShardsWithLastRecords) => {
      // Prepare
      const h = await createHarness({
        options: FAST,
        kinesisOptions: { childShardsWithLastRecords },
        setup: (k) => {
          putPlain(k, 3);
          k.split(SHARD);
        },
      });

      // Act
      await h.drive(() => h.outcome !== undefined);

      // Assess
      expect(h.outcome).toEqual({ reason: 'shard-end' });
      expect(text(h.processor.delivered)).toEqual(['r0', 'r1', 'r2']);
      expect(h.processor.calls).toEqual(['initialize', 'processRecords', 'shardEnded']);
      expect(h.processor.inputs[0]!.isAtShardEnd).toBe(childShardsWithLastRecords);
      expect(h.shardEnds).toHaveLength(1);
      expect(h.shardEnds[0]!.map((c) => c.shardId)).toEqual([`${SHARD}-a`, `${SHARD}-b`]);
      expect((await h.held.read()).checkpoint.isShardEnd).toBe(true);
      expect(h.events.shardEnded).toHaveLength(1);
      expect(h.worker.state).toBe('DONE');
    },
  );

  it('calls onShardEnd before shardEnded (children exist before SHARD_END is written)', async () => {
    const order: string[] = [];
    const h = await createHarness({
      options: FAST,
      setup: (k) => void k.split(SHARD),
      params: {
        onShardEnd: () => {
          order.push('onShardEnd');
          return Promise.resolve();
        },
      },
    });
    h.processor.onShardEnded = async ({ checkpointer }) => {
      order.push('shardEnded');
      await checkpointer.checkpoint();
    };

    await h.drive(() => h.outcome !== undefined);

    expect(order).toEqual(['onShardEnd', 'shardEnded']);
    expect(h.processor.calls).toEqual(['initialize', 'shardEnded']);
  });

  it('reports and retries when shardEnded does not checkpoint, as the KCL does', async () => {
    const h = await createHarness({
      options: { ...FAST, processorRetryBackoff: { baseMs: 100, capMs: 1000 } },
      setup: (k) => void k.split(SHARD),
    });
    h.processor.onShardEnded = (input, call) =>
      call < 3 ? Promise.resolve() : input.checkpointer.checkpoint();

    await h.drive(() => h.outcome !== undefined);

    expect(h.processor.calls.filter((c) => c === 'shardEnded')).toHaveLength(3);
    expect(h.events.processorError.map((e) => [e.phase, e.attempt])).toEqual([
      ['shardEnded', 1],
      ['shardEnded', 2],
    ]);
    expect(h.events.processorError[0]!.error).toMatchObject({ code: 'KT_CHECKPOINT' });
    expect((await h.held.read()).checkpoint.isShardEnd).toBe(true);
  });

  it('retries onShardEnd until it succeeds', async () => {
    let calls = 0;
    const h = await createHarness({
      options: FAST,
      setup: (k) => void k.split(SHARD),
      params: {
        onShardEnd: () => (++calls < 3 ? Promise.reject(new Error('ddb down')) : Promise.resolve()),
      },
    });

    await h.drive(() => h.outcome !== undefined);

    expect(calls).toBe(3);
    expect(h.outcome).toEqual({ reason: 'shard-end' });
  });

  it('treats a vanished shard (ResourceNotFound) as shard end with no children', async () => {
    const h = await createHarness({ options: FAST, setup: (k) => void putPlain(k, 2) });
    await h.drive(() => h.processor.delivered.length === 2);
    h.kinesis.deleteShard(SHARD);

    await h.drive(() => h.outcome !== undefined);

    expect(h.shardEnds).toEqual([[]]);
    expect((await h.held.read()).checkpoint.isShardEnd).toBe(true);
  });

  it('checkpoint() in the last processRecords writes the record, not SHARD_END, while children are not created', async () => {
    const seenByOnShardEnd: string[] = [];
    const h = await createHarness({
      options: FAST,
      setup: (k) => {
        putPlain(k, 2);
        k.split(SHARD);
      },
      params: {
        onShardEnd: async () => {
          seenByOnShardEnd.push(String((await h.held.read()).checkpoint));
        },
      },
    });

    await h.drive(() => h.outcome !== undefined);

    expect(h.processor.inputs[0]!.isAtShardEnd).toBe(true);
    expect(seenByOnShardEnd).toEqual([h.processor.delivered[1]!.sequenceNumber]);
    expect((await h.held.read()).checkpoint.isShardEnd).toBe(true);
  });

  it('checkpointing the last record of a closed shard in shardEnded writes SHARD_END (KCL rewrite)', async () => {
    const h = await createHarness({
      options: FAST,
      setup: (k) => {
        putPlain(k, 2);
        k.split(SHARD);
      },
    });
    h.processor.onProcess = () => Promise.resolve();
    h.processor.onShardEnded = ({ checkpointer }) =>
      checkpointer.checkpoint(h.processor.delivered[1]!);

    await h.drive(() => h.outcome !== undefined);

    expect(h.outcome).toEqual({ reason: 'shard-end' });
    expect((await h.held.read()).checkpoint.isShardEnd).toBe(true);
    expect(h.events.processorError).toEqual([]);
  });

  it('a lease already at SHARD_END finishes without calling the processor', async () => {
    const h = await createHarness({ checkpoint: ExtendedSequenceNumber.SHARD_END });

    await h.drive(() => h.outcome !== undefined);

    expect(h.outcome).toEqual({ reason: 'shard-end' });
    expect(h.processor.calls).toEqual([]);
    expect(h.kinesis.calls).toEqual([]);
  });

  it('waits for the parents, polling every parentPollIntervalMs, before reading', async () => {
    let answers = 0;
    const h = await createHarness({
      options: { ...FAST, parentPollIntervalMs: 250 },
      setup: (k) => void putPlain(k, 1),
      params: { parentsDone: () => Promise.resolve(++answers >= 4) },
    });

    await h.drive(() => h.worker.state === 'PROCESSING');

    expect(answers).toBe(4);
    expect(h.clock.now() - 1_700_000_000_000).toBe(750);
    await h.drive(() => h.processor.delivered.length === 1);
    await h.worker.requestShutdown();
  });

  it('a stop while waiting on the parents ends without any processor call', async () => {
    const h = await createHarness({ params: { parentsDone: () => Promise.resolve(false) } });
    await h.drive(() => h.worker.state === 'WAITING_ON_PARENTS');

    await expect(h.worker.requestShutdown()).resolves.toEqual({ reason: 'shutdown' });

    expect(h.processor.calls).toEqual([]);
    expect(h.kinesis.calls).toEqual([]);
  });

  it('graceful shutdown finishes the batch in flight, then shutdownRequested checkpoints it', async () => {
    let release: () => void = () => undefined;
    const h = await createHarness({
      options: { ...FAST, maxRecords: 2 },
      setup: (k) => void putPlain(k, 6),
    });
    h.processor.onProcess = () => new Promise<void>((resolve) => (release = resolve));
    await h.drive(() => h.processor.inputs.length === 1);

    const done = h.worker.requestShutdown();
    await h.clock.advance(100);
    expect(h.processor.inputs[0]!.signal.aborted).toBe(false);
    release();
    const outcome = await done;

    expect(outcome).toEqual({ reason: 'shutdown' });
    expect(h.processor.calls).toEqual(['initialize', 'processRecords', 'shutdownRequested']);
    expect((await h.held.read()).checkpoint.sequenceNumber).toBe(
      h.processor.delivered[1]!.sequenceNumber,
    );
  });

  it('lease loss: stops reading, aborts the signal, calls leaseLost; checkpoints reject with KT_LEASE_LOST', async () => {
    let release: () => void = () => undefined;
    const h = await createHarness({
      options: { ...FAST, maxRecords: 2 },
      setup: (k) => void putPlain(k, 6),
    });
    h.processor.onProcess = () => new Promise<void>((resolve) => (release = resolve));
    await h.drive(() => h.processor.inputs.length === 1);
    const input = h.processor.inputs[0]!;

    const done = h.worker.leaseLost();
    expect(input.signal.aborted).toBe(true);
    release();
    const outcome = await done;
    const reads = h.kinesis.calls.length;
    await h.clock.advance(10_000);

    expect(outcome).toEqual({ reason: 'lease-lost' });
    expect(h.processor.calls).toEqual(['initialize', 'processRecords', 'leaseLost']);
    await expect(input.checkpointer.checkpoint()).rejects.toMatchObject({ code: 'KT_LEASE_LOST' });
    expect(h.kinesis.calls).toHaveLength(reads);
    expect(h.events.leaseLost).toHaveLength(1);
  });

  it('a checkpoint that finds the lease taken ends the worker as lease-lost and tells the coordinator', async () => {
    const lost: unknown[] = [];
    const h = await createHarness({
      options: { ...FAST, maxRecords: 1 },
      setup: (k) => void putPlain(k, 1),
      params: { onLeaseLost: (e) => lost.push(e) },
    });
    await h.drive(() => h.processor.delivered.length === 1);
    await h.held.steal();
    putPlain(h.kinesis, 2, 'after-steal');

    await h.drive(() => h.outcome !== undefined);

    expect(h.outcome).toEqual({ reason: 'lease-lost' });
    expect(lost).toHaveLength(1);
    expect(h.processor.calls.at(-1)).toBe('leaseLost');
    expect((await h.held.read()).leaseOwner).toBe('worker-2');
  });

  it('stop() before start() resolves at once', async () => {
    const h = await createHarness({ start: false });

    await expect(h.worker.stop()).resolves.toEqual({ reason: 'lease-lost' });
    expect(h.worker.state).toBe('DONE');
  });
});
