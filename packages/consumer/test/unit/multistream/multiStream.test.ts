import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { MemoryMetricsSink } from '@kinesis-kit/common/testing';
import { StreamNotFoundError } from '../../../src/runtime/shardSyncer.js';
import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';
import { FakeStreams, shardIdOf, startApp, waitFor } from './multiStreamHarness.js';
import type { App, Seen } from './multiStreamHarness.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
});

function put(streams: FakeStreams, name: string, shard: string, n: number, tag = ''): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const data = `${name}/${shard}/${tag}${i}`;
    streams.get(name).kinesis.put(shard, data);
    out.push(data);
  }
  return out;
}

const dataOf = (seen: readonly Seen[]): Set<string> => new Set(seen.map((s) => s.data));

describe('multi-stream application (Scheduler + MultiStreamSet on fakes)', () => {
  it('consumes three streams with KCL multi-stream lease keys and tells the handler the stream', async () => {
    // Prepare
    const streams = new FakeStreams();
    const store = new InMemoryLeaseStore();
    const ids = ['orders', 'payments', 'refunds'].map((n) => streams.create(n, 2));
    const expected = ['orders', 'payments', 'refunds'].flatMap((n) => [
      ...put(streams, n, shardIdOf(0), 5),
      ...put(streams, n, shardIdOf(1), 5),
    ]);
    const seen: Seen[] = [];
    // Act
    const app = await startApp({
      store,
      streams,
      tracker: ['orders', 'payments', 'refunds'],
      seen,
    });
    apps.push(app);
    await waitFor(() => dataOf(seen).size === expected.length, 'every record');
    // Assess
    expect(dataOf(seen)).toEqual(new Set(expected));
    for (const s of seen) {
      expect(s.data.startsWith(`${s.streamName}/${s.shardId}/`)).toBe(true);
      expect(s.streamIdentifier).toBe(streams.get(s.streamName!).identifier);
    }
    const keys = (await store.listLeases()).map((l) => l.leaseKey).sort();
    expect(keys).toEqual(ids.flatMap((id) => [`${id}:${shardIdOf(0)}`, `${id}:${shardIdOf(1)}`]));
    expect(app.factoryCalls).toHaveLength(6);
    for (const { shardId, stream } of app.factoryCalls) {
      expect(stream).toEqual({
        streamName: expect.stringMatching(/^(orders|payments|refunds)$/) as unknown,
        streamIdentifier: streams.get(stream!.streamName).identifier,
        streamArn: `arn:aws:kinesis:us-east-1:123456789012:stream/${stream!.streamName}`,
      });
      expect(keys).toContain(`${stream!.streamIdentifier}:${shardId}`);
    }
    const raw = store.getRawItem(`${ids[1]}:${shardIdOf(1)}`)!;
    expect(raw.streamName).toEqual({ S: ids[1] });
    expect(raw.shardId).toEqual({ S: shardIdOf(1) });
  });

  it('consumes a stream added to the tracker while running, from its own initial position', async () => {
    // Prepare
    const streams = new FakeStreams();
    const store = new InMemoryLeaseStore();
    streams.create('orders');
    streams.create('late');
    put(streams, 'late', shardIdOf(0), 3, 'before-');
    const list: ({ streamName: string; initialPosition?: 'LATEST' } | string)[] = ['orders'];
    const seen: Seen[] = [];
    const app = await startApp({ store, streams, tracker: () => list, seen });
    apps.push(app);
    // Act
    list.push({ streamName: 'late', initialPosition: 'LATEST' });
    const late = streams.get('late').identifier;
    await waitFor(
      () => app.events.streamsChanged.some((c) => c.added.includes(late)),
      'the new stream',
    );
    await waitFor(() => app.scheduler.processingShardIds().length === 2, 'its shard to start');
    const after = put(streams, 'late', shardIdOf(0), 3, 'after-');
    await waitFor(() => seen.length >= 3, 'records of the new stream');
    // Assess
    expect(app.events.streamsChanged.map((c) => c.added)).toEqual([
      [streams.get('orders').identifier],
      [late],
    ]);
    expect(seen.map((s) => s.data)).toEqual(after); // LATEST: what was written before is skipped
    expect(
      (await store.getLease(`${streams.get('late').identifier}:${shardIdOf(0)}`))?.leaseOwner,
    ).toBe('worker-a');
  });

  it('auto-detect deletes a removed stream’s leases after the wait; its processors get leaseLost', async () => {
    // Prepare
    const streams = new FakeStreams();
    const store = new InMemoryLeaseStore();
    streams.create('orders');
    const gone = streams.create('gone', 2);
    const list = ['orders', 'gone'];
    const seen: Seen[] = [];
    const lost: string[] = [];
    const metrics = new MemoryMetricsSink();
    const app = await startApp({
      store,
      streams,
      tracker: () => list,
      strategy: { kind: 'auto-detect', waitPeriodMs: 300 },
      seen,
      lostLeases: lost,
      metrics,
    });
    apps.push(app);
    await waitFor(() => app.scheduler.processingShardIds().length === 3, 'three shards');
    // Act
    list.pop();
    await waitFor(() => app.set.pendingDeletion().has(gone), 'the stream marked stale');
    const stillThere = (await store.listLeases()).filter((l) => l.streamIdentifier === gone).length;
    await waitFor(() => app.events.streamLeasesDeleted.length > 0, 'the deletion', 5000);
    // Assess
    expect(stillThere).toBe(2); // nothing is deleted before the wait period
    expect(app.events.streamLeasesDeleted[0]).toEqual({
      streamIdentifier: gone,
      leaseKeys: expect.arrayContaining([
        `${gone}:${shardIdOf(0)}`,
        `${gone}:${shardIdOf(1)}`,
      ]) as unknown,
    });
    expect((await store.listLeases()).map((l) => l.streamIdentifier)).toEqual([
      streams.get('orders').identifier,
    ]);
    expect(lost).toHaveLength(2);
    expect(app.scheduler.processingLeaseKeys()).toEqual([
      `${streams.get('orders').identifier}:${shardIdOf(0)}`,
    ]);
    expect(app.set.active().map((b) => b.streamName)).toEqual(['orders']);
    const tracker = { Operation: 'MultiStreamTracker' };
    expect(metrics.sum('DeletedStreams.Count', tracker)).toBe(1);
    expect(metrics.sum('StreamsPendingDeletion.Count', tracker)).toBeGreaterThan(0);
    expect(metrics.data.filter((d) => d.name === 'ActiveStreams.Count').at(-1)?.value).toBe(1);
  });

  it('no-deletion keeps a removed stream’s leases and goes on processing them (the KCL default)', async () => {
    // Prepare
    const streams = new FakeStreams();
    const store = new InMemoryLeaseStore();
    streams.create('orders');
    const kept = streams.create('kept');
    const list = ['orders', 'kept'];
    const seen: Seen[] = [];
    const app = await startApp({ store, streams, tracker: () => list, seen });
    apps.push(app);
    await waitFor(() => app.scheduler.processingShardIds().length === 2, 'two shards');
    // Act
    list.pop();
    await waitFor(
      () => app.events.streamsChanged.some((c) => c.forgotten.includes(kept)),
      'forgotten',
    );
    const later = put(streams, 'kept', shardIdOf(0), 2);
    await waitFor(() => later.every((d) => dataOf(seen).has(d)), 'records of the former stream');
    // Assess
    expect((await store.listLeases()).filter((l) => l.streamIdentifier === kept)).toHaveLength(1);
    expect(app.events.streamLeasesDeleted).toEqual([]);
    expect(app.set.active().map((b) => b.streamName)).toEqual(['orders']);
  });

  it('follows a split on one stream parent-first while consuming three', async () => {
    // Prepare
    const streams = new FakeStreams();
    const store = new InMemoryLeaseStore();
    for (const n of ['a', 'b', 'c']) streams.create(n);
    const seen: Seen[] = [];
    const app = await startApp({ store, streams, tracker: ['a', 'b', 'c'], seen });
    apps.push(app);
    const before = put(streams, 'b', shardIdOf(0), 5);
    await waitFor(() => before.every((d) => dataOf(seen).has(d)), 'records before the split');
    // Act
    const [left, right] = streams.get('b').kinesis.split(shardIdOf(0));
    const after = [
      ...put(streams, 'b', left!.shardId, 3),
      ...put(streams, 'b', right!.shardId, 3),
      ...put(streams, 'a', shardIdOf(0), 2),
    ];
    await waitFor(() => after.every((d) => dataOf(seen).has(d)), 'records after the split');
    // Assess
    const b = streams.get('b').identifier;
    const leases = new Map((await store.listLeases()).map((l) => [l.leaseKey, l]));
    expect(leases.get(`${b}:${left!.shardId}`)).toMatchObject({
      streamIdentifier: b,
      parentShardIds: [shardIdOf(0)],
    });
    expect(store.getRawItem(`${b}:${right!.shardId}`)?.parentShardId).toEqual({
      SS: [shardIdOf(0)],
    });
    const firstChild = seen.findIndex((s) => s.streamName === 'b' && s.shardId !== shardIdOf(0));
    const lastParent = seen
      .map((s) => s.streamName === 'b' && s.shardId === shardIdOf(0))
      .lastIndexOf(true);
    expect(lastParent).toBeLessThan(firstChild);
    // The other streams' leases are untouched by b's reshard.
    for (const n of ['a', 'c']) {
      expect(leases.get(`${streams.get(n).identifier}:${left!.shardId}`)).toBeUndefined();
    }
  });

  it('a deleted stream ends cleanly: one clear error, its leases removed, the others go on', async () => {
    // Prepare
    const streams = new FakeStreams();
    const store = new InMemoryLeaseStore();
    streams.create('orders');
    const doomed = streams.create('doomed', 2);
    const seen: Seen[] = [];
    const app = await startApp({ store, streams, tracker: ['orders', 'doomed'], seen });
    apps.push(app);
    put(streams, 'doomed', shardIdOf(0), 2);
    await waitFor(() => seen.length === 2, 'first records');
    // Act
    streams.delete('doomed');
    await waitFor(
      async () => (await store.listLeases()).every((l) => l.streamIdentifier !== doomed),
      'the deleted stream’s leases to go',
    );
    await new Promise((r) => setTimeout(r, 600)); // a few more shard syncs
    const more = put(streams, 'orders', shardIdOf(0), 3);
    await waitFor(() => more.every((d) => dataOf(seen).has(d)), 'the other stream');
    // Assess
    const notFound = app.events.error.filter((e) => e.error instanceof StreamNotFoundError);
    expect(notFound).toHaveLength(1);
    expect(notFound[0]!.error).toMatchObject({
      streamName: 'doomed',
      streamIdentifier: doomed,
      retriable: false,
    });
    expect(app.scheduler.processingLeaseKeys()).toEqual([
      `${streams.get('orders').identifier}:${shardIdOf(0)}`,
    ]);
  });

  it('processes an orphan stream’s leases (in the table, not listed) and passes a stream’s consumerArn', async () => {
    // Prepare
    const streams = new FakeStreams();
    const store = new InMemoryLeaseStore();
    const orders = streams.create('orders');
    const orphan = streams.create('orphan');
    await store.createLeaseIfNotExists({
      leaseKey: `${orphan}:${shardIdOf(0)}`,
      shardId: shardIdOf(0),
      streamIdentifier: orphan,
      checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
      parentShardIds: [],
    });
    const expected = put(streams, 'orphan', shardIdOf(0), 3);
    const consumerArn = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/app:1';
    const seen: Seen[] = [];
    // Act
    const app = await startApp({
      store,
      streams,
      tracker: [{ streamName: 'orders', consumerArn }],
      seen,
    });
    apps.push(app);
    await waitFor(() => expected.every((d) => dataOf(seen).has(d)), 'the orphan’s records');
    // Assess
    expect(streams.binds).toEqual(
      expect.arrayContaining([
        { streamIdentifier: orphan, position: 'LATEST' },
        { streamIdentifier: orders, position: 'TRIM_HORIZON', consumerArn },
      ]),
    );
    expect(seen.every((s) => s.streamIdentifier === orphan)).toBe(true);
    // no-deletion: the orphan is no longer synced, but its lease stays and is processed.
    expect(app.set.active().map((b) => b.streamIdentifier)).toEqual([orders]);
  });

  it('repairs a hole in one stream’s leases without touching the other streams', async () => {
    // Prepare: b's table lacks the lease of its second shard (a hole in its hash-key space).
    const streams = new FakeStreams();
    const store = new InMemoryLeaseStore();
    const a = streams.create('a', 2);
    const b = streams.create('b', 2);
    for (const [id, shards] of [
      [a, [0, 1]],
      [b, [0]],
    ] as const) {
      for (const i of shards) {
        await store.createLeaseIfNotExists({
          leaseKey: `${id}:${shardIdOf(i)}`,
          shardId: shardIdOf(i),
          streamIdentifier: id,
          checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
          parentShardIds: [],
        });
      }
    }
    const expected = put(streams, 'b', shardIdOf(1), 3);
    const seen: Seen[] = [];
    // Act
    const app = await startApp({ store, streams, tracker: ['a', 'b'], seen });
    apps.push(app);
    await waitFor(() => expected.every((d) => dataOf(seen).has(d)), 'the repaired shard’s records');
    // Assess
    expect(app.events.leasesCreated.flatMap((e) => e.leaseKeys)).toEqual([`${b}:${shardIdOf(1)}`]);
    expect((await store.listLeases()).map((l) => l.leaseKey).sort()).toEqual(
      [a, b].flatMap((id) => [`${id}:${shardIdOf(0)}`, `${id}:${shardIdOf(1)}`]),
    );
  });

  it('a second worker shares the leases of all streams', async () => {
    // Prepare
    const streams = new FakeStreams();
    const store = new InMemoryLeaseStore();
    for (const n of ['a', 'b']) streams.create(n, 2);
    const seen: Seen[] = [];
    // Act
    apps.push(await startApp({ store, streams, tracker: ['a', 'b'], seen, workerId: 'w1' }));
    apps.push(await startApp({ store, streams, tracker: ['b', 'a'], seen, workerId: 'w2' }));
    await waitFor(
      async () => {
        const owners = (await store.listLeases()).map((l) => l.leaseOwner);
        return (
          owners.filter((o) => o === 'w1').length === 2 &&
          owners.filter((o) => o === 'w2').length === 2
        );
      },
      'two leases each',
      15_000,
    );
    const expected = [...put(streams, 'a', shardIdOf(1), 2), ...put(streams, 'b', shardIdOf(0), 2)];
    await waitFor(() => expected.every((d) => dataOf(seen).has(d)), 'records');
    // Assess
    expect((await store.listLeases()).length).toBe(4);
  });
});
