import { ExtendedSequenceNumber, silentLogger } from '@kinesis-kit/common';
import { FakeClock, MemoryMetricsSink } from '@kinesis-kit/common/testing';
import type { ShardDescription } from '../../../src/ports.js';
import { IncompleteShardListError } from '../../../src/runtime/shardSyncCoverage.js';
import { ShardSyncer } from '../../../src/runtime/shardSyncer.js';
import type { ShardSyncerEvents } from '../../../src/runtime/shardSyncer.js';
import type { ShardListing, StreamBinding } from '../../../src/runtime/streamSet.js';
import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';

const MAX = (2n ** 128n - 1n).toString();
const HALF = (2n ** 127n).toString();
const HALF_MINUS_1 = (2n ** 127n - 1n).toString();

function shard(id: string, start: string, end: string): ShardDescription {
  return {
    ShardId: id,
    HashKeyRange: { StartingHashKey: start, EndingHashKey: end },
    SequenceNumberRange: { StartingSequenceNumber: '1' },
  };
}

const LOW = shard('shardId-000000000000', '0', HALF_MINUS_1);
const HIGH = shard('shardId-000000000001', HALF, MAX);

/** ListShards answering from a script (the last answer repeats), recording each call's filter. */
class ScriptedLister implements ShardListing {
  readonly filters: unknown[] = [];
  constructor(private readonly answers: ShardDescription[][]) {}
  listShards(filter?: unknown): Promise<ShardDescription[]> {
    this.filters.push(filter);
    const answer = this.answers[Math.min(this.filters.length - 1, this.answers.length - 1)] ?? [];
    return Promise.resolve(answer);
  }
}

interface Harness {
  syncer: ShardSyncer;
  store: InMemoryLeaseStore;
  clock: FakeClock;
  sink: MemoryMetricsSink;
  events: { [K in keyof ShardSyncerEvents]?: ShardSyncerEvents[K][] };
}

function harness(lister: ScriptedLister, store = new InMemoryLeaseStore()): Harness {
  const clock = new FakeClock();
  const sink = new MemoryMetricsSink();
  const events: Harness['events'] = {};
  const binding: StreamBinding = {
    streamIdentifier: undefined,
    streamName: 'orders',
    lister,
    reader: {} as StreamBinding['reader'],
    initialPosition: 'LATEST',
  };
  const syncer = new ShardSyncer({
    store,
    coordinator: {
      wake: () => undefined,
      getHeld: () => undefined,
      deleteHeld: () => Promise.resolve(),
      clock,
    },
    streams: { active: () => [binding], forLease: () => binding },
    emit: (name, payload) => {
      const list = (events[name] ?? []) as unknown[];
      list.push(payload);
      (events as Record<string, unknown[]>)[name] = list;
    },
    logger: silentLogger,
    metrics: sink,
    metricDimensions: {},
    stopWorker: () => undefined,
  });
  return { syncer, store, clock, sink, events };
}

async function leaseWithoutRange(store: InMemoryLeaseStore, s: ShardDescription): Promise<void> {
  await store.createLeaseIfNotExists({
    leaseKey: s.ShardId,
    shardId: s.ShardId,
    checkpoint: ExtendedSequenceNumber.of(
      '49590338271490256608559692538361571095921575989136588898',
    ),
    parentShardIds: [],
  });
}

describe('ShardSyncer hash-key coverage (KCL empty-table listing and hole audit)', () => {
  it('lists again, 1 s later, when an empty table’s listing leaves a hole, then creates leases', async () => {
    // Prepare: the first listing misses the upper half (taken mid-reshard).
    const lister = new ScriptedLister([[LOW], [LOW, HIGH]]);
    const h = harness(lister);
    // Act
    const done = h.syncer.syncShards(new AbortController().signal);
    await h.clock.advance(1000);
    await done;
    // Assess
    expect(lister.filters).toEqual([{ Type: 'AT_LATEST' }, { Type: 'AT_LATEST' }]);
    expect((await h.store.listLeases()).map((l) => l.leaseKey).sort()).toEqual([
      LOW.ShardId,
      HIGH.ShardId,
    ]);
  });

  it('gives up after three incomplete listings with an IncompleteShardListError and creates nothing', async () => {
    const lister = new ScriptedLister([[LOW]]);
    const h = harness(lister);
    const done = h.syncer.syncShards(new AbortController().signal);
    await h.clock.advance(1000);
    await h.clock.advance(1000);
    await done;
    expect(lister.filters).toHaveLength(3);
    expect(await h.store.listLeases()).toEqual([]);
    const error = h.events.error?.[0]?.error;
    expect(error).toBeInstanceOf(IncompleteShardListError);
    expect((error as IncompleteShardListError).gaps).toEqual([
      { startingHashKey: HALF, endingHashKey: MAX },
    ]);
  });

  it('back-fills missing hash ranges from ListShards and then sees no hole (older Java tables)', async () => {
    const store = new InMemoryLeaseStore();
    await leaseWithoutRange(store, LOW);
    await leaseWithoutRange(store, HIGH);
    const h = harness(new ScriptedLister([[LOW, HIGH]]), store);
    for (let i = 0; i < 4; i++) await h.syncer.syncShards(new AbortController().signal);
    expect(h.events.hashRangeHole ?? []).toEqual([]);
    expect((await store.getLease(LOW.ShardId))?.hashKeyRange).toEqual({
      startingHashKey: '0',
      endingHashKey: HALF_MINUS_1,
    });
    expect((await store.getLease(HIGH.ShardId))?.hashKeyRange?.endingHashKey).toBe(MAX);
    expect(h.sink.sum('NumStreamsWithPartialLeases')).toBe(0);
  });

  it('reports a hole only once it has survived three syncs in a row', async () => {
    // The table covers the lower half; ListShards knows no shard for the upper half, so no sync
    // can create a lease there.
    const store = new InMemoryLeaseStore();
    await store.createLeaseIfNotExists({
      leaseKey: LOW.ShardId,
      shardId: LOW.ShardId,
      checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
      parentShardIds: [],
      hashKeyRange: { startingHashKey: '0', endingHashKey: HALF_MINUS_1 },
    });
    const h = harness(new ScriptedLister([[LOW]]), store);
    const sync = (): Promise<void> => h.syncer.syncShards(new AbortController().signal);
    await sync();
    await sync();
    expect(h.events.hashRangeHole ?? []).toEqual([]);
    await sync();
    expect(h.events.hashRangeHole).toEqual([
      { holes: 1, hole: { startingHashKey: HALF, endingHashKey: MAX } },
    ]);
    expect(h.sink.sum('NumStreamsToSync', { Operation: 'PeriodicShardSyncManager' })).toBe(1);
    expect(h.sink.sum('NumStreamsWithPartialLeases')).toBe(3);
    await sync();
    expect(h.events.hashRangeHole).toHaveLength(1);
  });
});
