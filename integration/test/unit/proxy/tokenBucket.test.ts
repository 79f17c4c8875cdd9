import fc from 'fast-check';
import { TokenBucket } from '../../../src/proxy/core/tokenBucket.js';

describe('TokenBucket', () => {
  it('starts full, admits the burst at once and then refuses', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1000, burst: 1000 }, 0);
    let admitted = 0;
    for (let i = 0; i < 1500; i++) if (bucket.tryTake(1, 0)) admitted++;
    expect(admitted).toBe(1000);
    expect(bucket.available(0)).toBe(0);
  });

  it.each([
    // rate, burst, idle ms, expected tokens
    [1000, 1000, 1, 1],
    [1000, 1000, 250, 250],
    [1000, 1000, 5000, 1000],
    [5, 5, 200, 1],
    [1048576, 1048576, 500, 524288],
  ])(
    'refills continuously at %d/s (burst %d): %d ms gives %d tokens',
    (rate, burst, ms, tokens) => {
      const bucket = new TokenBucket({ ratePerSecond: rate, burst }, 0);
      expect(bucket.tryTake(burst, 0)).toBe(true);
      expect(bucket.available(ms)).toBeCloseTo(tokens, 6);
    },
  );

  it('takes nothing when it cannot take all of the cost', () => {
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 100 }, 0);
    expect(bucket.tryTake(60, 0)).toBe(true);
    expect(bucket.tryTake(60, 0)).toBe(false);
    expect(bucket.available(0)).toBe(40);
  });

  it('does not move when the clock steps backwards', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 10 }, 1000);
    bucket.tryTake(10, 1000);
    expect(bucket.available(500)).toBe(0);
    expect(bucket.available(1100)).toBeCloseTo(1, 9);
  });

  it('reports the wait until a cost is affordable, Infinity above the capacity', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1000, burst: 1000 }, 0);
    bucket.tryTake(1000, 0);
    expect(bucket.msUntil(250, 0)).toBeCloseTo(250, 9);
    expect(bucket.msUntil(0, 0)).toBe(0);
    expect(bucket.msUntil(1001, 0)).toBe(Infinity);
  });

  it('charges into debt and admits again only when the debt is paid (10 MiB at 2 MiB/s = 5 s)', () => {
    const MiB = 1024 * 1024;
    const bucket = new TokenBucket({ ratePerSecond: 2 * MiB, burst: 0 }, 0);
    expect(bucket.hasCredit(0)).toBe(true);
    bucket.charge(10 * MiB, 0);
    expect(bucket.hasCredit(4999)).toBe(false);
    expect(bucket.hasCredit(5000)).toBe(true);
  });

  it.each([
    [{ ratePerSecond: -1, burst: 1 }],
    [{ ratePerSecond: 1, burst: Number.NaN }],
    [{ ratePerSecond: Infinity, burst: 1 }],
  ])('rejects the spec %j', (spec) => {
    expect(() => new TokenBucket(spec, 0)).toThrow(RangeError);
  });

  it('never admits more than burst + rate x elapsed, and loses nothing while drained often enough', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 20 }),
        (rate, burstSeconds, gaps, cost) => {
          // Prepare
          const burst = Math.max(cost, rate * burstSeconds);
          const bucket = new TokenBucket({ ratePerSecond: rate, burst }, 0);
          let now = 0;
          let taken = 0;
          while (bucket.tryTake(cost, now)) taken += cost;
          // A refill never overflows the capacity when every gap is at most this long.
          const noOverflowGapMs = ((burst - cost) / rate) * 1000;
          let overflowPossible = false;
          // Act: at each step ask for as much as there is, one `cost` at a time.
          for (const gap of gaps) {
            now += gap;
            if (gap > noOverflowGapMs) overflowPossible = true;
            while (bucket.tryTake(cost, now)) taken += cost;
          }
          // Assess
          const supplied = burst + (rate * now) / 1000;
          expect(taken).toBeLessThanOrEqual(supplied + 1e-6);
          expect(bucket.available(now)).toBeLessThan(cost);
          // Without overflow, what was taken plus what is left is exactly what was supplied.
          const balance = taken + bucket.available(now);
          expect(overflowPossible || Math.abs(balance - supplied) < 1e-6).toBe(true);
        },
      ),
    );
  });
});
