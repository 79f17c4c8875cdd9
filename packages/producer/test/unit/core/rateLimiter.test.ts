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
});
