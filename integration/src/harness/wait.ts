import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link pollUntil}. @internal */
export interface PollOptions {
  /** What is awaited, for the timeout message. */
  readonly description: string;
  /** @defaultValue 30000 */
  readonly timeoutMs?: number;
  /** @defaultValue 50 */
  readonly intervalMs?: number;
  /**
   * Checked before every probe; an error it returns is thrown at once instead of waiting for the
   * timeout (e.g. the emulator process exited).
   */
  readonly giveUp?: () => Error | undefined;
  /** Errors from `probe` for which waiting is pointless (e.g. the stream was deleted). */
  readonly isFatal?: (error: unknown) => boolean;
}

/**
 * Calls `probe` until it returns a value other than `undefined`, then returns it. Errors thrown by
 * `probe` count as "not yet" (an emulator that is still starting refuses connections); the last one
 * is kept as the timeout error's cause so a failure says why.
 * @internal
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  options: PollOptions,
): Promise<T> {
  const { description, timeoutMs = 30_000, intervalMs = 50, giveUp, isFatal } = options;
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const fatal = giveUp?.();
    if (fatal !== undefined) throw fatal;
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (isFatal?.(error) === true) throw error;
      lastError = error;
    }
    if (performance.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`, {
        cause: lastError,
      });
    }
    await sleep(intervalMs);
  }
}
