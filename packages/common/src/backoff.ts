/**
 * Exponential backoff with full jitter (delay = random in [0, min(cap, base * 2^attempt))), the
 * variant AWS recommends because it spreads retries of many clients best. Pure: randomness is
 * passed in.
 */

/** @public */
export interface BackoffOptions {
  /** Delay scale of the first retry. @defaultValue 100 */
  readonly baseMs: number;
  /** Upper bound of any delay. @defaultValue 10 000 */
  readonly capMs: number;
}

/** @public */
export const BACKOFF_DEFAULTS: BackoffOptions = { baseMs: 100, capMs: 10_000 };

/**
 * Delay before retry number `attempt` (0 for the first retry).
 * @public
 * @example
 * ```ts
 * await clock.sleep(computeBackoff(attempt, { baseMs: 50, capMs: 5000 }, Math.random), signal);
 * ```
 */
export function computeBackoff(
  attempt: number,
  options: BackoffOptions = BACKOFF_DEFAULTS,
  random: () => number = Math.random,
): number {
  const exp = Math.min(options.capMs, options.baseMs * 2 ** Math.min(Math.max(0, attempt), 52));
  return Math.floor(random() * exp);
}
