import fc from 'fast-check';

import {
  ExtendedSequenceNumber,
  SENTINEL_CHECKPOINTS,
  ValidationError,
  compareExtendedSequenceNumbers,
  compareSequenceNumbers,
  isSentinelCheckpoint,
  isSequenceNumber,
} from '@kinesis-kit/common';

const SEQ = '49590338271490256608559692538361571095921575989136588898';

function esn(seq: string, sub = 0): ExtendedSequenceNumber {
  return ExtendedSequenceNumber.of(seq, sub);
}

describe('ExtendedSequenceNumber ordering (KCL ExtendedSequenceNumber.compareTo)', () => {
  // Ascending, as the KCL orders them.
  const ascending = [
    esn('AT_TIMESTAMP'),
    esn('TRIM_HORIZON'),
    esn('LATEST'),
    esn('0'),
    esn('9'),
    esn('10'),
    esn(SEQ),
    esn(SEQ, 1),
    esn(SEQ, 2),
    esn(`${SEQ}0`),
    ExtendedSequenceNumber.SHARD_END,
  ];

  it.each(ascending.flatMap((a, i) => ascending.map((b, j) => [a, b, Math.sign(i - j)] as const)))(
    'compares %s with %s as %i',
    (a, b, expected) => {
      expect(a.compareTo(b)).toBe(expected);
      expect(compareExtendedSequenceNumbers(a, b)).toBe(expected);
    },
  );

  it('ignores leading zeros', () => {
    expect(esn('0007').compareTo(esn('7'))).toBe(0);
    expect(esn('0007').equals(esn('7'))).toBe(true);
    expect(esn('0000').compareTo(esn('0'))).toBe(0);
    expect(esn('00010').compareTo(esn('9'))).toBe(1);
  });

  it('breaks ties by the sub-sequence number, also for sentinels other than SHARD_END', () => {
    expect(esn('TRIM_HORIZON', 1).compareTo(esn('TRIM_HORIZON'))).toBe(1);
    expect(esn('5', 3).compareTo(esn('5', 10))).toBe(-1);
    expect(esn('SHARD_END', 4).compareTo(ExtendedSequenceNumber.SHARD_END)).toBe(0);
  });

  it('orders like a bigint comparison for any digit strings and sub-sequence numbers', () => {
    const digits = fc.stringMatching(/^[0-9]{1,60}$/);
    fc.assert(
      fc.property(digits, fc.nat(5), digits, fc.nat(5), (a, sa, b, sb) => {
        const expected =
          BigInt(a) === BigInt(b) ? Math.sign(sa - sb) : BigInt(a) < BigInt(b) ? -1 : 1;
        expect(esn(a, sa).compareTo(esn(b, sb))).toBe(expected);
        expect(compareSequenceNumbers(a, b)).toBe(
          BigInt(a) === BigInt(b) ? 0 : BigInt(a) < BigInt(b) ? -1 : 1,
        );
      }),
    );
  });
});

describe('ExtendedSequenceNumber.of', () => {
  it('returns the shared sentinel instances for sub-sequence 0', () => {
    for (const s of SENTINEL_CHECKPOINTS) {
      expect(esn(s)).toBe(ExtendedSequenceNumber[s]);
      expect(esn(s).isSentinel).toBe(true);
    }
    expect(ExtendedSequenceNumber.SHARD_END.isShardEnd).toBe(true);
    expect(esn(SEQ).isSentinel).toBe(false);
  });

  it('prints seq or seq/sub', () => {
    expect(esn(SEQ).toString()).toBe(SEQ);
    expect(esn(SEQ, 3).toString()).toBe(`${SEQ}/3`);
  });

  it.each([
    [''],
    ['abc'],
    ['12a'],
    ['-1'],
    [' 1'],
    ['1'.repeat(129)],
    ['latest'],
    [undefined],
    [5],
  ])('rejects the sequence number %p with a ValidationError', (seq) => {
    let caught: unknown;
    try {
      ExtendedSequenceNumber.of(seq as string);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).field).toBe('sequenceNumber');
  });

  it.each([[-1], [1.5], [Number.NaN], [2 ** 53]])(
    'rejects the sub-sequence number %p with a ValidationError',
    (sub) => {
      let caught: unknown;
      try {
        ExtendedSequenceNumber.of(SEQ, sub);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).field).toBe('subSequenceNumber');
    },
  );
});

describe('comparing garbage', () => {
  it.each([
    ['garbage', '1'],
    ['1', 'garbage'],
    ['', '1'],
    ['SHARD_END', 'garbage'],
    ['garbage', 'SHARD_END'],
  ])('throws a ValidationError for %j vs %j, like the KCL', (a, b) => {
    expect(() =>
      compareExtendedSequenceNumbers(
        { sequenceNumber: a, subSequenceNumber: 0 },
        { sequenceNumber: b, subSequenceNumber: 0 },
      ),
    ).toThrow(ValidationError);
  });

  it('compareSequenceNumbers throws for garbage', () => {
    expect(() => compareSequenceNumbers('x', '1')).toThrow(ValidationError);
  });
});

describe('predicates', () => {
  it.each([
    ['TRIM_HORIZON', true, false],
    ['SHARD_END', true, false],
    ['123', false, true],
    ['', false, false],
    ['trim_horizon', false, false],
  ])('%j: sentinel %p, sequence number %p', (value, sentinel, sequence) => {
    expect(isSentinelCheckpoint(value)).toBe(sentinel);
    expect(isSequenceNumber(value)).toBe(sequence);
  });
});
