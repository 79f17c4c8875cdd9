import fc from 'fast-check';
import { compareHashKeys, midpointHashKey } from '../../../src/harness/hashKeys.js';

const MAX = (1n << 128n) - 1n;
const hashKey = fc.bigInt({ min: 0n, max: MAX });

describe('midpointHashKey', () => {
  it.each([
    ['0', MAX.toString(), (1n << 127n).toString()],
    ['0', '1', '1'],
    ['10', '13', '12'],
    ['10', '14', '12'],
    [(1n << 127n).toString(), MAX.toString(), ((1n << 127n) + (1n << 126n)).toString()],
  ])('splits [%s, %s] at %s', (start, end, expected) => {
    expect(midpointHashKey(start, end)).toBe(expected);
  });

  it('always yields a key SplitShard accepts, halving the range (the lower half never larger)', () => {
    fc.assert(
      fc.property(hashKey, hashKey, (a, b) => {
        fc.pre(a !== b);
        const [start, end] = a < b ? [a, b] : [b, a];
        // Act
        const mid = BigInt(midpointHashKey(start.toString(), end.toString()));
        // Assess: start < mid <= end, and the halves [start, mid-1] and [mid, end] differ by <= 1.
        expect(mid > start && mid <= end).toBe(true);
        const lower = mid - start;
        const upper = end - mid + 1n;
        expect(upper - lower === 0n || upper - lower === 1n).toBe(true);
      }),
    );
  });

  it.each([
    ['5', '5', /one key or none/],
    ['6', '5', /one key or none/],
    ['-1', '5', /startingHashKey is not a canonical decimal/],
    ['01', '5', /startingHashKey is not a canonical decimal/],
    ['0', (MAX + 1n).toString(), /endingHashKey exceeds/],
    ['0', '1e3', /endingHashKey is not a canonical decimal/],
  ])('rejects [%s, %s]', (start, end, message) => {
    expect(() => midpointHashKey(start, end)).toThrow(message);
  });
});

describe('compareHashKeys', () => {
  it('orders numerically, where string order is wrong', () => {
    expect(['10', '9', '100', '0'].sort(compareHashKeys)).toEqual(['0', '9', '10', '100']);
  });

  it('agrees with bigint comparison', () => {
    fc.assert(
      fc.property(hashKey, hashKey, (a, b) => {
        const expected = a < b ? -1 : a > b ? 1 : 0;
        expect(compareHashKeys(a.toString(), b.toString())).toBe(expected);
      }),
    );
  });
});
