/**
 * What the Java KCL 2.x does at the same settings, from its algorithm (kcl.md §3, §4), for the
 * baselines the benchmarks print. Pure: time and randomness are parameters.
 *
 * Failover: the renewer bumps `leaseCounter` every failover/3 − 25 ms; every worker's taker scans
 * every 2 × (failover + 25) ms (fixed delay) and stamps a lease with its scan time whenever the
 * counter changed since its previous scan. A lease is taken at the first scan that finds it
 * unchanged for more than failoverTimeMs; since the scan interval exceeds the failover time, that
 * is the scan after the first scan following the dead worker's last renewal. The 2.x KCL never
 * releases leases on shutdown (kcl.md §1 row 10), so a graceful stop hands over just as slowly.
 * The new owner's scheduler creates the shard consumer at its next dispatch loop (1 s).
 */

/** The KCL's derived intervals (kcl.md §3.1). */
export interface KclTimings {
  readonly renewIntervalMs: number;
  readonly takerIntervalMs: number;
  readonly dispatchIntervalMs: number;
}

const EPSILON_MS = 25;

export function kclTimings(failoverTimeMs: number): KclTimings {
  return {
    renewIntervalMs: failoverTimeMs / 3 - EPSILON_MS,
    takerIntervalMs: 2 * (failoverTimeMs + EPSILON_MS),
    dispatchIntervalMs: 1000,
  };
}

/** Distribution summary of a simulated delay, in ms. */
export interface DelayStats {
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

function stats(samples: number[]): DelayStats {
  samples.sort((a, b) => a - b);
  const at = (q: number): number =>
    samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return {
    min: samples[0]!,
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    p50: at(0.5),
    p95: at(0.95),
    max: samples[samples.length - 1]!,
  };
}

/**
 * Time from a worker's death (or a 2.x graceful shutdown) to a survivor's shard consumer for one
 * of its leases, with `survivors` workers scanning at independent phases.
 */
export function kclFailoverDelay(
  failoverTimeMs: number,
  survivors: number,
  random: () => number,
  samples = 100_000,
): DelayStats {
  const t = kclTimings(failoverTimeMs);
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    // The dead worker's last renewal happened up to one renew interval before the kill (at 0).
    const lastRenewal = -random() * t.renewIntervalMs;
    let takenAt = Number.POSITIVE_INFINITY;
    for (let s = 0; s < survivors; s++) {
      // This survivor's first scan after the last renewal sees the new counter and stamps it;
      // the next scan (one interval later, > failover) finds it expired and takes it.
      const firstScanAfter = lastRenewal + random() * t.takerIntervalMs;
      takenAt = Math.min(takenAt, firstScanAfter + t.takerIntervalMs);
    }
    out.push(takenAt + random() * t.dispatchIntervalMs);
  }
  return stats(out);
}

/**
 * Time from a parent's SHARD_END checkpoint to its child's shard consumer: the child lease is
 * created unowned and taken at some worker's next taker run, then dispatched (the parent is
 * already at SHARD_END, so BlockOnParentShardTask does not wait its 10 s poll).
 */
export function kclChildStartDelay(
  failoverTimeMs: number,
  workers: number,
  random: () => number,
  samples = 100_000,
): DelayStats {
  const t = kclTimings(failoverTimeMs);
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    let takenAt = Number.POSITIVE_INFINITY;
    for (let w = 0; w < workers; w++) takenAt = Math.min(takenAt, random() * t.takerIntervalMs);
    out.push(takenAt + random() * t.dispatchIntervalMs);
  }
  return stats(out);
}

/** DynamoDB calls per hour of a KCL 2.x fleet in steady state (no checkpoints, no resharding). */
export interface KclCallRates {
  /** Conditional UpdateItem per lease per hour (renewals). */
  readonly renewalsPerLeaseHour: number;
  /** Scan calls per worker per hour (taker; one page per scan at these table sizes). */
  readonly scansPerWorkerHour: number;
  /** Leader's periodic shard-sync audit scans per fleet per hour (every 120 s). */
  readonly auditScansPerFleetHour: number;
}

const HOUR_MS = 3_600_000;

export function kclCallRates(failoverTimeMs: number): KclCallRates {
  const t = kclTimings(failoverTimeMs);
  return {
    renewalsPerLeaseHour: HOUR_MS / t.renewIntervalMs,
    scansPerWorkerHour: HOUR_MS / t.takerIntervalMs,
    auditScansPerFleetHour: HOUR_MS / 120_000,
  };
}

/** Calls per lease per hour for a fleet of `workers` workers sharing `leases` leases. */
export function kclCallsPerLeaseHour(
  failoverTimeMs: number,
  workers: number,
  leases: number,
): number {
  const r = kclCallRates(failoverTimeMs);
  return (
    r.renewalsPerLeaseHour + (r.scansPerWorkerHour * workers + r.auditScansPerFleetHour) / leases
  );
}
