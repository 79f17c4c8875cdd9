/** Small timing helpers for the benchmark scripts (real time: these drive real processes). */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `condition` every `everyMs` until it holds; resolves with the time it took, or undefined
 * after `timeoutMs`.
 */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  everyMs = 50,
): Promise<number | undefined> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (condition()) return performance.now() - started;
    await sleep(everyMs);
  }
  return condition() ? performance.now() - started : undefined;
}
