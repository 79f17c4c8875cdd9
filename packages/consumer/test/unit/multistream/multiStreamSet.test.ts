import { silentLogger } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import type { FieldProblem } from '@kinesis-kit/common';
import { resolveMultiStreamOptions } from '../../../src/multiStreamOptions.js';
import type {
  FormerStreamsLeasesDeletionStrategy,
  StreamSpec,
} from '../../../src/multiStreamOptions.js';
import type { Lease } from '../../../src/ports.js';
import { MultiStreamSet } from '../../../src/runtime/multiStreamSet.js';
import { FakeStreams, shardIdOf } from './multiStreamHarness.js';

const signal = new AbortController().signal;

function setUp(
  list: () => readonly StreamSpec[],
  strategy: FormerStreamsLeasesDeletionStrategy = { kind: 'auto-detect', waitPeriodMs: 1000 },
): { set: MultiStreamSet; clock: FakeClock; errors: string[]; streams: FakeStreams } {
  const problems: FieldProblem[] = [];
  const options = resolveMultiStreamOptions(
    { streams: () => list(), formerStreamsLeasesDeletionStrategy: strategy },
    problems,
    () => true,
  );
  const clock = new FakeClock();
  const streams = new FakeStreams();
  const errors: string[] = [];
  const set = new MultiStreamSet({
    options,
    initialPosition: 'TRIM_HORIZON',
    resolver: streams.resolver,
    bind: streams.bind,
    clock,
    logger: silentLogger,
    onError: (operation) => errors.push(operation),
  });
  return { set, clock, errors, streams };
}

function leaseOf(streamIdentifier: string): Lease {
  return {
    leaseKey: `${streamIdentifier}:${shardIdOf(0)}`,
    shardId: shardIdOf(0),
    streamIdentifier,
    leaseCounter: 0,
    checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
  };
}

describe('MultiStreamSet', () => {
  it('keeps the previous list when the tracker throws: nothing is marked stale', async () => {
    let fail = false;
    const { set, errors, streams } = setUp(() => {
      if (fail) throw new Error('config service down');
      return ['a'];
    });
    const a = streams.create('a');
    await set.refresh([], signal);

    fail = true;
    const changes = await set.refresh([], signal);

    expect(changes).toEqual({ added: [], forgotten: [], deleteLeasesOf: [] });
    expect(set.pendingDeletion().size).toBe(0);
    expect(set.active().map((b) => b.streamIdentifier)).toEqual([a]);
    expect(errors).toEqual(['streamTracker']);
  });

  it('keeps the previous list when describing a listed stream fails transiently', async () => {
    const { set, errors, streams } = setUp(() => ['a', 'b']);
    streams.create('a');
    streams.create('b');
    await set.refresh([], signal);
    const resolve = streams.resolver.resolve;
    streams.resolver.resolve = () =>
      Promise.reject(Object.assign(new Error('slow down'), { name: 'LimitExceededException' }));

    const changes = await set.refresh([], signal);
    streams.resolver.resolve = resolve;

    expect(changes.deleteLeasesOf).toEqual([]);
    expect(set.pendingDeletion().size).toBe(0);
    expect(errors).toEqual(['resolveStream']);
  });

  it('seeds streams from the lease table; auto-detect deletes an unlisted one after the wait', async () => {
    const { set, clock, streams } = setUp(() => ['a']);
    const a = streams.create('a');
    const old = streams.create('old');

    const first = await set.refresh([leaseOf(old)], signal);
    await clock.advance(999);
    const early = await set.refresh([], signal);
    await clock.advance(1);
    const due = await set.refresh([], signal);

    expect(first.added.map((b) => b.streamIdentifier)).toEqual([a]);
    expect(first.deleteLeasesOf).toEqual([]);
    expect(early.deleteLeasesOf).toEqual([]);
    expect(due.deleteLeasesOf).toEqual([old]);
    expect(set.active().map((b) => b.streamIdentifier)).toEqual([a]);
    // The orphan stays readable until its leases are gone.
    expect(set.forLease(leaseOf(old))?.streamName).toBe('old');
  });

  it('retries a failed deletion at the next refresh, and forgets the stream once deleted', async () => {
    const { set, streams } = setUp(() => [], { kind: 'auto-detect', waitPeriodMs: 0 });
    const old = streams.create('old');
    const first = await set.refresh([leaseOf(old)], signal);

    set.leasesDeleted(old, false);
    const retry = await set.refresh([], signal);
    set.leasesDeleted(old, true);
    const after = await set.refresh([], signal);

    expect(first.deleteLeasesOf).toEqual([old]);
    expect(retry.deleteLeasesOf).toEqual([old]);
    expect(after.deleteLeasesOf).toEqual([]);
    expect(set.forLease(leaseOf(old))).toBeUndefined();
  });

  it('provided: deletes only the named streams, from the application’s own list', async () => {
    let drop = '';
    const { set, streams } = setUp(() => ['a'], {
      kind: 'provided',
      waitPeriodMs: 0,
      streams: () => [drop],
    });
    streams.create('a');
    const keep = streams.create('keep');
    drop = streams.create('drop');

    const changes = await set.refresh([leaseOf(keep), leaseOf(drop)], signal);

    expect(changes.deleteLeasesOf).toEqual([drop]);
    expect(
      set
        .active()
        .map((b) => b.streamName)
        .sort(),
    ).toEqual(['a', 'keep']);
  });

  it('reports a stream missing from the service once, however often shard sync hits it', async () => {
    const { set, streams } = setUp(() => ['a']);
    const a = streams.create('a');
    await set.refresh([], signal);

    const reports = [set.streamNotFound(a), set.streamNotFound(a), set.streamNotFound(a)];

    expect(reports).toEqual([true, false, false]);
  });
});
