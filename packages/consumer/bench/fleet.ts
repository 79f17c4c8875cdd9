/**
 * Worker processes (test/support/workerProcess.ts) on a 4-shard stream with records flowing:
 *   1. SIGKILL the worker holding the most shards: time from the kill to each of its shards'
 *      lease being taken and to the first record another worker processes from it
 *      (target: failoverTimeMs + 2 s);
 *   2. SIGTERM the next: the same times from the signal (target: under 2 s);
 *   3. split a shard of the last worker: time from the parent's SHARD_END checkpoint to each
 *      child's first processRecords (target: under 1 s);
 *   4. on a fresh stream, split a shard while all three workers are alive (fleetSplit.ts).
 * `BENCH_FLEET_LIVE_SPLIT_ONLY=1` runs scenario 4 alone.
 * Times are wall-clock (Date.now) in both this process and the workers, on one machine.
 */
import {
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
  splitShardAndWait,
} from '@kinesis-kit/integration';
import { WorkerFleet } from '../test/support/workerFleet.js';
import type { WorkerEvent } from '../test/support/workerFleet.js';
import type { BenchConfig } from './config.js';
import { ourTimings } from './dynamoCalls.js';
import { fleetBaselines } from './fleetBaselines.js';
import { waitSettled } from './fleetState.js';
import { liveSplitScenario, reportLiveSplits } from './fleetSplit.js';
import type { LiveSplitChild } from './fleetSplit.js';
import { RecordFlow } from './recordFlow.js';
import { addSummary, ms, note, section, table } from './report.js';

const SHARDS = 4;
const WORKERS = ['w1', 'w2', 'w3'];

export interface Handover {
  readonly shardId: string;
  readonly from: string;
  readonly to: string;
  readonly leaseTakenMs: number;
  readonly firstRecordMs: number;
}

export interface ChildStart {
  readonly parent: string;
  readonly child: string;
  /** From the SplitShard call to the parent's SHARD_END checkpoint (reading the parent out). */
  readonly parentEndMs: number;
  readonly firstBatchMs: number;
}

export interface FleetResults {
  readonly kills: Handover[];
  readonly stops: (Handover & { readonly stoppedMs: number })[];
  readonly splits: ChildStart[];
}

function after(t0: number, predicate: (e: WorkerEvent) => boolean) {
  return (e: WorkerEvent): boolean => e.at >= t0 && predicate(e);
}

/** Waits, for each shard of `from`, for its lease to be taken and a record processed elsewhere. */
async function handovers(
  fleet: WorkerFleet,
  from: string,
  shards: readonly string[],
  t0: number,
  timeoutMs: number,
): Promise<Handover[]> {
  return Promise.all(
    shards.map(async (shardId) => {
      const record = await fleet.waitFor(
        after(t0, (e) => e.t === 'record' && e.shardId === shardId && e.worker !== from),
        timeoutMs,
        `a record of ${shardId} from a worker other than ${from}`,
      );
      const taken = fleet.events.find(
        after(t0, (e) => e.t === 'leaseTaken' && e.leaseKey === shardId && e.worker !== from),
      );
      return {
        shardId,
        from,
        to: record.worker,
        leaseTakenMs: taken === undefined ? Number.NaN : taken.at - t0,
        firstRecordMs: record.at - t0,
      };
    }),
  );
}

async function scenario(
  failoverMs: number,
  withSplit: boolean,
  results: FleetResults,
): Promise<void> {
  const { streamName } = await createTestStream(SHARDS);
  const applicationName = createLeaseTableName();
  const flow = new RecordFlow(streamName);
  const fleet = new WorkerFleet({
    STREAM_NAME: streamName,
    APPLICATION_NAME: applicationName,
    FAILOVER_TIME_MS: String(failoverMs),
    INITIAL_POSITION: 'TRIM_HORIZON',
  });
  const shards = Array.from({ length: SHARDS }, (_, i) => `shardId-${String(i).padStart(12, '0')}`);
  const quietMs = Math.max(2000, 3 * ourTimings(failoverMs).takerIntervalMs);
  const live = new Set(WORKERS);
  try {
    flow.start();
    for (const id of WORKERS) fleet.start(id);
    await Promise.all(
      WORKERS.map((id) =>
        fleet.waitFor((e) => e.t === 'started' && e.worker === id, 120_000, `${id} started`),
      ),
    );
    // 1. SIGKILL the busiest worker.
    let owners = await waitSettled(fleet, live, shards, quietMs, 120_000);
    const killed = busiest(owners);
    const killedShards = [...owners.get(killed)!];
    const killAt = Date.now();
    void fleet.kill(killed, 'SIGKILL');
    live.delete(killed);
    results.kills.push(
      ...(await handovers(fleet, killed, killedShards, killAt, failoverMs + 60_000)),
    );

    // 2. SIGTERM the busiest survivor.
    owners = await waitSettled(fleet, live, shards, quietMs, 120_000);
    const stopped = busiest(owners);
    const stoppedShards = [...owners.get(stopped)!];
    const termAt = Date.now();
    void fleet.kill(stopped, 'SIGTERM');
    live.delete(stopped);
    const stops = await handovers(fleet, stopped, stoppedShards, termAt, failoverMs + 60_000);
    const stoppedEvent = await fleet.waitFor(
      (e) => e.t === 'stopped' && e.worker === stopped,
      60_000,
      `${stopped} stopped`,
    );
    results.stops.push(...stops.map((h) => ({ ...h, stoppedMs: stoppedEvent.at - termAt })));

    // 3. Split a shard of the last worker while records flow.
    if (withSplit) {
      await waitSettled(fleet, live, shards, quietMs, 120_000);
      const parent = shards[0]!;
      const splitAt = Date.now();
      const children = await splitShardAndWait(streamName, parent);
      const ended = await fleet.waitFor(
        after(splitAt, (e) => e.t === 'shardEndCheckpointed' && e.shardId === parent),
        60_000,
        `${parent} SHARD_END checkpoint`,
      );
      for (const child of children) {
        const first = await fleet.waitFor(
          (e) => e.t === 'batch' && e.shardId === child,
          60_000,
          `first processRecords of ${child}`,
        );
        results.splits.push({
          parent,
          child,
          parentEndMs: ended.at - splitAt,
          firstBatchMs: first.at - ended.at,
        });
      }
    }
  } catch (error) {
    // What the workers reported, so a missed handover can be diagnosed from the output.
    const t0 = fleet.events[0]?.at ?? 0;
    note(`flow: ${flow.written} records written, ${flow.failures} failed`);
    for (const e of fleet.events) {
      if (e.t === 'record') continue;
      const { t, worker, at, ...rest } = e;
      note(`  +${at - t0} ms ${worker} ${t} ${JSON.stringify(rest)}`);
    }
    throw error;
  } finally {
    await flow.stop();
    await fleet.stopAll();
    await deleteStream(streamName).catch(() => undefined);
    await deleteTable(applicationName).catch(() => undefined);
  }
}

function busiest(owners: ReadonlyMap<string, ReadonlySet<string>>): string {
  let best: string | undefined;
  for (const [worker, leases] of owners) {
    if (best === undefined || leases.size > owners.get(best)!.size) best = worker;
  }
  return best!;
}

export async function runFleetBench(config: BenchConfig, failoverMs: number): Promise<void> {
  section(
    `Worker processes: SIGKILL, SIGTERM, split (failoverTimeMs ${failoverMs.toLocaleString('en-US')})`,
  );
  const results: FleetResults = { kills: [], stops: [], splits: [] };
  // The split does not depend on the failover time: quick runs split only in the short fleet.
  const withSplit = failoverMs < 10_000 || config.full;
  const liveSplitOnly = process.env.BENCH_FLEET_LIVE_SPLIT_ONLY === '1';
  const liveSplits: LiveSplitChild[] = [];
  for (let i = 0; i < config.fleetRepeats; i++) {
    if (!liveSplitOnly) await scenario(failoverMs, withSplit, results);
    // The taker interval (and so a child's wait for another worker's scan) grows with the
    // failover time: this one runs in both fleets; it takes well under a minute.
    await liveSplitScenario(failoverMs, liveSplits);
  }
  if (liveSplitOnly) {
    reportLiveSplits(failoverMs, liveSplits);
    return;
  }
  const killTarget = failoverMs + 2000;
  const base = fleetBaselines(failoverMs);
  note(`SIGKILL (target ≤ failoverTimeMs + 2 s = ${ms(killTarget)}):`);
  table(
    results.kills.map((h) => ({
      shard: h.shardId,
      'from → to': `${h.from} → ${h.to}`,
      'lease taken after kill': ms(h.leaseTakenMs),
      'first record after kill': ms(h.firstRecordMs),
      verdict: h.firstRecordMs <= killTarget ? 'met' : 'MISSED',
    })),
  );
  note(base.kill.text);
  const worstKill = Math.max(...results.kills.map((h) => h.firstRecordMs));
  addSummary({
    figure: `SIGKILL → shards processed elsewhere (failover ${ms(failoverMs)}, worst of ${results.kills.length})`,
    measured: ms(worstKill),
    target: `≤ ${ms(killTarget)}`,
    baseline: base.kill.summary,
    verdict: worstKill <= killTarget ? 'met' : 'MISSED',
  });
  note('SIGTERM, graceful stop (target < 2 000 ms):');
  table(
    results.stops.map((h) => ({
      shard: h.shardId,
      'from → to': `${h.from} → ${h.to}`,
      'worker stopped after': ms(h.stoppedMs),
      'lease taken after signal': ms(h.leaseTakenMs),
      'first record after signal': ms(h.firstRecordMs),
      verdict: h.firstRecordMs < 2000 ? 'met' : 'MISSED',
    })),
  );
  note(base.stop.text);
  const worstStop = Math.max(...results.stops.map((h) => h.firstRecordMs));
  addSummary({
    figure: `SIGTERM → shards processed elsewhere (failover ${ms(failoverMs)}, worst of ${results.stops.length})`,
    measured: ms(worstStop),
    target: '< 2,000 ms',
    baseline: base.stop.summary,
    verdict: worstStop < 2000 ? 'met' : 'MISSED',
  });
  if (results.splits.length > 0) {
    note('Split: parent SHARD_END checkpoint → child first processRecords (target < 1 000 ms):');
    table(
      results.splits.map((s) => ({
        parent: s.parent,
        child: s.child,
        'split call → parent SHARD_END': ms(s.parentEndMs),
        'SHARD_END → child first batch': ms(s.firstBatchMs),
        verdict: s.firstBatchMs < 1000 ? 'met' : 'MISSED',
      })),
    );
    note(base.child.text);
    const worstChild = Math.max(...results.splits.map((s) => s.firstBatchMs));
    addSummary({
      figure: `Parent SHARD_END → child first processRecords (worst of ${results.splits.length})`,
      measured: ms(worstChild),
      target: '< 1,000 ms',
      baseline: base.child.summary,
      verdict: worstChild < 1000 ? 'met' : 'MISSED',
    });
  }
  reportLiveSplits(failoverMs, liveSplits);
}
