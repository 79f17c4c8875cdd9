/**
 * Per-shard send budget: two token buckets (records/s and bytes/s) refilled at a fraction of the
 * shard limits, and that fraction adapted to throttling (AIMD). The KPL's limiter ignores
 * throttling (`Limiter::add_error` is a TODO) and runs at 150% of the limits, so a saturated
 * stream sees throttling storms; here a throttled entry cuts the shard's rate multiplicatively
 * and the rate climbs back quickly to just under the level that was throttled, then slowly past
 * it, so a producer offered more than a shard takes settles near the limit with few throttles.
 *
 * Pure: time is passed in as `now` (monotonic ms).
 */

/** @internal */
export interface RateLimiterOptions {
  /** The shard's record limit per second (1000). */
  readonly recordsPerSecond: number;
  /** The shard's byte limit per second (1 MiB), data + partition key. */
  readonly bytesPerSecond: number;
  /** Highest fraction of the limits ever used (rateLimit / 100). */
  readonly ceiling: number;
  /** Bucket depth in ms of the current rate: how much may go out at once after a pause. */
  readonly burstMs: number;
  /** Lowest fraction the adaptation may reach. */
  readonly floor: number;
  /** Multiplier applied on throttling. */
  readonly decreaseFactor: number;
  /** Fraction of the ceiling regained per second while far below the last throttled level. */
  readonly fastIncreasePerSecond: number;
  /** Fraction of the ceiling regained per second when near or above the last throttled level. */
  readonly slowIncreasePerSecond: number;
}

/** @internal */
export const RATE_LIMITER_DEFAULTS: Omit<
  RateLimiterOptions,
  'recordsPerSecond' | 'bytesPerSecond' | 'ceiling'
> = {
  burstMs: 500,
  floor: 0.05,
  decreaseFactor: 0.9,
  fastIncreasePerSecond: 0.2,
  slowIncreasePerSecond: 0.01,
};

/** @internal */
export class ShardRateLimiter {
  private fractionValue: number;
  private recordTokens: number;
  private byteTokens: number;
  private last: number;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  /** The fraction in force when the last throttling was seen: the knee of the climb back. */
  private throttledAt: number;

  constructor(
    private readonly options: RateLimiterOptions,
    now: number,
  ) {
    this.fractionValue = options.ceiling;
    this.throttledAt = Number.POSITIVE_INFINITY;
    // Start full, like the KPL's buckets, so an idle shard can take a burst at once.
    this.recordTokens = this.recordCapacity();
    this.byteTokens = this.byteCapacity();
    this.last = now;
  }

  /** Current fraction of the shard limits. */
  get fraction(): number {
    return this.fractionValue;
  }

  /** True when a Kinesis record of `bytes` may be sent now. */
  canSend(bytes: number, now: number): boolean {
    this.refill(now);
    return this.recordTokens >= 1 && this.hasBytes(bytes);
  }

  /** Takes the tokens of one Kinesis record (call after canSend). */
  take(bytes: number, now: number): void {
    this.refill(now);
    this.recordTokens -= 1;
    // May go into debt for a record larger than the bucket; the debt delays what follows, so
    // the average rate holds.
    this.byteTokens -= bytes;
  }

  /** Milliseconds until a Kinesis record of `bytes` may be sent (0 when it may go now). */
  waitMs(bytes: number, now: number): number {
    this.refill(now);
    const recordRate = this.recordRate();
    const byteRate = this.byteRate();
    const needRecords = Math.max(0, 1 - this.recordTokens);
    const needBytes = Math.max(0, Math.min(bytes, this.byteCapacity()) - this.byteTokens);
    return Math.ceil(Math.max((needRecords / recordRate) * 1000, (needBytes / byteRate) * 1000));
  }

  /**
   * Entries sent at `sentAt` were throttled; `throttledShare` is the share of the bytes sent to
   * the shard in that request that were refused. Entries sent before the last decrease were sent
   * at the old rate and are ignored, so one burst of throttled entries counts once.
   */
  onThrottle(sentAt: number, now: number, throttledShare = 0): void {
    this.refill(now);
    if (sentAt < this.lastDecreaseAt) return;
    // Cut by at least decreaseFactor, and deeper when most of what was sent was refused: if only
    // 30% got through, the shard takes about 30% of our rate. The admitted rate is also the knee
    // of the climb back: fast up to it, slowly past it.
    const admitted = 1 - Math.min(1, Math.max(0, throttledShare));
    const factor = Math.min(this.options.decreaseFactor, Math.max(0.2, admitted));
    const before = this.fractionValue;
    this.fractionValue = Math.max(this.options.floor, before * factor);
    this.throttledAt = Math.max(this.fractionValue, before * Math.max(admitted, factor));
    this.lastDecreaseAt = now;
    // Throttled bytes were not counted by the service, but the burst that caused them was: pause.
    this.recordTokens = Math.min(this.recordTokens, 0);
    this.byteTokens = Math.min(this.byteTokens, 0);
  }

  private refill(now: number): void {
    const dt = now - this.last;
    if (dt <= 0) return;
    this.last = now;
    this.climb(dt);
    this.recordTokens = Math.min(
      this.recordCapacity(),
      this.recordTokens + (this.recordRate() * dt) / 1000,
    );
    this.byteTokens = Math.min(
      this.byteCapacity(),
      this.byteTokens + (this.byteRate() * dt) / 1000,
    );
  }

  /** Additive increase: fast up to just below the last throttled level, slow beyond it. */
  private climb(dt: number): void {
    const { ceiling, fastIncreasePerSecond, slowIncreasePerSecond } = this.options;
    if (this.fractionValue >= ceiling) return;
    const knee = this.throttledAt * 0.97;
    const perSecond = this.fractionValue < knee ? fastIncreasePerSecond : slowIncreasePerSecond;
    this.fractionValue = Math.min(ceiling, this.fractionValue + (perSecond * ceiling * dt) / 1000);
  }

  private hasBytes(bytes: number): boolean {
    // A record larger than the bucket goes when the bucket is full.
    return this.byteTokens >= Math.min(bytes, this.byteCapacity());
  }

  private recordRate(): number {
    return this.options.recordsPerSecond * this.fractionValue;
  }

  private byteRate(): number {
    return this.options.bytesPerSecond * this.fractionValue;
  }

  private recordCapacity(): number {
    return Math.max(1, (this.recordRate() * this.options.burstMs) / 1000);
  }

  private byteCapacity(): number {
    return Math.max(1, (this.byteRate() * this.options.burstMs) / 1000);
  }
}
