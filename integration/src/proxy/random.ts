/**
 * A small seeded random source (mulberry32), so a proxy in a child process, or a benchmark, can
 * inject the same faults run after run.
 */

/**
 * Uniform numbers in [0, 1) from a 32-bit seed; the same seed gives the same sequence.
 * @public
 * @example
 * const proxy = await startProxy({ target, faults, random: seededRandom(42) });
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
