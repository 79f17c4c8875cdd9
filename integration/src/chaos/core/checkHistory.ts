/**
 * The history checker: runs every rule over a chaos run's history and returns the figures and
 * the violations. Pure, so each rule is unit-tested with a synthetic history that breaks it.
 */
import { checkDeliveries } from './deliveryChecks.js';
import type { DeliveryFigures } from './deliveryChecks.js';
import type { ChaosHistory } from './history.js';
import { checkLeases } from './leaseChecks.js';
import type { LeaseFigures } from './leaseChecks.js';
import { ViolationLog } from './violations.js';
import type { RuleViolations } from './violations.js';

/** The checker's verdict. @public */
export interface ChaosReport {
  readonly records: DeliveryFigures;
  readonly leases: LeaseFigures;
  readonly producerFailures: number;
  readonly shards: number;
  readonly failoverTimeMs: number;
  /** Every rule with its violation count (0 when kept). */
  readonly rules: readonly RuleViolations[];
  /** True when no rule was violated. */
  readonly ok: boolean;
}

/**
 * Checks a history.
 * @public
 * @example
 * const report = checkHistory(history);
 * for (const line of formatChaosReport(report)) console.log(line);
 * process.exitCode = report.ok ? 0 : 1;
 */
export function checkHistory(history: ChaosHistory): ChaosReport {
  const log = new ViolationLog();
  const records = checkDeliveries(history, log);
  const leases = checkLeases(history, log);
  const rules = log.list();
  return {
    records,
    leases,
    producerFailures: history.producerFailures,
    shards: history.shards.length,
    failoverTimeMs: history.failoverTimeMs,
    rules,
    ok: rules.every((r) => r.count === 0),
  };
}

/**
 * The report as printable lines: figures first, then one line per rule (with samples of what
 * broke it).
 * @public
 */
export function formatChaosReport(report: ChaosReport): string[] {
  const r = report.records;
  const l = report.leases;
  const pct = (n: number): string => (r.acked === 0 ? '0' : ((100 * n) / r.acked).toFixed(2));
  const causes = Object.entries(r.duplicatesByCause)
    .sort((a, b) => b[1] - a[1])
    .map(([cause, n]) => `${cause}: ${String(n)}`)
    .join(', ');
  const lines = [
    `acknowledged records:      ${String(r.acked)} (${String(r.partitionKeys)} keys, ${String(report.producerFailures)} puts rejected)`,
    `deliveries:                ${String(r.deliveries)} (${String(r.uniqueDelivered)} distinct positions)`,
    `lost:                      ${String(r.lost)}`,
    `duplicates:                ${String(r.duplicates)} (${pct(r.duplicates)}% of acked)${causes === '' ? '' : ` by cause: ${causes}`}`,
    `unacknowledged positions:  ${String(r.unacknowledgedPositions)} (${String(r.producerRetryCopies)} copies left by producer retries)`,
    `shards (incl. closed):     ${String(report.shards)}`,
    `checkpoints written:       ${String(l.checkpointWrites)}; lease samples ${String(l.leaseSamples)}; takes ${String(l.leaseTakes)} (${String(l.steals)} steals, ${String(l.quickSteals)} within a failover time of the previous take); losses noticed ${String(l.leaseLosses)}`,
    `max processing overlap:    ${String(l.maxOverlapMs)} ms${l.maxOverlapWhere === undefined ? '' : ` (${l.maxOverlapWhere})`}; allowed ${String(report.failoverTimeMs)} ms`,
  ];
  for (const p of l.pauses) {
    lines.push(
      `paused worker ${p.instance}:   ${String(p.pausedMs)} ms; held ${String(p.leasesHeld)} leases, after SIGCONT noticed ${String(p.leasesLostAfterResume)} lost` +
        `${p.noticedAfterMs === undefined ? '' : ` (first noticed after ${String(p.noticedAfterMs)} ms)`}, ` +
        `${String(p.deliveriesOnTakenShards)} records and ${String(p.checkpointsOnTakenShards)} checkpoints on shards taken meanwhile`,
    );
  }
  for (const rule of report.rules) {
    lines.push(
      `${rule.count === 0 ? 'ok  ' : 'FAIL'} ${rule.rule}: ${String(rule.count)} violations`,
    );
    for (const sample of rule.samples) lines.push(`       ${sample}`);
  }
  lines.push(report.ok ? 'VERIFIED: every rule kept' : 'FAILED');
  return lines;
}
