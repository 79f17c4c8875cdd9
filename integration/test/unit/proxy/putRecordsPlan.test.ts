import fc from 'fast-check';
import { FaultEngine } from '../../../src/proxy/core/faultRules.js';
import {
  base64DecodedLength,
  entryBytes,
  planPutRecords,
  spliceResults,
} from '../../../src/proxy/core/putRecordsPlan.js';
import type { EntryOutcome } from '../../../src/proxy/core/putRecordsPlan.js';
import { ShardLimitModel, resolveProxyLimits } from '../../../src/proxy/core/shardLimits.js';

const noFaults = (): FaultEngine => new FaultEngine([], () => 0);

describe('entry sizes', () => {
  it('computes the decoded length of any base64 string without decoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const base64 = Buffer.from(bytes).toString('base64');
        expect(base64DecodedLength(base64)).toBe(bytes.length);
      }),
    );
  });

  it('counts data plus the partition key in UTF-8', () => {
    expect(entryBytes({ Data: Buffer.from('hello').toString('base64'), PartitionKey: 'é' })).toBe(
      7,
    );
    expect(entryBytes({})).toBe(0);
  });
});

describe('planPutRecords', () => {
  it('throttles entries over the shard budget, keeps order, and leaves other shards alone', () => {
    // Prepare: 2 records/s per shard, burst 1 s.
    const limits = new ShardLimitModel(resolveProxyLimits({ writeRecordsPerSecond: 2 }));
    const shards = ['a', 'b', 'a', 'a', 'b', undefined];
    // Act
    const outcomes = planPutRecords({
      entries: shards.map((shardId) => ({ shardId, bytes: 10 })),
      streamName: 's',
      streamKey: 'acct/s',
      operation: 'PutRecords',
      now: 0,
      limits,
      faults: noFaults(),
    });
    // Assess: the third entry for shard a is refused; the unknown-shard entry is forwarded.
    expect(outcomes.map((o) => o.kind)).toEqual([
      'forward',
      'forward',
      'forward',
      'throttled',
      'forward',
      'forward',
    ]);
    expect(outcomes[3]).toEqual({ kind: 'throttled', shardId: 'a', reason: 'records' });
  });

  it('injects InternalFailure only into admitted entries, per entry', () => {
    const limits = new ShardLimitModel(resolveProxyLimits({ writeRecordsPerSecond: 1 }));
    const rolls = [0.1, 0.9];
    const faults = new FaultEngine(
      [{ id: 'if', probability: 0.5, fault: { kind: 'entry-internal-failure' } }],
      () => rolls.shift()!,
    );
    const outcomes = planPutRecords({
      entries: [
        { shardId: 'a', bytes: 1 },
        { shardId: 'a', bytes: 1 },
        { shardId: 'b', bytes: 1 },
      ],
      streamName: 's',
      streamKey: 'acct/s',
      operation: 'PutRecords',
      now: 0,
      limits,
      faults,
    });
    expect(outcomes).toEqual([
      { kind: 'internal-failure', shardId: 'a', ruleId: 'if' },
      { kind: 'throttled', shardId: 'a', reason: 'records' },
      { kind: 'forward', shardId: 'b' },
    ]);
  });

  it('forwards everything when limits are off', () => {
    const outcomes = planPutRecords({
      entries: Array.from({ length: 3000 }, () => ({ shardId: 'a', bytes: 1000 })),
      streamName: 's',
      streamKey: 'acct/s',
      operation: 'PutRecords',
      now: 0,
      limits: undefined,
      faults: noFaults(),
    });
    expect(outcomes.every((o) => o.kind === 'forward')).toBe(true);
  });
});

describe('spliceResults', () => {
  const context = { streamName: 'orders', account: '123456789012' };

  it('puts forwarded answers back in order and counts every failure', () => {
    const outcomes: EntryOutcome[] = [
      { kind: 'throttled', shardId: 'shardId-000000000001', reason: 'bytes' },
      { kind: 'forward', shardId: 'shardId-000000000000' },
      { kind: 'internal-failure', shardId: undefined, ruleId: 'r' },
      { kind: 'forward', shardId: undefined },
    ];
    const result = spliceResults(
      outcomes,
      [
        { SequenceNumber: '1', ShardId: 'shardId-000000000000', ErrorCode: null },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'from target' },
      ],
      context,
    );
    expect(result).toEqual({
      FailedRecordCount: 3,
      Records: [
        {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage:
            'Rate exceeded for shard shardId-000000000001 in stream orders under account 123456789012.',
        },
        { SequenceNumber: '1', ShardId: 'shardId-000000000000', ErrorCode: null },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'from target' },
      ],
    });
  });

  it('refuses to guess when the target answered a different number of entries', () => {
    expect(() => spliceResults([{ kind: 'forward', shardId: undefined }], [], context)).toThrow(
      /answered 0 entries for 1/,
    );
  });
});
