/**
 * The chaos suite's short variant (the full one is `npm run chaos`): 60 s of a producer and three
 * consumer worker processes through the fault proxies while the seeded schedule kills, stops and
 * pauses workers, reshards, throttles and injects faults; then the history checker must find no
 * violation. CHAOS_SEED picks another schedule.
 */
import { formatChaosReport } from '../../src/chaos/core/checkHistory.js';
import { runChaos } from '../../src/chaos/runChaos.js';
import { formatRunSummary } from '../../src/chaos/summary.js';

const SEED = Number(process.env.CHAOS_SEED ?? '1');

describe('chaos (60 s)', () => {
  it('loses nothing, keeps per-key order and explains every duplicate', async () => {
    const result = await runChaos({
      durationMs: 60_000,
      workers: 3,
      seed: SEED,
      drainTimeoutMs: 45_000,
    });
    const lines = [
      ...result.episodes,
      ...formatRunSummary(result),
      ...formatChaosReport(result.report),
    ];
    // The figures are the point of the suite: print them whether it passes or not.
    console.log(lines.join('\n'));

    expect(result.report.rules.filter((r) => r.count > 0)).toEqual([]);
    expect(result.report.records.acked).toBeGreaterThan(2000);
    expect(result.crashes).toEqual([]);
    // The schedule really happened: workers went down, shards were resharded, faults fired.
    const done = result.episodes.join('\n');
    for (const what of ['kill w', 'term w', 'pause w', 'split shardId', 'lease-conflict: bumped']) {
      expect(done).toContain(what);
    }
    expect(result.report.leases.pauses).toHaveLength(1);
    expect(result.kinesisProxy.totals.throttledEntries).toBeGreaterThan(0);
    expect(Object.keys(result.kinesisProxy.faults)).toEqual(
      expect.arrayContaining(['http-500', 'reset', 'expired-iterator', 'entry-internal-failure']),
    );
    expect(result.dynamodbProxy.faults.throttling).toBeGreaterThan(0);
  }, 170_000);
});
