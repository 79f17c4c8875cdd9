import { seededRandom } from '@kinesis-kit/common';

describe('seededRandom', () => {
  it('repeats its sequence for a seed, differs between seeds, and stays in [0, 1)', () => {
    const take = (seed: number): number[] => {
      const random = seededRandom(seed);
      return Array.from({ length: 1000 }, () => random());
    };
    const a = take(42);

    expect(take(42)).toEqual(a);
    expect(take(43)).not.toEqual(a);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1);
    // Roughly uniform: each tenth of [0, 1) gets 100 ± 40 of 1000 draws.
    const tenths = new Array<number>(10).fill(0);
    for (const x of a) tenths[Math.floor(x * 10)]! += 1;
    for (const n of tenths) expect(Math.abs(n - 100)).toBeLessThan(40);
  });
});
