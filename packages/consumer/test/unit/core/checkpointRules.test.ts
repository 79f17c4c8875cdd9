import { ExtendedSequenceNumber, ValidationError } from '@kinesis-kit/common';
import { decideCheckpoint, decidePrepareCheckpoint } from '../../../src/core/checkpointRules.js';
import type { CheckpointerState } from '../../../src/core/checkpointRules.js';

const esn = (s: string, sub = 0) => ExtendedSequenceNumber.of(s, sub);
const state: CheckpointerState = { lastCheckpoint: esn('100'), largestPermitted: esn('200', 3) };

describe('decideCheckpoint (KCL ShardRecordProcessorCheckpointer rules)', () => {
  it.each<[string, CheckpointerState, unknown[], string]>([
    ['no argument: the largest delivered', state, [], '200/3'],
    ['a sequence number in range', state, ['150'], '150'],
    ['the upper bound itself', state, ['200', 3], '200/3'],
    ['a sub-record below the bound', state, ['200', 1], '200/1'],
    [
      'the last record of a closed shard becomes SHARD_END',
      { ...state, sequenceNumberAtShardEnd: esn('200', 3) },
      ['200', 3],
      'SHARD_END',
    ],
    [
      'no argument inside shardEnded',
      { lastCheckpoint: esn('100'), largestPermitted: ExtendedSequenceNumber.SHARD_END },
      [],
      'SHARD_END',
    ],
  ])('writes %s', (_name, s, args, expected) => {
    const decision = decideCheckpoint(s, ...args);

    expect(decision.kind === 'write' && decision.checkpoint.toString()).toBe(expected);
  });

  it('treats re-checkpointing the stored value as a no-op', () => {
    expect(decideCheckpoint(state, '100')).toEqual({ kind: 'noop' });
    expect(decideCheckpoint({ lastCheckpoint: esn('7'), largestPermitted: esn('7') })).toEqual({
      kind: 'noop',
    });
  });

  it.each<[string, unknown[], string]>([
    ['below the last checkpoint', ['99'], 'sequenceNumber'],
    ['beyond the last delivered record', ['201'], 'sequenceNumber'],
    ['beyond the last delivered sub-record', ['200', 4], 'sequenceNumber'],
    ['a negative sub-sequence number', ['150', -1], 'subSequenceNumber'],
    ['a fractional sub-sequence number', ['150', 1.5], 'subSequenceNumber'],
    ['a non-numeric sequence number', ['abc'], 'sequenceNumber'],
    ['a sentinel other than SHARD_END', ['TRIM_HORIZON'], 'sequenceNumber'],
    ['a number instead of a string', [150], 'sequenceNumber'],
    ['a string sub-sequence number', ['150', '1'], 'subSequenceNumber'],
  ])('rejects %s with a ValidationError naming the field', (_name, args, field) => {
    const error: unknown = (() => {
      try {
        decideCheckpoint(state, ...args);
      } catch (e) {
        return e;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
  });
});

describe('decidePrepareCheckpoint', () => {
  it('validates the same range and never rewrites to SHARD_END', () => {
    const closed = { ...state, sequenceNumberAtShardEnd: esn('200', 3) };

    expect(decidePrepareCheckpoint(closed, '200', 3)).toEqual({
      kind: 'write',
      checkpoint: esn('200', 3),
    });
    expect(decidePrepareCheckpoint(state, '100')).toEqual({ kind: 'noop' });
    expect(() => decidePrepareCheckpoint(state, '300')).toThrow(ValidationError);
  });
});
