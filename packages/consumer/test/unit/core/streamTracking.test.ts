import { planStreamTracking } from '../../../src/core/streamTracking.js';
import type { StreamTrackingInput } from '../../../src/core/streamTracking.js';

const A = '111111111111:a:1600000000';
const B = '111111111111:b:1600000000';
const C = '111111111111:c:1600000000';

function input(over: Partial<StreamTrackingInput>): StreamTrackingInput {
  return {
    tracked: [],
    current: [],
    staleSince: new Map(),
    strategy: 'auto-detect',
    waitPeriodMs: 60_000,
    notFound: [],
    nowMs: 1_000_000,
    ...over,
  };
}

describe('planStreamTracking (the KCL Scheduler stream sync)', () => {
  it('adds streams the tracker lists for the first time', () => {
    const plan = planStreamTracking(input({ tracked: [A, B, C], current: [A] }));

    expect(plan.add).toEqual([B, C]);
    expect(plan.deleteLeases).toEqual([]);
  });

  it('auto-detect: a missing stream waits waitPeriodMs, then its leases are deleted', () => {
    const first = planStreamTracking(input({ tracked: [A], current: [A, B], nowMs: 1_000 }));
    const early = planStreamTracking(
      input({ tracked: [A], current: [A, B], staleSince: first.staleSince, nowMs: 60_999 }),
    );
    const due = planStreamTracking(
      input({ tracked: [A], current: [A, B], staleSince: early.staleSince, nowMs: 61_000 }),
    );

    expect(first.staleSince).toEqual(new Map([[B, 1_000]]));
    expect(first.deleteLeases).toEqual([]);
    expect(early.deleteLeases).toEqual([]);
    expect(due.deleteLeases).toEqual([B]);
    expect(due.staleSince.size).toBe(0);
  });

  it('auto-detect: a stream listed again before its wait ends is revived', () => {
    const stale = planStreamTracking(input({ tracked: [A], current: [A, B], nowMs: 0 }));
    const back = planStreamTracking(
      input({ tracked: [A, B], current: [A, B], staleSince: stale.staleSince, nowMs: 120_000 }),
    );

    expect(back.deleteLeases).toEqual([]);
    expect(back.staleSince.size).toBe(0);
    expect(back.add).toEqual([]);
  });

  it('auto-detect with no wait deletes at once', () => {
    const plan = planStreamTracking(input({ tracked: [A], current: [A, B], waitPeriodMs: 0 }));

    expect(plan.deleteLeases).toEqual([B]);
  });

  it('no-deletion: a missing stream is only forgotten (no longer synced)', () => {
    const plan = planStreamTracking(
      input({ strategy: 'no-deletion', tracked: [A], current: [A, B], waitPeriodMs: 0 }),
    );

    expect(plan.forget).toEqual([B]);
    expect(plan.deleteLeases).toEqual([]);
    expect(plan.staleSince.size).toBe(0);
  });

  it('provided: only the named streams are deleted, and only while unlisted', () => {
    const plan = planStreamTracking(
      input({
        strategy: 'provided',
        tracked: [A],
        current: [A, B, C],
        provided: [A, C],
        waitPeriodMs: 0,
      }),
    );

    expect(plan.deleteLeases).toEqual([C]);
    expect(plan.forget).toEqual([]);
  });

  it('a stream the service no longer has is deleted at once when unlisted, whatever the strategy', () => {
    for (const strategy of ['no-deletion', 'auto-detect', 'provided'] as const) {
      const gone = planStreamTracking(
        input({ strategy, tracked: [A], current: [A, B], notFound: [B] }),
      );
      const stillListed = planStreamTracking(
        input({ strategy, tracked: [A, B], current: [A, B], notFound: [B] }),
      );

      expect(gone.deleteLeases).toEqual([B]);
      expect(gone.forget).toEqual([]);
      expect(stillListed.deleteLeases).toEqual([]);
    }
  });
});
