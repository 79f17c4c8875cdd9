/**
 * The lease coordinator's metrics, under the Java KCL's names and `Operation` dimensions
 * (kcl.md §7.2): `RenewAllLeases` for what the renewer sees, `TakeLeases` for each taker run. One
 * place, so a dashboard built for a Java fleet reads ours unchanged.
 */
import type { MetricsSink } from '@kinesis-kit/common';
import type { TakerStats } from '../core/leasePlanner.js';

/** Metric names the lease coordinator records. @public */
export const LEASE_METRICS = {
  /** Leases held after a renewer run (`RenewAllLeases`). */
  currentLeases: 'CurrentLeases',
  /** A held lease lost: renewal or checkpoint conflict, or not renewed within the failover time. */
  lostLeases: 'LostLeases',
  /** Per taker run (`TakeLeases`): leases taken (including stolen ones). */
  takenLeases: 'TakenLeases',
  /** Leases the taker tried to take but lost the conditional write for (another worker won). */
  untakenLeases: 'UntakenLeases',
  /** Leases of other workers whose counter has not moved for the failover time. */
  expiredLeases: 'ExpiredLeases',
  /** Leases the target would give this worker beyond `maxLeasesForWorker`. */
  leaseSpillover: 'LeaseSpillover',
  /** Workers seen in the scan (owners of live leases, plus this one). */
  numWorkers: 'NumWorkers',
  /** Leases never seen to move for 3 × failover (or first seen unowned). */
  veryOldLeases: 'VeryOldLeases',
  /** `target − held`, at least 0. */
  neededLeases: 'NeededLeases',
  /** Leases the plan chose to take or steal this run. */
  leasesToTake: 'LeasesToTake',
  /** Lease items in the scan. */
  totalLeases: 'TotalLeases',
} as const;

/** @internal */
export class LeaseMetrics {
  constructor(
    private readonly sink: MetricsSink,
    private readonly dimensions: Readonly<Record<string, string>> = {},
  ) {}

  current(held: number): void {
    this.record('RenewAllLeases', LEASE_METRICS.currentLeases, held);
  }

  lost(): void {
    this.record('RenewAllLeases', LEASE_METRICS.lostLeases, 1);
  }

  /** One taker run: the planner's statistics and what came of the takes. */
  takerRun(
    stats: TakerStats,
    run: { readonly chosen: number; readonly attempted: number; readonly taken: number },
  ): void {
    const t = (name: string, value: number): void => this.record('TakeLeases', name, value);
    t(LEASE_METRICS.takenLeases, run.taken);
    t(LEASE_METRICS.untakenLeases, run.attempted - run.taken);
    t(LEASE_METRICS.expiredLeases, stats.expiredLeases);
    t(LEASE_METRICS.leaseSpillover, stats.spillover);
    t(LEASE_METRICS.numWorkers, stats.numWorkers);
    t(LEASE_METRICS.veryOldLeases, stats.veryOldLeases);
    t(LEASE_METRICS.neededLeases, Math.max(0, stats.needed));
    t(LEASE_METRICS.leasesToTake, run.chosen);
    t(LEASE_METRICS.totalLeases, stats.totalLeases);
  }

  private record(operation: string, name: string, value: number): void {
    this.sink.record({
      name,
      value,
      unit: 'Count',
      dimensions: { Operation: operation, ...this.dimensions },
    });
  }
}
