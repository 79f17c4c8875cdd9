// FanOutBatchSource's shard-end decision with scripted sources: when it asks whether the shard
// closed, what a failed answer does, and where the GetRecords finish starts.
import { FakeClock, MemoryLogger } from '@kinesis-kit/common/testing';
import type {
  IteratorPosition,
  ShardBatch,
  ShardBatchSource,
} from '../../../src/retrievalPorts.js';
import { FanOutBatchSource } from '../../../src/runtime/fanOutBatchSource.js';
import type { ShardClosedProbe } from '../../../src/runtime/shardClosedProbe.js';

const record = (seq: string) => ({
  sequenceNumber: seq,
  partitionKey: 'pk',
  data: new Uint8Array(0),
  approximateArrivalTimestamp: new Date(0),
});

/** Hands out scripted batches; records whether it was closed. */
class Scripted implements ShardBatchSource {
  closed = false;
  constructor(private readonly batches: ShardBatch[]) {}
  next(): Promise<ShardBatch> {
    const batch = this.batches.shift();
    return batch ? Promise.resolve(batch) : Promise.reject(new Error('script exhausted'));
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function setup(events: ShardBatch[], answers: (boolean | Error)[]) {
  const clock = new FakeClock();
  const subscription = new Scripted(events);
  const finishers: IteratorPosition[] = [];
  const finisher = new Scripted([{ records: [record('9')], childShards: [] }]);
  const probe: ShardClosedProbe & { calls: number } = {
    calls: 0,
    isClosed() {
      this.calls += 1;
      const answer = answers.shift() ?? false;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  const logger = new MemoryLogger();
  const source = new FanOutBatchSource({
    shardId: 'shardId-000000000000',
    start: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '1' },
    subscription,
    openFinisher: (from) => {
      finishers.push(from);
      return finisher;
    },
    probe,
    probeIntervalMs: 1000,
    clock,
    logger,
  });
  const signal = new AbortController().signal;
  return { clock, source, subscription, finishers, probe, signal, logger };
}

describe('FanOutBatchSource', () => {
  it('a failed closed check is "not known closed": reading goes on, asked again later', async () => {
    const { clock, source, subscription, finishers, probe, signal } = setup(
      [{ records: [record('3')] }, { records: [] }, { records: [] }, { records: [] }],
      [new Error('ListShards throttled'), true],
    );

    await source.next(signal);
    await source.next(signal); // quiet: check fails
    await source.next(signal); // quiet, within the interval: no check
    await clock.advance(1000);
    await source.next(signal); // quiet: closed
    const last = await source.next(signal);

    expect(probe.calls).toBe(2);
    expect(subscription.closed).toBe(true);
    expect(finishers).toEqual([{ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '3' }]);
    expect(last).toEqual({ records: [record('9')], childShards: [] });
    expect(source.finishing).toBe(true);
  });

  it('finishes from the start position when the subscription delivered no record', async () => {
    const { source, finishers, signal } = setup([{ records: [] }], [true]);

    await source.next(signal);

    expect(finishers).toEqual([{ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '1' }]);
  });

  it('ChildShards in an event end the shard without a check', async () => {
    const { source, probe, signal } = setup([{ records: [], childShards: [] }], [true]);

    const batch = await source.next(signal);

    expect(batch.childShards).toEqual([]);
    expect(probe.calls).toBe(0);
  });
});
