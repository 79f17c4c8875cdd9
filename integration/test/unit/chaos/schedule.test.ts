import { EPISODE_ROUND, planSchedule } from '../../../src/chaos/core/schedule.js';

// Every kind the fault schedule knows; the planner must place each of them.
const KINDS = EPISODE_ROUND;

describe('planSchedule', () => {
  const options = { seed: 7, durationMs: 60_000, workers: 3, failoverTimeMs: 4000 };

  it('is the same for the same seed and differs for another', () => {
    expect(planSchedule(options)).toEqual(planSchedule(options));
    expect(planSchedule({ ...options, seed: 8 })).not.toEqual(planSchedule(options));
  });

  it('has every kind of episode once a minute, inside the run and before its quiet end', () => {
    for (const durationMs of [60_000, 300_000]) {
      const plan = planSchedule({ ...options, durationMs });
      const rounds = durationMs / 60_000;
      for (const kind of KINDS) {
        expect(plan.filter((p) => p.episode.kind === kind)).toHaveLength(rounds);
      }
      for (const { atMs } of plan) {
        expect(atMs).toBeGreaterThanOrEqual(durationMs * 0.08);
        expect(atMs).toBeLessThan(durationMs * 0.8);
      }
      expect(plan.map((p) => p.atMs)).toEqual([...plan.map((p) => p.atMs)].sort((a, b) => a - b));
    }
  });

  it('pauses a worker for longer than the failover time and picks workers in range', () => {
    const plan = planSchedule({ ...options, workers: 5, durationMs: 300_000 });
    const pauses = plan.flatMap(({ episode }) =>
      episode.kind === 'pause' ? [episode.pauseMs] : [],
    );
    const workers = plan.flatMap(({ episode }) => ('worker' in episode ? [episode.worker] : []));

    expect(pauses).toHaveLength(5);
    expect(Math.min(...pauses)).toBeGreaterThan(options.failoverTimeMs * 2);
    expect(Math.min(...workers)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...workers)).toBeLessThan(5);
  });
});
