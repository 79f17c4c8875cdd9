/**
 * May this worker join the lease table? Our workers run the KCL 2.x protocol (every worker takes
 * leases itself). A Java KCL 3.x fleet instead has a leader assign leases and workers never take
 * them (kcl.md §2): joining a live 3.x fleet would have our taker and their leader fight over every
 * lease. The `Migration3.0` item tells which protocol the Java fleet speaks (kcl.md §2.1); worker
 * heartbeats (`WorkerMetricStats.lut`, live for 60 s) and lease counters that still move tell
 * whether that fleet is running. A table left by stopped 3.x workers is taken over.
 */
import type { ClientVersionState, WorkerHeartbeat } from '../ports.js';

/** Client versions whose workers run the 2.x taker. */
const TWO_X_VERSIONS = new Set(['CLIENT_VERSION_2X', 'CLIENT_VERSION_INIT']);
const UPGRADING = 'CLIENT_VERSION_UPGRADE_FROM_2X';
/** The KCL 3.x leader treats a worker as active for 2 × 30 s after its last report. */
const HEARTBEAT_TTL_MS = 60_000;

/** @public */
export interface FleetModeInput {
  readonly clientVersion: ClientVersionState | undefined;
  readonly heartbeats: readonly WorkerHeartbeat[];
  /** Wall-clock ms (heartbeats are epoch seconds). */
  readonly nowEpochMs: number;
  readonly workerId: string;
  /**
   * Owners (other than this worker) whose lease counters changed between two scans at least
   * failoverTimeMs apart; undefined when not observed yet.
   */
  readonly activeLeaseOwners?: readonly string[];
}

/** @public */
export type FleetModeDecision =
  | { readonly decision: 'join'; readonly warning?: string }
  /** Scan twice, failoverTimeMs apart, and decide again with `activeLeaseOwners`. */
  | { readonly decision: 'observe'; readonly reason: string }
  | {
      readonly decision: 'refuse';
      readonly message: string;
      readonly liveWorkers: readonly string[];
    };

/** Decides whether to join; see the module comment. @public */
export function decideFleetMode(input: FleetModeInput): FleetModeDecision {
  const cv = input.clientVersion?.clientVersion;
  // The KCL's own KclMigrationTool.py writes `CLIENT_VERSION_2x` (lower-case x): compare loosely.
  const version = cv?.toUpperCase();
  if (version === undefined || TWO_X_VERSIONS.has(version)) return { decision: 'join' };
  if (version === UPGRADING) {
    return {
      decision: 'join',
      warning:
        'the Java KCL fleet on this lease table is migrating to 3.x (CLIENT_VERSION_UPGRADE_FROM_2X); ' +
        'it keeps the 2.x protocol while our workers hold leases, because they publish no worker metrics. ' +
        'Pin the Java workers to CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X to run a mixed fleet.',
    };
  }
  const live = new Set(
    input.heartbeats
      .filter(
        (h) =>
          h.workerId !== input.workerId &&
          input.nowEpochMs - h.lastUpdateEpochSeconds * 1000 <= HEARTBEAT_TTL_MS,
      )
      .map((h) => h.workerId),
  );
  for (const owner of input.activeLeaseOwners ?? []) {
    if (owner !== input.workerId) live.add(owner);
  }
  if (live.size > 0) {
    const liveWorkers = [...live].sort();
    return {
      decision: 'refuse',
      liveWorkers,
      message:
        `this lease table belongs to a running Java KCL 3.x fleet (Migration3.0 = ${cv}, live workers: ` +
        `${liveWorkers.slice(0, 5).join(', ')}${liveWorkers.length > 5 ? ', …' : ''}), which assigns leases ` +
        'from a leader; kinesis-kit workers take leases themselves (the KCL 2.x protocol) and would fight it. ' +
        'To migrate, either stop the Java fleet (kinesis-kit then takes the table over from its checkpoints)' +
        (version === 'CLIENT_VERSION_3X'
          ? ' — a fleet at CLIENT_VERSION_3X can no longer be rolled back to 2.x mode.'
          : ', or roll it back to 2.x mode (KclMigrationTool.py --mode rollback) and run the Java workers ' +
            'with CoordinatorConfig.clientVersionConfig = CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X.'),
    };
  }
  if (input.activeLeaseOwners === undefined) {
    return {
      decision: 'observe',
      reason: `Migration3.0 = ${cv} and no live worker heartbeat; checking whether lease counters still move`,
    };
  }
  return {
    decision: 'join',
    warning:
      `taking over a lease table left by stopped Java KCL 3.x workers (Migration3.0 = ${cv}); ` +
      'do not restart them in 3.x mode while kinesis-kit workers run.',
  };
}

/**
 * Owners whose lease counters moved between two scans (the second at least failoverTimeMs after
 * the first): a live fleet renews every failover/3. @public
 */
export function activeOwners(
  first: readonly { leaseKey: string; leaseCounter: number; leaseOwner?: string }[],
  second: readonly { leaseKey: string; leaseCounter: number; leaseOwner?: string }[],
): string[] {
  const before = new Map(first.map((l) => [l.leaseKey, l.leaseCounter]));
  const owners = new Set<string>();
  for (const l of second) {
    const was = before.get(l.leaseKey);
    if (l.leaseOwner !== undefined && was !== undefined && was !== l.leaseCounter)
      owners.add(l.leaseOwner);
  }
  return [...owners].sort();
}
