/**
 * A token bucket on an injected clock (milliseconds, any monotonic origin). Pure: no timers, no
 * Date.now; the caller passes `now` to every call, so tests drive it with plain numbers.
 *
 * Two admission styles, because the service documents two kinds of per-shard limit:
 * - {@link TokenBucket.tryTake}: the cost is known up front (a PutRecords entry's bytes, one
 *   record, one GetRecords call) and is admitted only when the bucket holds all of it.
 * - {@link TokenBucket.hasCredit} + {@link TokenBucket.charge}: the cost is known only afterwards
 *   (the bytes a GetRecords call returned). The call is admitted while the balance is not negative
 *   and then charged in full, possibly into debt; the debt is paid off at the refill rate. This is
 *   how the GetRecords API reference describes reads: "if a call returns 10 MiB, subsequent calls
 *   made within the next 5 seconds throw ProvisionedThroughputExceededException".
 */

/** Rate and capacity of a {@link TokenBucket}. @public */
export interface TokenBucketSpec {
  /** Tokens added per second (continuously, not in 1-second steps). */
  readonly ratePerSecond: number;
  /** Capacity: the most tokens the bucket holds, i.e. the burst allowed after an idle period. */
  readonly burst: number;
}

/**
 * One token bucket. It starts full, like a shard that has been idle.
 * @public
 * @example
 * const bucket = new TokenBucket({ ratePerSecond: 1000, burst: 1000 }, 0);
 * bucket.tryTake(1, 0); // true
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  /**
   * Refills are summed in floating point, so a debt paid off exactly on time can be left a few
   * ulps short; comparisons forgive this much (a billionth of the larger of rate and burst).
   */
  private readonly epsilon: number;

  constructor(
    readonly spec: TokenBucketSpec,
    now: number,
  ) {
    assertSpec(spec);
    this.tokens = spec.burst;
    this.updatedAt = now;
    this.epsilon = 1e-9 * Math.max(1, spec.burst, spec.ratePerSecond);
  }

  /** Tokens available at `now` (negative while in debt). */
  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /** Takes `cost` tokens when the bucket holds all of them; otherwise takes nothing. */
  tryTake(cost: number, now: number): boolean {
    this.refill(now);
    if (this.tokens + this.epsilon < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** True while the balance is not negative (the debt of earlier charges is paid off). */
  hasCredit(now: number): boolean {
    this.refill(now);
    return this.tokens + this.epsilon >= 0;
  }

  /** Takes `cost` tokens unconditionally; the balance may go negative. */
  charge(cost: number, now: number): void {
    this.refill(now);
    this.tokens -= cost;
  }

  /**
   * Milliseconds from `now` until `cost` tokens are available (0 if they are), assuming nothing
   * else is taken meanwhile. Infinity when `cost` exceeds the capacity.
   */
  msUntil(cost: number, now: number): number {
    this.refill(now);
    if (this.tokens + this.epsilon >= cost) return 0;
    if (cost > this.spec.burst || this.spec.ratePerSecond === 0) return Infinity;
    return ((cost - this.tokens) / this.spec.ratePerSecond) * 1000;
  }

  private refill(now: number): void {
    // A clock that steps backwards (or equal timestamps) adds nothing rather than removing tokens.
    const elapsedMs = now - this.updatedAt;
    if (elapsedMs <= 0) return;
    this.updatedAt = now;
    if (this.tokens >= this.spec.burst) return;
    this.tokens = Math.min(
      this.spec.burst,
      this.tokens + (elapsedMs / 1000) * this.spec.ratePerSecond,
    );
  }
}

function assertSpec(spec: TokenBucketSpec): void {
  if (!(Number.isFinite(spec.ratePerSecond) && spec.ratePerSecond >= 0)) {
    throw new RangeError(`ratePerSecond must be a finite number >= 0, got ${spec.ratePerSecond}`);
  }
  if (!(Number.isFinite(spec.burst) && spec.burst >= 0)) {
    throw new RangeError(`burst must be a finite number >= 0, got ${spec.burst}`);
  }
}
