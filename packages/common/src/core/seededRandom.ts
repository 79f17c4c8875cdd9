/**
 * A small seeded random source (mulberry32): the pure core takes its randomness passed in, and
 * tests, benchmarks and the fault proxy want the same choices run after run.
 */

/**
 * Uniform numbers in [0, 1) from a 32-bit seed; the same seed gives the same sequence.
 * @public
 * @example
 * const random = seededRandom(42);
 * random(); // the same first number every time
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
