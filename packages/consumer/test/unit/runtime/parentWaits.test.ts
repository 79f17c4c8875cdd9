/**
 * Parent polling cost: a child polls its parents every parentPollIntervalMs for the first
 * seconds (a parent normally ends within one), then backs off to the KCL's 10 s, so a wait of
 * hours costs about as many reads as the KCL's; a parent ending on this worker wakes it at once.
 */
import { silentLogger } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import {
  PARENT_FAST_POLL_MS,
  PARENT_SLOW_POLL_MS,
  ParentWaits,
  parentPollDelayMs,
  waitForParents,
} from '../../../src/runtime/parentWaits.js';
import { settle } from './workerHarness.js';

const HOUR = 3_600_000;

function start(opts: { doneAfterPolls?: number; waits?: ParentWaits; keys?: string[] } = {}) {
  const clock = new FakeClock();
  const t0 = clock.now();
  const pollsAt: number[] = [];
  const stop = new AbortController();
  let result: boolean | undefined;
  void waitForParents({
    parentsDone: () => {
      pollsAt.push(clock.now() - t0);
      return Promise.resolve(pollsAt.length >= (opts.doneAfterPolls ?? Infinity));
    },
    ...(opts.waits !== undefined && {
      onParentChange: (wake: () => void) => opts.waits!.subscribe(opts.keys ?? ['p'], wake),
    }),
    baseMs: 250,
    clock,
    logger: silentLogger,
    signal: stop.signal,
  }).then((r) => (result = r));
  return { clock, pollsAt, stop, result: () => result };
}

async function run(clock: FakeClock, ms: number, stepMs: number): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) await clock.advance(stepMs);
  await settle();
}

describe('parent polling', () => {
  it('polls every 250 ms for the first 5 s, then backs off to 10 s', async () => {
    const w = start();
    await run(w.clock, 60_000, 250);

    const fast = w.pollsAt.filter((t) => t <= PARENT_FAST_POLL_MS);
    expect(fast).toEqual(Array.from({ length: 21 }, (_, i) => i * 250));
    const gaps = w.pollsAt.slice(fast.length - 1).map((t, i, a) => (i === 0 ? 0 : t - a[i - 1]!));
    expect(gaps.slice(1, 8)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    w.stop.abort();
  });

  it('costs about the KCL’s 360 reads per parent in an hour of waiting (not 14 400)', async () => {
    const w = start();
    await run(w.clock, HOUR, 1_000);

    expect(w.pollsAt.length).toBeGreaterThan(360);
    expect(w.pollsAt.length).toBeLessThan(400);
    w.stop.abort();
    await settle();
    expect(w.result()).toBe(false);
  });

  it('a child starts within one base interval when its parent ends in the first seconds', async () => {
    const w = start({ doneAfterPolls: 4 });
    await run(w.clock, 2_000, 50);
    expect(w.result()).toBe(true);
    expect(w.pollsAt).toEqual([0, 250, 500, 750]);
  });

  it('a parent ending on this worker wakes a backed-off child at once', async () => {
    const waits = new ParentWaits();
    const w = start({ waits });
    await run(w.clock, 30 * 60_000, 1_000);
    const before = w.pollsAt.length;
    const at = w.clock.now() - 1_700_000_000_000;

    waits.parentEnded('other');
    await settle();
    expect(w.pollsAt.length).toBe(before);
    waits.parentEnded('p');
    await settle();

    expect(w.pollsAt.length).toBe(before + 1);
    expect(w.pollsAt.at(-1)).toBe(at);
    w.stop.abort();
    await settle();
    expect(waits.size).toBe(0);
  });

  it('a wake while a poll is in flight is not lost', async () => {
    const clock = new FakeClock();
    const waits = new ParentWaits();
    let polls = 0;
    let answer: (done: boolean) => void = () => undefined;
    const stop = new AbortController();
    void waitForParents({
      parentsDone: () => {
        polls++;
        return new Promise<boolean>((resolve) => (answer = resolve));
      },
      onParentChange: (wake) => waits.subscribe(['p'], wake),
      baseMs: 250,
      clock,
      logger: silentLogger,
      signal: stop.signal,
    });
    await settle();
    waits.parentEnded('p');
    answer(false);
    await settle();

    expect(polls).toBe(2);
    stop.abort();
    answer(false);
  });

  it.each([
    [0, undefined, 250],
    [4_999, 250, 250],
    [5_000, 250, 500],
    [60_000, 8_000, PARENT_SLOW_POLL_MS],
    [60_000, PARENT_SLOW_POLL_MS, PARENT_SLOW_POLL_MS],
  ])('delay after %i ms of waiting (previous %s) is %i ms', (waited, previous, expected) => {
    expect(parentPollDelayMs(waited, previous, 250)).toBe(expected);
  });

  it('a base interval above the cap is kept as it is (a KCL-style 10 s+ setting)', () => {
    expect(parentPollDelayMs(60_000, 30_000, 30_000)).toBe(30_000);
  });
});
