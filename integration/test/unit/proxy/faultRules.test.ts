import { FaultEngine, validateFaultRules } from '../../../src/proxy/core/faultRules.js';
import type { FaultRule } from '../../../src/proxy/core/faultRules.js';

/** A random source that replays `values` (and then fails the test if asked for more). */
function scripted(values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error('random() called more often than scripted');
    return values[i++]!;
  };
}

describe('FaultEngine request faults', () => {
  it('matches by operation, stream and shard; an absent matcher matches anything', () => {
    const engine = new FaultEngine(
      [
        {
          id: 'gr',
          operations: ['GetRecords'],
          streamName: 's1',
          shardId: 'shard-1',
          fault: { kind: 'expired-iterator' },
        },
      ],
      scripted([]),
    );
    expect(
      engine.forRequest({ operation: 'GetRecords', streamName: 's1', shardIds: ['shard-1'] })
        .terminal?.ruleId,
    ).toBe('gr');
    expect(
      engine.forRequest({ operation: 'GetRecords', streamName: 's2', shardIds: ['shard-1'] })
        .terminal,
    ).toBeUndefined();
    expect(
      engine.forRequest({ operation: 'GetRecords', streamName: 's1', shardIds: ['shard-2'] })
        .terminal,
    ).toBeUndefined();
    expect(
      engine.forRequest({ operation: 'GetRecords', streamName: 's1' }).terminal,
    ).toBeUndefined();
    expect(
      engine.forRequest({ operation: 'PutRecords', streamName: 's1', shardIds: ['shard-1'] })
        .terminal,
    ).toBeUndefined();
  });

  it('fires with the given probability, rolling once per matching rule', () => {
    const engine = new FaultEngine(
      [{ probability: 0.25, fault: { kind: 'http-503' } }],
      scripted([0.1, 0.3, 0.2499, 0.25]),
    );
    const fired = [1, 2, 3, 4].map(
      () => engine.forRequest({ operation: 'ListShards' }).terminal !== undefined,
    );
    expect(fired).toEqual([true, false, true, false]);
  });

  it('stops a rule after maxCount hits and counts only hits', () => {
    const engine = new FaultEngine(
      [{ maxCount: 2, probability: 0.5, fault: { kind: 'reset' } }],
      scripted([0.9, 0.1, 0.1, 0.1]),
    );
    const fired = [1, 2, 3, 4, 5].map(
      () => engine.forRequest({ operation: 'PutRecord' }).terminal !== undefined,
    );
    // 0.9 misses, 0.1 and 0.1 hit, then the rule is spent and rolls no more.
    expect(fired).toEqual([false, true, true, false, false]);
  });

  it('adds up latency rules and lets the first firing terminal rule win', () => {
    const engine = new FaultEngine(
      [
        { id: 'slow', fault: { kind: 'latency', ms: 30 } },
        { id: 'miss', probability: 0.5, fault: { kind: 'http-500' } },
        { id: 'hit', fault: { kind: 'throttling' } },
        { id: 'later', fault: { kind: 'http-503' } },
        { id: 'slower', fault: { kind: 'latency', ms: 20 } },
      ],
      scripted([0.7]),
    );
    const decision = engine.forRequest({ operation: 'UpdateItem', tableName: 't' });
    expect(decision).toEqual({
      latencyMs: 50,
      latencyRules: ['slow', 'slower'],
      terminal: { ruleId: 'hit', fault: { kind: 'throttling' } },
    });
  });

  it('setRules replaces the rules and their hit counts', () => {
    const rule: FaultRule = { maxCount: 1, fault: { kind: 'http-500' } };
    const engine = new FaultEngine([rule], scripted([]));
    expect(engine.forRequest({ operation: 'X' }).terminal).toBeDefined();
    expect(engine.forRequest({ operation: 'X' }).terminal).toBeUndefined();
    engine.setRules([rule]);
    expect(engine.forRequest({ operation: 'X' }).terminal?.ruleId).toBe('rule-0');
    engine.setRules([]);
    expect(engine.forRequest({ operation: 'X' })).toEqual({ latencyMs: 0, latencyRules: [] });
  });
});

describe('FaultEngine entry faults', () => {
  it('rolls per entry, only for entry rules of the operation and shard', () => {
    const engine = new FaultEngine(
      [
        {
          id: 'e',
          operations: ['PutRecords'],
          shardId: 'a',
          probability: 0.5,
          fault: { kind: 'entry-internal-failure' },
        },
        { id: 'req', fault: { kind: 'http-500' }, operations: ['Other'] },
      ],
      scripted([0.4, 0.6]),
    );
    expect(engine.hasEntryRules('PutRecords')).toBe(true);
    expect(engine.hasEntryRules('PutRecord')).toBe(false);
    expect(engine.forEntry({ operation: 'PutRecords', shardIds: ['a'] })?.ruleId).toBe('e');
    expect(engine.forEntry({ operation: 'PutRecords', shardIds: ['a'] })).toBeUndefined();
    expect(engine.forEntry({ operation: 'PutRecords', shardIds: ['b'] })).toBeUndefined();
    // Entry rules never fire at request level.
    expect(
      engine.forRequest({ operation: 'PutRecords', shardIds: ['a'] }).terminal,
    ).toBeUndefined();
  });
});

describe('validateFaultRules', () => {
  it.each([
    [{ probability: 1.5, fault: { kind: 'http-500' } }, /probability/],
    [{ maxCount: -1, fault: { kind: 'http-500' } }, /maxCount/],
    [{ fault: { kind: 'explode' } }, /unknown fault/],
    [{ fault: { kind: 'latency', ms: -5 } }, /latency/],
    [{ fault: { kind: 'error', status: 200, errorType: 'X' } }, /status/],
  ])('rejects %j', (rule, message) => {
    expect(() => validateFaultRules([rule as FaultRule])).toThrow(message);
  });
});
