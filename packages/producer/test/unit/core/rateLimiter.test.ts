import { RATE_LIMITER_DEFAULTS, ShardRateLimiter } from '../../../src/core/rateLimiter.js';

const MiB = 1024 * 1024;
const make = (now = 0, ceiling = 1): ShardRateLimiter =>
  new ShardRateLimiter(
    { ...RATE_LIMITER_DEFAULTS, recordsPerSecond: 1000, bytesPerSecond: MiB, ceiling },
    now,
  );

/** Sends `size`-byte records as fast as the limiter allows for `ms`, in 1 ms steps. */
function drive(limiter: ShardRateLimiter, size: number, from: number, ms: number): number {
  let sent = 0;
  for (let t = from; t < from + ms; t++) {
    while (limiter.canSend(size, t)) {
      limiter.take(size, t);
      sent += size;
    }
  }
  return sent;
}

describe('ShardRateLimiter', () => {
  it('holds the byte rate to the shard limit over time', () => {
    const limiter = make();
    const sent = drive(limiter, 50_000, 0, 10_000);
    // 10 s at 1 MiB/s plus the initial burst, within one record.
    const burst = (RATE_LIMITER_DEFAULTS.burstMs / 1000) * MiB;
    expect(sent).toBeLessThanOrEqual(10 * MiB + burst + 50_000);
    expect(sent).toBeGreaterThan(0.98 * 10 * MiB);
  });

  it('holds the record rate to 1000 records/s for small records', () => {
    const limiter = make();
    const records = drive(limiter, 10, 0, 5000) / 10;
    expect(records).toBeLessThanOrEqual(5000 + RATE_LIMITER_DEFAULTS.burstMs + 1);
    expect(records).toBeGreaterThan(4900);
  });

  it('scales with the ceiling (rateLimit)', () => {
    const limiter = make(0, 0.5);
    const sent = drive(limiter, 10_000, 0, 10_000);
    expect(sent).toBeLessThan(
      0.5 * (10 * MiB + (RATE_LIMITER_DEFAULTS.burstMs / 1000) * MiB) + 10_000,
    );
    expect(sent).toBeGreaterThan(0.48 * 10 * MiB);
  });

  it('lets a record larger than the bucket go when the bucket is full, then pays the debt', () => {
    const limiter = make();
    expect(limiter.canSend(MiB, 0)).toBe(true);
    limiter.take(MiB, 0);
    // The bucket (burstMs of rate) was full, so the debt is 1 MiB minus the burst.
    const debtMs = 1000 - RATE_LIMITER_DEFAULTS.burstMs;
    expect(limiter.canSend(1000, debtMs - 100)).toBe(false);
    expect(limiter.waitMs(1000, debtMs - 100)).toBeGreaterThan(90);
    expect(limiter.canSend(1000, debtMs + 10)).toBe(true);
  });

  it('cuts the rate on throttling, counting one burst of throttles once', () => {
    const limiter = make();
    limiter.onThrottle(0, 10);
    const after = limiter.fraction;
    expect(after).toBeCloseTo(0.9);
    // Entries sent before the cut were sent at the old rate: no second cut.
    limiter.onThrottle(5, 11);
    expect(limiter.fraction).toBeCloseTo(after, 2);
    limiter.onThrottle(20, 30);
    expect(limiter.fraction).toBeLessThan(after * 0.95);
  });

  it('climbs back fast to just under the throttled level, then slowly', () => {
    const limiter = make();
    limiter.onThrottle(0, 0);
    limiter.onThrottle(1, 1); // 0.81
    limiter.canSend(1, 1000);
    const nearKnee = limiter.fraction;
    expect(nearKnee).toBeGreaterThan(0.85);
    limiter.canSend(1, 11_000);
    // 10 s of slow climb adds 0.1 of the ceiling at most.
    expect(limiter.fraction).toBeLessThanOrEqual(Math.min(1, nearKnee + 0.1 + 1e-9));
    limiter.canSend(1, 100_000);
    expect(limiter.fraction).toBe(1);
  });

  it('never goes below the floor', () => {
    const limiter = make();
    for (let i = 0; i < 100; i++) limiter.onThrottle(i * 10, i * 10);
    expect(limiter.fraction).toBeGreaterThanOrEqual(RATE_LIMITER_DEFAULTS.floor);
  });

  describe('quantumWaitMs', () => {
    const drain = (limiter: ShardRateLimiter, now: number): void => {
      while (limiter.canSend(1000, now)) limiter.take(1000, now);
    };

    it('is 0 while the bucket covers the quantum, and what is queued caps the quantum', () => {
      const limiter = make();
      expect(limiter.quantumWaitMs(200, 10 * MiB, 10_000, 1000, 0)).toBe(0);
      drain(limiter, 0);
      // 200 ms of 1 MiB/s is 209,715 bytes; with 2,000 bytes queued only those are needed.
      expect(limiter.quantumWaitMs(200, 2000, 2, 1000, 0)).toBe(2);
      expect(limiter.canSend(1000, 2)).toBe(true);
    });

    it('waits the quantum of the rate after a drain, and the tokens are then there', () => {
      const limiter = make();
      drain(limiter, 0);
      const wait = limiter.quantumWaitMs(200, 10 * MiB, 10_000, 1000, 0);
      // Leftover tokens (< one record) shorten the wait a little.
      expect(wait).toBeGreaterThan(198);
      expect(wait).toBeLessThanOrEqual(200);
      expect(limiter.quantumWaitMs(200, 10 * MiB, 10_000, 1000, wait - 1)).toBeGreaterThan(0);
      expect(limiter.quantumWaitMs(200, 10 * MiB, 10_000, 1000, wait)).toBe(0);
      // 200 records of 1000 bytes (the record budget binds before the 209,715 bytes).
      expect(drive(limiter, 1000, wait, 1)).toBe(200 * 1000);
    });

    it('counts records too: 200 ms of 1000 records/s is 200 records', () => {
      const limiter = make();
      drain(limiter, 0);
      while (limiter.canSend(10, 0)) limiter.take(10, 0);
      const wait = limiter.quantumWaitMs(200, 10_000, 1000, 10, 0);
      expect(wait).toBeGreaterThan(198);
      expect(wait).toBeLessThanOrEqual(200);
    });

    it('shrinks with the rate after throttling, so the wait stays about the quantum', () => {
      const limiter = make();
      drain(limiter, 0);
      limiter.onThrottle(0, 0, 0.7);
      expect(limiter.fraction).toBeCloseTo(0.3, 5);
      const wait = limiter.quantumWaitMs(200, 10 * MiB, 10_000, 1000, 0);
      // The rate climbs back while it waits, so a little less than 200 ms.
      expect(wait).toBeGreaterThan(150);
      expect(wait).toBeLessThanOrEqual(200);
    });

    it('asks for at least the head record, and never more than the bucket holds', () => {
      const limiter = make(0, 0.05);
      // The bucket holds 500 ms of 5% of 1 MiB/s: 26,214 bytes; a 50 kB aggregate needs them all.
      expect(limiter.quantumWaitMs(200, 60_000, 2, 50_000, 0)).toBe(0);
      limiter.take(50_000, 0);
      const wait = limiter.quantumWaitMs(200, 60_000, 1, 50_000, 0);
      expect(Number.isFinite(wait)).toBe(true);
      expect(limiter.canSend(50_000, wait - 1)).toBe(false);
      expect(limiter.canSend(50_000, wait)).toBe(true);
    });
  });
});
