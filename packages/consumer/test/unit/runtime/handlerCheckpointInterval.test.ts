// The automatic checkpoint's interval (src/handlerProcessor.ts): at most one write per shard per
// checkpointIntervalMs, a trailing write once the interval has passed on a shard that went quiet,
// the final checkpoint at shutdown and shard end, and nothing after a lost lease.
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import type { Clock } from '@kinesis-kit/common';
import type { ConsumerRecord, RecordProcessorCheckpointer } from '../../../src/processor.js';
import { DEFAULT_CHECKPOINT_INTERVAL_MS, processorFromHandler } from '../../../src/processor.js';
import { createHarness, putPlain } from './workerHarness.js';
import type { Harness } from './workerHarness.js';

/** A checkpointer that records what it was asked to write: a record's sequence number, or 'last'. */
function recordingCheckpointer() {
  const written: string[] = [];
  const checkpointer = {
    checkpoint: (target?: ConsumerRecord) => {
      written.push(target === undefined ? 'last' : target.sequenceNumber);
      return Promise.resolve();
    },
  } as unknown as RecordProcessorCheckpointer;
  return { written, checkpointer };
}

async function setup(options: { checkpointIntervalMs?: number } = { checkpointIntervalMs: 1000 }) {
  const clock = new FakeClock();
  const processor = processorFromHandler(() => undefined, { ...options, clock });
  const { written, checkpointer } = recordingCheckpointer();
  const lease = new AbortController();
  const batch = (...seqs: string[]) =>
    processor.processRecords({
      records: seqs.map((sequenceNumber) => ({ sequenceNumber, subSequenceNumber: 0 }) as never),
      millisBehindLatest: 0,
      checkpointer,
      isAtShardEnd: false,
      signal: lease.signal,
    });
  // The shard starts at time 0: the first interval runs to 1000 ms.
  await processor.initialize({
    shardId: 's',
    extendedSequenceNumber: ExtendedSequenceNumber.TRIM_HORIZON,
  });
  return { clock, processor, written, checkpointer, lease, batch };
}

describe('automatic checkpoint interval', () => {
  it('defaults to 1000 ms', () => {
    expect(DEFAULT_CHECKPOINT_INTERVAL_MS).toBe(1000);
  });

  it('coalesces the batches of an interval into one write of the latest, when the interval has passed', async () => {
    const { clock, written, batch } = await setup({});

    await batch('1', '2');
    await clock.advance(200);
    await batch('3');
    await clock.advance(300);
    await batch('4', '5');
    expect(written).toEqual([]);

    await clock.advance(499);
    expect(written).toEqual([]);
    await clock.advance(1);
    // One write for the three batches of the shard's first second, naming the latest record.
    expect(written).toEqual(['5']);
  });

  it('writes a held batch when the interval has passed, though no further batch arrives', async () => {
    const { clock, written, batch } = await setup();
    await clock.advance(1500); // a quiet first interval

    await batch('1'); // the interval has passed: written at once
    await clock.advance(100);
    await batch('2');
    await clock.advance(899);
    expect(written).toEqual(['1']);

    await clock.advance(1);
    expect(written).toEqual(['1', '2']);
    await clock.advance(10_000);
    expect(written).toEqual(['1', '2']);
    expect(clock.pending).toBe(0);
  });

  it('a batch after the interval writes at once; an earlier timer then writes nothing twice', async () => {
    const { clock, written, batch } = await setup();

    await batch('1'); // held: the first interval runs to 1000 ms
    await clock.advance(1500); // written at 1000 ms
    await batch('2'); // 500 ms into the next interval: held
    await clock.advance(100);
    await batch('3');
    await clock.advance(399);
    expect(written).toEqual(['1']);
    await clock.advance(1);
    expect(written).toEqual(['1', '3']);
    await clock.advance(1500);
    await batch('4'); // the interval has passed: at once
    await clock.advance(5000);
    expect(written).toEqual(['1', '3', '4']);
  });

  it('under a steady flow writes once per interval', async () => {
    const { clock, written, batch } = await setup();

    for (let i = 1; i <= 50; i++) {
      await batch(String(i));
      await clock.advance(100);
    }
    await clock.advance(1000);

    // Batches at 0, 100, …, 4900 ms; writes at 1000, …, 5000 ms (each the timer's, just before
    // that instant's batch), each naming the latest batch handled.
    expect(written).toEqual(['10', '20', '30', '40', '50']);
  });

  it.each([
    ['shutdownRequested', 'last'],
    ['shardEnded', 'last'],
  ] as const)(
    '%s still writes its checkpoint, and cancels the trailing one',
    async (call, final) => {
      const { clock, processor, written, checkpointer, batch } = await setup();
      await clock.advance(1000);
      await batch('1');
      await clock.advance(100);
      await batch('2');

      await processor[call]({ checkpointer });
      await clock.advance(5000);

      expect(written).toEqual(['1', final]);
      expect(clock.pending).toBe(0);
    },
  );

  it('writes nothing after leaseLost()', async () => {
    const { clock, processor, written, batch } = await setup();
    await clock.advance(1000);
    await batch('1');
    await clock.advance(100);
    await batch('2');

    await processor.leaseLost();
    await clock.advance(5000);

    expect(written).toEqual(['1']);
    expect(clock.pending).toBe(0);
  });

  it('writes nothing once the batch signal aborts (lease lost, hard stop)', async () => {
    const { clock, written, lease, batch } = await setup();
    await clock.advance(1000);
    await batch('1');
    await clock.advance(100);
    await batch('2');

    lease.abort();
    await clock.advance(5000);

    expect(written).toEqual(['1']);
    expect(clock.pending).toBe(0);
  });

  it('a failed trailing write fails the next batch before its handler runs', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const processor = processorFromHandler(
      (records) => void seen.push(...records.map((r) => r.sequenceNumber)),
      { clock },
    );
    let calls = 0;
    const checkpointer = {
      checkpoint: () =>
        ++calls === 1 ? Promise.reject(new Error('throttled')) : Promise.resolve(),
    } as unknown as RecordProcessorCheckpointer;
    const input = (seq: string) => ({
      records: [{ sequenceNumber: seq, subSequenceNumber: 0 } as never],
      millisBehindLatest: 0,
      checkpointer,
      isAtShardEnd: false,
      signal: new AbortController().signal,
    });
    await processor.initialize({
      shardId: 's',
      extendedSequenceNumber: ExtendedSequenceNumber.TRIM_HORIZON,
    });
    await processor.processRecords(input('1'));
    await processor.processRecords(input('2'));

    await clock.advance(1000);

    expect(calls).toBe(1);
    await expect(processor.processRecords(input('3'))).rejects.toThrow('throttled');
    expect(seen).toEqual(['1', '2']);
  });

  it('in a shard worker: a quiet shard gets its last batch checkpointed after the interval', async () => {
    // The processor is built before the harness (and its fake clock) exists: bind late.
    const late: { harness?: Harness } = {};
    const clock: Pick<Clock, 'monotonic' | 'sleep'> = {
      monotonic: () => late.harness!.clock.monotonic(),
      sleep: (ms, signal) => late.harness!.clock.sleep(ms, signal),
    };
    const batches: number[] = [];
    const h = await createHarness({
      options: { idleTimeBetweenReadsMs: 100, minTimeBetweenReadsMs: 0, maxRecords: 2 },
      setup: (k) => void putPlain(k, 3),
      params: {
        processor: processorFromHandler((records) => void batches.push(records.length), { clock }),
      },
    });
    late.harness = h;
    const records = h.kinesis.records(h.worker.shardId);

    const startedAt = h.clock.monotonic();
    await h.drive(() => batches.length === 2);
    // Both batches came within the shard's first second: nothing written yet.
    expect(h.events.checkpointed).toHaveLength(0);
    expect((await h.held.read()).checkpoint).toBe(ExtendedSequenceNumber.TRIM_HORIZON);

    await h.drive(() => h.events.checkpointed.length === 1);

    expect(h.clock.monotonic() - startedAt).toBeLessThanOrEqual(1100);
    expect((await h.held.read()).checkpoint).toEqual(
      ExtendedSequenceNumber.of(records[2]!.sequenceNumber),
    );
    await h.worker.requestShutdown();
  });
});
