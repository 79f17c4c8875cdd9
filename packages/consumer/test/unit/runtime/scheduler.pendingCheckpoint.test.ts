// A prepared (two-phase) checkpoint left on a lease reaches the next owner's `initialize` as
// `pendingCheckpoint` / `pendingCheckpointState`, as the KCL's InitializationInput carries them,
// while processing resumes from the committed checkpoint. Real Scheduler, LeaseCoordinator and
// InMemoryLeaseStore (conditional semantics) over a FakeKinesis, on the system clock with short
// intervals.
import {
  ExtendedSequenceNumber,
  TypedEmitter,
  noopMetricsSink,
  silentLogger,
  systemClock,
} from '@kinesis-kit/common';
import { TAKER_DEFAULTS } from '../../../src/core/leasePlanner.js';
import type { InitializeInput, ShardRecordProcessor } from '../../../src/processor.js';
import { LeaseCoordinator } from '../../../src/runtime/leaseCoordinator.js';
import { Scheduler } from '../../../src/runtime/scheduler.js';
import { resolveShardWorkerOptions } from '../../../src/runtime/shardWorkerOptions.js';
import { singleStreamSet } from '../../../src/runtime/streamSet.js';
import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';
import { FakeKinesis } from '../../fakes/fakeKinesis.js';
import { SHARD, putPlain } from './workerHarness.js';

function startScheduler(
  workerId: string,
  store: InMemoryLeaseStore,
  kinesis: FakeKinesis,
  createProcessor: () => ShardRecordProcessor,
): Promise<Scheduler> {
  const coordinator = new LeaseCoordinator({
    store,
    workerId,
    taker: { ...TAKER_DEFAULTS, failoverTimeMs: 3000 },
    renewIntervalMs: 500,
    takerIntervalMs: 50,
    clock: systemClock,
    logger: silentLogger,
    metrics: noopMetricsSink,
  });
  const scheduler = new Scheduler({
    store,
    coordinator,
    streams: singleStreamSet({
      streamIdentifier: undefined,
      streamName: 'stream',
      lister: { listShards: () => Promise.resolve(kinesis.describeShards()) },
      reader: kinesis,
      initialPosition: 'TRIM_HORIZON',
    }),
    createProcessor,
    worker: resolveShardWorkerOptions({ idleTimeBetweenReadsMs: 20, minTimeBetweenReadsMs: 0 }),
    workerEvents: new TypedEmitter(),
    childInitialPosition: 'TRIM_HORIZON',
    shardSyncIntervalMs: 60_000,
    failoverTimeMs: 3000,
    shutdownGraceMs: 2000,
    clock: systemClock,
    random: Math.random,
    logger: silentLogger,
    metrics: noopMetricsSink,
    metricDimensions: {},
  });
  return scheduler.start().then(() => scheduler);
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A processor that does nothing but record `initialize` and the records it was given. */
function recorder(inits: InitializeInput[], seqs: string[]): ShardRecordProcessor {
  return {
    initialize: (input) => {
      inits.push(input);
      return Promise.resolve();
    },
    processRecords: ({ records }) => {
      seqs.push(...records.map((r) => r.sequenceNumber));
      return Promise.resolve();
    },
    leaseLost: () => Promise.resolve(),
    shardEnded: ({ checkpointer }) => checkpointer.checkpoint(),
    shutdownRequested: () => Promise.resolve(),
  };
}

describe('Scheduler: a prepared checkpoint left on the lease', () => {
  const running: Scheduler[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });

  it('reaches the next owner’s initialize, which resumes from the committed checkpoint', async () => {
    // Prepare: worker A commits record 0, prepares record 2 with application state, then stops
    // gracefully without committing (its lease is released with the pending fields on it).
    const store = new InMemoryLeaseStore();
    const kinesis = new FakeKinesis();
    kinesis.createShard(SHARD);
    const seqs = putPlain(kinesis, 5);
    const state = Uint8Array.from([7, 8, 9]);
    let prepared = false;
    const a = await startScheduler('worker-a', store, kinesis, () => ({
      ...recorder([], []),
      processRecords: async ({ records, checkpointer }) => {
        if (prepared) return;
        await checkpointer.checkpoint(records[0]!);
        await checkpointer.prepareCheckpoint(records[2]!, state);
        prepared = true;
      },
    }));
    running.push(a);
    await waitFor(() => prepared, 'worker A prepared a checkpoint');
    await a.stop();
    running.splice(0);
    const left = (await store.getLease(SHARD))!;
    expect(left.leaseOwner).toBeUndefined();
    expect(left.pendingCheckpoint?.equals(ExtendedSequenceNumber.of(seqs[2]!))).toBe(true);

    // Act: worker B takes the released lease.
    const inits: InitializeInput[] = [];
    const delivered: string[] = [];
    running.push(
      await startScheduler('worker-b', store, kinesis, () => recorder(inits, delivered)),
    );
    await waitFor(() => delivered.length >= 4, 'worker B processing');

    // Assess
    expect(inits).toHaveLength(1);
    const init = inits[0]!;
    expect(init.shardId).toBe(SHARD);
    expect(init.extendedSequenceNumber.equals(ExtendedSequenceNumber.of(seqs[0]!))).toBe(true);
    expect(init.pendingCheckpoint?.equals(ExtendedSequenceNumber.of(seqs[2]!))).toBe(true);
    expect(Array.from(init.pendingCheckpointState ?? [])).toEqual([7, 8, 9]);
    // The pending checkpoint is the processor's to act on: delivery resumes after the commit.
    expect(delivered).toEqual(seqs.slice(1));
  });

  it('gives initialize no pending fields when the lease has none', async () => {
    const store = new InMemoryLeaseStore();
    const kinesis = new FakeKinesis();
    kinesis.createShard(SHARD);
    putPlain(kinesis, 1);
    const inits: InitializeInput[] = [];
    const delivered: string[] = [];
    running.push(
      await startScheduler('worker-a', store, kinesis, () => recorder(inits, delivered)),
    );
    await waitFor(() => delivered.length === 1, 'the record');

    expect(inits[0]).not.toHaveProperty('pendingCheckpoint');
    expect(inits[0]).not.toHaveProperty('pendingCheckpointState');
  });
});
