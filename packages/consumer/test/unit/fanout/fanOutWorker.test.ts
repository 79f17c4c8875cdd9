// A ShardWorker reading through enhanced fan-out (fanOutSources) from a SubscribeToShard fake
// served from the FakeKinesis's shards, which also answers the GetRecords that finish a closed
// shard. Fake time drives the 1 s events, the 5-minute limit and the backoffs.
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { ShardClosedProbe } from '../../../src/runtime/shardClosedProbe.js';
import { fanOutSources } from '../../../src/runtime/fanOutRetrieval.js';
import type { HarnessOptions } from '../runtime/workerHarness.js';
import { SHARD, createHarness, putAggregate, putPlain, text } from '../runtime/workerHarness.js';
import { FakeSubscriptions } from './fakeSubscriptions.js';

/** A probe over a set the test fills when it closes a shard; counts its calls. */
class SetProbe implements ShardClosedProbe {
  readonly closed = new Set<string>();
  calls = 0;
  isClosed(shardId: string): Promise<boolean> {
    this.calls += 1;
    return Promise.resolve(this.closed.has(shardId));
  }
}

async function fanOutHarness(
  h: HarnessOptions & { readonly aws?: boolean; readonly failures?: string[] } = {},
) {
  const probe = new SetProbe();
  const late: { subs?: FakeSubscriptions } = {};
  // The fake needs the harness's FakeKinesis, the harness needs the sources: a late-bound client.
  const client = {
    send: (command: object, options?: { abortSignal?: AbortSignal }) =>
      late.subs!.send(command, options),
  } as unknown as Pick<KinesisClient, 'send'>;
  const harness = await createHarness({
    ...h,
    start: false,
    params: {
      ...h.params,
      batchSources: (request) =>
        fanOutSources({
          client,
          consumerArn: 'arn:consumer',
          reader: harness.kinesis,
          probe,
          probeIntervalMs: 1000,
          resubscribeBackoff: { baseMs: 100, capMs: 1000 },
        })(request),
    },
  });
  const subscriptions = new FakeSubscriptions(harness.kinesis, harness.clock);
  late.subs = subscriptions;
  subscriptions.childShardsInEvents = h.aws ?? false;
  subscriptions.failures.push(...(h.failures ?? []));
  harness.worker.start();
  return { h: harness, probe, subs: subscriptions };
}

const at = (seq: string) => ({ Type: 'AT_SEQUENCE_NUMBER', SequenceNumber: seq });

describe('shard worker with enhanced fan-out', () => {
  it('subscribes AT the checkpoint and drops what is at or below it, sub-records included', async () => {
    // Prepare: a plain record, an aggregate of 4 (checkpoint at its sub-record 1), a plain record.
    let aggregate = '';
    const { h, subs } = await fanOutHarness({
      setup: (k) => {
        putPlain(k, 1, 'before');
        aggregate = putAggregate(k, 4);
        putPlain(k, 1, 'after');
        return ExtendedSequenceNumber.of(aggregate, 1);
      },
    });

    // Act
    await h.drive(() => h.processor.delivered.length >= 3);

    // Assess
    expect(subs.positions[0]).toEqual(at(aggregate));
    expect(text(h.processor.delivered)).toEqual(['u2', 'u3', 'after0']);
    expect(h.processor.delivered.map((r) => r.subSequenceNumber)).toEqual([2, 3, 0]);
  });

  it('without ChildShards (kinesis-local), finishes a closed shard by GetRecords, parent-first', async () => {
    // Prepare
    const { h, probe, subs } = await fanOutHarness({
      checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
    });
    putPlain(h.kinesis, 3, 'a');
    await h.drive(() => h.processor.delivered.length === 3);

    // Act: two more records, then a split; the subscription only ever sends heartbeats after.
    putPlain(h.kinesis, 2, 'b');
    const children = h.kinesis.split(SHARD);
    subs.children.set(SHARD, children);
    probe.closed.add(SHARD);
    await h.drive(() => h.outcome !== undefined, 60_000);

    // Assess: every record once, in order, then the children from GetRecords, then shardEnded.
    expect(text(h.processor.delivered)).toEqual(['a0', 'a1', 'a2', 'b0', 'b1']);
    expect(h.outcome).toEqual({ reason: 'shard-end' });
    expect(h.shardEnds).toEqual([children]);
    expect(h.processor.calls.at(-1)).toBe('shardEnded');
    expect((await h.held.read()).checkpoint.isShardEnd).toBe(true);
    const finish = h.kinesis.calls.find((c) => c.op === 'getShardIterator');
    const lastDelivered = h.processor.delivered.at(-1)!.sequenceNumber;
    // Nothing the subscription delivered is read again: GetRecords starts after the last record.
    expect([
      { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: lastDelivered },
      { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: h.processor.delivered[2]!.sequenceNumber },
    ]).toContainEqual(finish?.position);
  });

  it('with ChildShards in the event (AWS), ends without ListShards or GetRecords', async () => {
    // Prepare
    const { h, probe, subs } = await fanOutHarness({ aws: true });
    putPlain(h.kinesis, 2);
    subs.children.set(SHARD, h.kinesis.split(SHARD));

    // Act
    await h.drive(() => h.outcome !== undefined, 30_000);

    // Assess
    expect(text(h.processor.delivered)).toEqual(['r0', 'r1']);
    expect(h.shardEnds[0]!.map((c) => c.shardId)).toEqual([`${SHARD}-a`, `${SHARD}-b`]);
    expect(h.kinesis.calls.filter((c) => c.op === 'getRecords')).toEqual([]);
    expect(probe.calls).toBe(0);
  });

  it('a busy processor stops the pulling: few events buffered, one subscription, nothing lost', async () => {
    // Prepare: the processor blocks on its first batch until released.
    const { h, subs } = await fanOutHarness({ options: { maxPrefetchBatches: 2 } });
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    h.processor.onProcess = async (input, call) => {
      if (call === 1) await blocked;
      await input.checkpointer.checkpoint();
    };
    putPlain(h.kinesis, 1, 'first');
    await h.drive(() => h.processor.inputs.length === 1);

    // Act: 30 s of one record per second while the processor is stuck.
    for (let i = 0; i < 30; i++) {
      putPlain(h.kinesis, 1, `x${String(i)}-`);
      await h.clock.advance(1000);
    }
    const pulledWhileBlocked = subs.pulled;
    release();
    await h.drive(() => h.processor.delivered.length === 31, 120_000);

    // Assess: the queue (2) plus the event in hand, not one event per second.
    expect(pulledWhileBlocked).toBeLessThanOrEqual(5);
    expect(subs.positions).toHaveLength(1);
    expect(text(h.processor.delivered)).toEqual([
      'first0',
      ...Array.from({ length: 30 }, (_, i) => `x${String(i)}-0`),
    ]);
  });

  it('re-subscribes AFTER the continuation when the 5-minute subscription ends', async () => {
    // Prepare: a short subscription limit.
    const { h, subs } = await fanOutHarness();
    subs.maxSubscriptionMs = 3500;
    const sent: string[] = [];

    // Act: a record every second for 10 s.
    for (let i = 0; i < 10; i++) {
      sent.push(...putPlain(h.kinesis, 1, `v${String(i)}-`));
      await h.drive(() => h.processor.delivered.length === i + 1, 10_000);
    }

    // Assess: several subscriptions, each resuming after the last event, no record twice.
    expect(subs.positions.length).toBeGreaterThanOrEqual(3);
    for (const p of subs.positions.slice(1)) expect(p.Type).toBe('AFTER_SEQUENCE_NUMBER');
    expect(h.processor.delivered.map((r) => r.sequenceNumber)).toEqual(sent);
  });

  it("retries ResourceInUseException (the previous owner's subscription) as throttling", async () => {
    // Prepare
    const { h, subs } = await fanOutHarness({
      failures: ['ResourceInUseException', 'ResourceInUseException'],
      setup: (k) => void putPlain(k, 2),
    });

    // Act
    await h.drive(() => h.processor.delivered.length === 2, 60_000);

    // Assess
    expect(h.events.readThrottled.map((e) => e.consecutive)).toEqual([1, 2]);
    expect(h.events.retrievalError).toEqual([]);
    expect(subs.positions).toHaveLength(3);
  });

  it('a deleted stream is a clean shard end with no children, not a retry loop', async () => {
    // Prepare
    const { h, subs } = await fanOutHarness();
    putPlain(h.kinesis, 2);
    await h.drive(() => h.processor.delivered.length === 2);

    // Act
    subs.delete(SHARD);
    await h.drive(() => h.outcome !== undefined, 30_000);

    // Assess
    expect(h.outcome).toEqual({ reason: 'shard-end' });
    expect(h.shardEnds).toEqual([[]]);
    expect((await h.held.read()).checkpoint.isShardEnd).toBe(true);
  });

  it('asks whether the shard closed only on quiet events, at most once per interval', async () => {
    // Prepare
    const { h, probe } = await fanOutHarness();

    // Act: 10 s of heartbeats, then 5 s of records every 500 ms.
    await h.clock.advance(0);
    for (let i = 0; i < 10; i++) await h.drive(() => false, 1000).catch(() => undefined);
    const quiet = probe.calls;
    for (let i = 0; i < 10; i++) {
      putPlain(h.kinesis, 1);
      await h.drive(() => false, 500).catch(() => undefined);
    }

    // Assess: about one probe per second while quiet; none while every event has records.
    expect(quiet).toBeGreaterThanOrEqual(8);
    expect(quiet).toBeLessThanOrEqual(11);
    expect(probe.calls - quiet).toBeLessThanOrEqual(1);
  });
});
