import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { hashRangeBackfill } from '../../../src/core/shardSyncHoles.js';
import type { ShardDescription } from '../../../src/ports.js';

const shard = (id: string, start: string, end: string): ShardDescription => ({
  ShardId: id,
  HashKeyRange: { StartingHashKey: start, EndingHashKey: end },
  SequenceNumberRange: { StartingSequenceNumber: '1' },
});

const lease = (
  leaseKey: string,
  checkpoint = ExtendedSequenceNumber.TRIM_HORIZON,
  hashKeyRange?: { startingHashKey: string; endingHashKey: string },
) => ({
  leaseKey,
  shardId: leaseKey.split(':').at(-1)!,
  checkpoint,
  ...(hashKeyRange !== undefined && { hashKeyRange }),
});

describe('hashRangeBackfill (KCL periodic audit back-fill)', () => {
  it.each([
    ['an active lease without a range whose shard is listed', lease('shardId-1'), 1],
    ['a lease at SHARD_END', lease('shardId-1', ExtendedSequenceNumber.SHARD_END), 0],
    [
      'a lease that already has a range',
      lease('shardId-1', undefined, { startingHashKey: '0', endingHashKey: '9' }),
      0,
    ],
    ['a lease whose shard is not listed', lease('shardId-7'), 0],
  ])('%s', (_name, input, expected) => {
    const out = hashRangeBackfill([input], [shard('shardId-1', '10', '20')]);
    expect(out).toHaveLength(expected);
  });

  it('matches multi-stream leases by their plain shard id', () => {
    const out = hashRangeBackfill(
      [lease('123456789012:orders:1600000000:shardId-1')],
      [shard('shardId-1', '10', '20')],
    );
    expect(out).toEqual([
      {
        leaseKey: '123456789012:orders:1600000000:shardId-1',
        range: { startingHashKey: '10', endingHashKey: '20' },
      },
    ]);
  });
});
