import { FakeClock } from '@kinesis-kit/common/testing';
import type { ShardDescription } from '../../../src/ports.js';
import { RetrievalError } from '../../../src/retrievalPorts.js';
import { CachedShardClosedProbe } from '../../../src/runtime/shardClosedProbe.js';

function shard(id: string, ending?: string): ShardDescription {
  return {
    ShardId: id,
    HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' },
    SequenceNumberRange: {
      StartingSequenceNumber: '1',
      ...(ending !== undefined && { EndingSequenceNumber: ending }),
    },
  };
}

function setup(initial: ShardDescription[]) {
  const clock = new FakeClock();
  const state = { shards: initial, calls: 0, fail: undefined as Error | undefined };
  const probe = new CachedShardClosedProbe({
    clock,
    maxAgeMs: 2000,
    listShards: () => {
      state.calls += 1;
      return state.fail ? Promise.reject(state.fail) : Promise.resolve(state.shards);
    },
  });
  const ask = (id: string, listedAfter = 0) =>
    probe.isClosed(id, listedAfter, new AbortController().signal);
  return { clock, state, ask };
}

describe('CachedShardClosedProbe', () => {
  it('is closed exactly when ListShards shows an EndingSequenceNumber', async () => {
    const { ask } = setup([shard('open'), shard('closed', '99')]);

    expect(await ask('open')).toBe(false);
    expect(await ask('closed')).toBe(true);
  });

  it('serves every shard from one listing per maxAgeMs, concurrent callers included', async () => {
    const { clock, state, ask } = setup([shard('a'), shard('b')]);

    await Promise.all([ask('a'), ask('b'), ask('a')]);
    await clock.advance(1999);
    await ask('b');
    const before = state.calls;
    await clock.advance(1);
    await ask('b');

    expect(before).toBe(1);
    expect(state.calls).toBe(2);
  });

  it('looks a missing shard up again when the listing predates the question, then calls it closed', async () => {
    const { clock, state, ask } = setup([shard('a')]);
    await ask('a');
    await clock.advance(10);
    state.shards = [shard('a'), shard('child')];

    const child = await ask('child', clock.monotonic() - 5);
    const trimmed = await ask('gone', 0);

    expect(child).toBe(false);
    expect(trimmed).toBe(true);
    expect(state.calls).toBe(2);
  });

  it('a deleted stream closes every shard; other errors are thrown', async () => {
    const { clock, state, ask } = setup([]);
    state.fail = new RetrievalError(
      'shard-not-found',
      'ListShards failed: ResourceNotFoundException',
    );
    expect(await ask('a')).toBe(true);

    await clock.advance(5000);
    state.fail = new RetrievalError('throttled', 'ListShards failed: LimitExceededException');
    await expect(ask('a')).rejects.toMatchObject({ kind: 'throttled' });
  });
});
