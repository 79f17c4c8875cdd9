import { Task } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';

describe('Task', () => {
  it('runs ticks until stopped and stop() awaits the tick in flight', async () => {
    // Prepare
    const clock = new FakeClock();
    let ticks = 0;
    let finishedTicks = 0;
    const task = new Task({
      name: 't',
      clock,
      tick: async (signal) => {
        ticks++;
        await clock.sleep(10, signal).catch(() => undefined);
        finishedTicks++;
        return 0;
      },
    });
    // Act
    task.start();
    await clock.advance(35);
    const stopped = task.stop();
    const again = task.stop();
    await stopped;
    // Assess
    expect(again).toBe(stopped);
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(finishedTicks).toBe(ticks);
    expect(task.running).toBe(false);
  });

  it('reports errors and backs off instead of spinning', async () => {
    const clock = new FakeClock();
    const errors: number[] = [];
    const task = new Task({
      name: 't',
      clock,
      random: () => 0.5,
      backoff: { baseMs: 100, capMs: 1000 },
      tick: () => Promise.reject(new Error('boom')),
      onError: (_e, n) => errors.push(n),
    });
    task.start();
    await clock.advance(0);
    expect(errors).toEqual([1]);
    await clock.advance(49);
    expect(errors).toEqual([1]);
    await clock.advance(1);
    expect(errors).toEqual([1, 2]);
    await task.stop();
  });
});
