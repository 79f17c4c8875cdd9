/**
 * The KCL 2.x lease taker (DynamoDBLeaseTaker, kcl.md §3.2) as a pure function: given a scan of
 * the lease table and what this worker observed before, decide which leases to take and which to
 * steal. Expiry is observed, not stored: a lease is expired when its `leaseCounter` has not changed
 * for `failoverTimeMs` on this worker's monotonic clock, exactly like the Java KCL, so Java and
 * TypeScript workers agree on what is available.
 *
 * Timing (the coordinator's job; see README.lease.md): renew every failoverTimeMs/3; run the taker
 * every `takerIntervalMs(failoverTimeMs)` and additionally at `plan.nextExpiryAtMs`, so a dead
 * worker's leases are taken within failoverTimeMs + one taker interval + one round trip.
 */
import type { Lease } from '../ports.js';

/** What this worker last saw of one lease. @public */
export interface LeaseObservation {
  readonly leaseCounter: number;
  /**
   * Monotonic ms when this counter value was first seen; `null` for a lease first seen unowned,
   * which the KCL treats as infinitely old (expired and "very old").
   */
  readonly counterSinceMs: number | null;
  /** The owner in the scan that produced this observation. */
  readonly leaseOwner?: string | undefined;
  /**
   * Monotonic ms when this worker saw the lease change owner; `null` when the owner has not
   * changed since the lease was first seen (its tenure is unknown, so it counts as settled).
   */
  readonly ownerSinceMs?: number | null;
  /**
   * The lease appeared in the table already owned, after this worker's first scan, and has kept
   * that owner since: a child its parent's owner claimed at shard end, which that owner hands
   * over by itself if it is beyond its target.
   */
  readonly appearedOwned?: boolean;
}

/** Lease key → observation. Replace it with `plan.observations` after every run. @public */
export type ObservationTable = ReadonlyMap<string, LeaseObservation>;

/** @public */
export interface TakerConfig {
  /** A counter unchanged for this long means the holder is gone. */
  readonly failoverTimeMs: number;
  /** Never hold more than this (excess shows as `spillover`). @defaultValue Infinity */
  readonly maxLeasesForWorker: number;
  /** Steal at most this many per run. @defaultValue 1 */
  readonly maxLeasesToStealAtOneTime: number;
  /**
   * Take "very old" leases (unowned when first seen, or unchanged for 3 × failover) before other
   * available ones, as KCL ≥ 2.6 does. Unlike the KCL, never beyond the balance target while
   * other workers are live: the KCL's taker grabs every new child lease at once and another
   * worker steals one back seconds later, and both process that shard until the first notices
   * (duplicates for no gain). A lone worker still takes them all. @defaultValue true
   */
  readonly enablePriorityLeaseAssignment: boolean;
}

/** The KCL's defaults. @public */
export const TAKER_DEFAULTS: Omit<TakerConfig, 'failoverTimeMs'> = {
  maxLeasesForWorker: Number.POSITIVE_INFINITY,
  maxLeasesToStealAtOneTime: 1,
  enablePriorityLeaseAssignment: true,
};

/** The KCL's "very old" multiplier (`veryOldLeaseDurationNanosMultiplier`). */
const VERY_OLD_MULTIPLIER = 3;
/** The KCL treats an observation older than a year as expired whatever the counter says. */
const MAX_AGE_MS = 365 * 24 * 3600 * 1000;

/** @public */
export interface TakerInput {
  readonly leases: readonly Lease[];
  readonly observations: ObservationTable;
  readonly workerId: string;
  /** Monotonic ms of the scan. */
  readonly nowMs: number;
  readonly config: TakerConfig;
  /** [0, 1) */
  readonly random: () => number;
}

/** @public */
export interface TakerPlan {
  /** Unowned or expired leases to take (conditional on the counter in the lease). */
  readonly take: readonly Lease[];
  /** Leases held by a live worker to steal (same call; they count as owner switches). */
  readonly steal: readonly Lease[];
  readonly observations: Map<string, LeaseObservation>;
  /** The earliest monotonic time a lease held by another worker would expire, if unchanged. */
  readonly nextExpiryAtMs: number | undefined;
  /**
   * How many leases this worker holds beyond its target that live workers below theirs are
   * waiting for (after the available leases): what it may hand over gracefully instead of
   * having them stolen. Only leases claimed beyond the target are handed over (the coordinator
   * decides which); 0 in the KCL's balance.
   */
  readonly surplus: number;
  readonly stats: TakerStats;
}

/** The KCL's TakeLeases metrics. @public */
export interface TakerStats {
  readonly totalLeases: number;
  readonly numWorkers: number;
  readonly target: number;
  readonly myLeases: number;
  readonly expiredLeases: number;
  readonly unownedLeases: number;
  readonly veryOldLeases: number;
  readonly spillover: number;
  readonly needed: number;
}

/** Updates observations from a scan (KCL `updateAllLeases`). @public */
export function observe(
  leases: readonly Lease[],
  previous: ObservationTable,
  nowMs: number,
): Map<string, LeaseObservation> {
  const next = new Map<string, LeaseObservation>();
  for (const lease of leases) {
    const seen = previous.get(lease.leaseKey);
    const owner = lease.leaseOwner;
    // A lease first seen in this scan, when there was an earlier one, is new in the table: if it
    // already has an owner, that owner only just took it (a child claimed at its parent's end),
    // so it counts as an owner change now. In a worker's first scan nothing is known.
    const ownerSinceMs =
      seen === undefined
        ? previous.size > 0 && owner !== undefined
          ? nowMs
          : null
        : seen.leaseOwner === owner
          ? (seen.ownerSinceMs ?? null)
          : nowMs;
    let counterSinceMs: number | null;
    if (seen !== undefined && seen.leaseCounter === lease.leaseCounter) {
      counterSinceMs = seen.counterSinceMs;
    } else if (seen === undefined && owner === undefined) {
      counterSinceMs = null;
    } else {
      counterSinceMs = nowMs;
    }
    const appearedOwned =
      seen === undefined
        ? previous.size > 0 && owner !== undefined
        : seen.appearedOwned === true && seen.leaseOwner === owner;
    next.set(lease.leaseKey, {
      leaseCounter: lease.leaseCounter,
      counterSinceMs,
      leaseOwner: owner,
      ownerSinceMs,
      ...(appearedOwned && { appearedOwned }),
    });
  }
  return next;
}

/** True when `obs` says the holder stopped renewing. @public */
export function isExpired(
  obs: LeaseObservation | undefined,
  nowMs: number,
  failoverTimeMs: number,
): boolean {
  if (obs === undefined || obs.counterSinceMs === null) return true;
  const age = nowMs - obs.counterSinceMs;
  return age > failoverTimeMs || Math.abs(age) > MAX_AGE_MS;
}

/** Plans one taker run. Pure: same input, same plan. @public */
export function planLeaseTaking(input: TakerInput): TakerPlan {
  const { leases, workerId, nowMs, config, random } = input;
  const observations = observe(leases, input.observations, nowMs);
  const available: Lease[] = [];
  const veryOld: Lease[] = [];
  /** Available leases of finished shards: taken by whoever sees them, only to be cleaned up. */
  const finished: Lease[] = [];
  const counts = new Map<string, number>([[workerId, 0]]);
  const held = new Map<string, Lease[]>();
  let expired = 0;
  let unowned = 0;
  let ended = 0;
  let nextExpiryAtMs: number | undefined;
  for (const lease of leases) {
    const obs = observations.get(lease.leaseKey);
    const isUnowned = lease.leaseOwner === undefined;
    // Unlike the KCL, a lease at SHARD_END does not count in the balance: it needs no reading,
    // only cleanup once its children start. Counted, it makes the owner of a parent that just
    // ended look full, so a child goes to it beyond the target and is stolen back seconds later.
    const isEnded = lease.checkpoint.isShardEnd;
    if (isEnded) ended++;
    if (isUnowned || isExpired(obs, nowMs, config.failoverTimeMs)) {
      if (isUnowned) unowned++;
      else expired++;
      if (isEnded) {
        finished.push(lease);
        continue;
      }
      available.push(lease);
      if (isVeryOld(obs, nowMs, config.failoverTimeMs)) veryOld.push(lease);
      continue;
    }
    const owner = lease.leaseOwner;
    counts.set(owner, (counts.get(owner) ?? 0) + (isEnded ? 0 : 1));
    if (!isEnded) {
      // One list per owner, appended in place: copying it per lease made a scan quadratic in
      // the leases a worker holds (the 10 000-lease fleet bench scans every 1.5 s).
      const list = held.get(owner);
      if (list === undefined) held.set(owner, [lease]);
      else list.push(lease);
    }
    if (owner !== workerId && obs?.counterSinceMs != null) {
      const at = obs.counterSinceMs + config.failoverTimeMs + 1;
      nextExpiryAtMs = nextExpiryAtMs === undefined ? at : Math.min(nextExpiryAtMs, at);
    }
  }
  const numWorkers = counts.size;
  const total = leases.length - ended;
  let target = numWorkers >= total ? 1 : Math.ceil(total / numWorkers);
  const spillover = Math.max(0, target - config.maxLeasesForWorker);
  target = Math.min(target, config.maxLeasesForWorker);
  const myLeases = counts.get(workerId) ?? 0;
  const needed = target - myLeases;
  const stats: TakerStats = {
    totalLeases: leases.length,
    numWorkers,
    target,
    myLeases,
    expiredLeases: expired,
    unownedLeases: unowned,
    veryOldLeases: veryOld.length,
    spillover,
    needed,
  };
  let deficit = 0;
  for (const [owner, count] of counts) {
    if (owner !== workerId) deficit += Math.max(0, target - count);
  }
  const surplus = Math.max(0, Math.min(myLeases - target, deficit - available.length));
  const plan = (take: Lease[], steal: Lease[]): TakerPlan => ({
    take: [...finished, ...take],
    steal,
    observations,
    nextExpiryAtMs,
    surplus,
    stats,
  });

  if (config.enablePriorityLeaseAssignment && veryOld.length > 0) {
    const room = Math.max(0, config.maxLeasesForWorker - myLeases);
    // Alone (no other live owner), the target is every lease anyway; with peers, stay at the
    // target so nobody has to steal the surplus back (see TakerConfig).
    const alone = numWorkers === 1;
    const count = alone ? room : Math.min(room, Math.max(0, needed));
    const veryOldKeys = new Set(veryOld.map((l) => l.leaseKey));
    const rest = available.filter((l) => !veryOldKeys.has(l.leaseKey));
    const take = [...shuffle(veryOld, random), ...shuffle(rest, random)].slice(0, count);
    return plan(take, []);
  }
  if (needed <= 0) return plan([], []);
  if (available.length > 0) return plan(shuffle(available, random).slice(0, needed), []);
  const settled = (l: Lease): boolean => {
    const since = observations.get(l.leaseKey)?.ownerSinceMs ?? null;
    return since === null || nowMs - since >= config.failoverTimeMs;
  };
  const claimedAtEnd = (l: Lease): boolean => observations.get(l.leaseKey)?.appearedOwned === true;
  return plan(
    [],
    chooseLeasesToSteal(counts, held, workerId, target, needed, config, random, {
      settled,
      claimedAtEnd,
    }),
  );
}

/** What the taker knows of how long the victim has held its leases. */
interface LeaseTenure {
  /** Held by its current owner for at least a failover time (or since before we looked). */
  readonly settled: (lease: Lease) => boolean;
  /** Appeared in the table already owned (see LeaseObservation.appearedOwned). */
  readonly claimedAtEnd: (lease: Lease) => boolean;
}

/**
 * KCL `chooseLeasesToSteal`: from the single most loaded worker, at most
 * maxLeasesToStealAtOneTime, and only leases `settled` with their current owner.
 */
function chooseLeasesToSteal(
  counts: ReadonlyMap<string, number>,
  held: ReadonlyMap<string, Lease[]>,
  workerId: string,
  target: number,
  needed: number,
  config: TakerConfig,
  random: () => number,
  { settled, claimedAtEnd }: LeaseTenure,
): Lease[] {
  let victim: string | undefined;
  let most = 0;
  // Ties go to the smallest worker id so the choice is deterministic for a given scan.
  for (const [owner, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (owner !== workerId && count > most) {
      most = count;
      victim = owner;
    }
  }
  if (victim === undefined) return [];
  let n = Math.min(needed, most - target);
  // The KCL steals one anyway when it needs more than one and the victim sits exactly at target,
  // which is how ceil(leases/workers) rounding gets resolved.
  if (n <= 0 && needed > 1) n = 1;
  n = Math.min(n, config.maxLeasesToStealAtOneTime);
  if (n <= 0) return [];
  // When the victim is above its target only by leases it has just taken (children it claimed at
  // its parent's end), it hands them over gracefully at its next scan (`surplus`): stealing now,
  // even one of its older leases, would be a second, ungraceful move. Wait; if it does not hand
  // them over, they settle after a failover time and are stolen then.
  const victimLeases = held.get(victim) ?? [];
  let claimed = 0;
  for (const lease of victimLeases) if (!settled(lease) && claimedAtEnd(lease)) claimed++;
  if (claimed > 0 && most - target <= claimed) return [];
  // A lease that changed owner less than a failover time ago is not stolen: its new owner has
  // only just started on it, and stealing it now means both process it until the owner's next
  // renewal fails. Another of the victim's leases is taken instead, or this one later.
  return shuffle(victimLeases.filter(settled), random).slice(0, n);
}

function isVeryOld(
  obs: LeaseObservation | undefined,
  nowMs: number,
  failoverTimeMs: number,
): boolean {
  if (obs === undefined || obs.counterSinceMs === null) return true;
  return nowMs - obs.counterSinceMs > VERY_OLD_MULTIPLIER * failoverTimeMs;
}

/** Fisher–Yates with the injected random source; returns a new array. */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** One lease this worker holds, and when it last renewed it successfully (monotonic ms). @public */
export interface HeldLease {
  readonly lease: Lease;
  readonly lastRenewedAtMs: number;
}

/**
 * Which held leases to renew and which are already lost: a lease not renewed within
 * failoverTimeMs may have been taken by someone else, so the KCL stops renewing it (no zombie
 * renewals) and its processor must stop. @public
 */
export function planRenewals(
  held: readonly HeldLease[],
  nowMs: number,
  failoverTimeMs: number,
): { renew: Lease[]; lost: Lease[] } {
  const renew: Lease[] = [];
  const lost: Lease[] = [];
  for (const h of held) {
    (nowMs - h.lastRenewedAtMs > failoverTimeMs ? lost : renew).push(h.lease);
  }
  return { renew, lost };
}

/**
 * The coordinator's default intervals for a failover time (the consumer's option defaults). The
 * renewer matches the KCL (so Java observers never see our leases expire); the taker runs far
 * more often than the KCL's 2 × (failover + 25 ms), which bounds failover at failover + taker +
 * one call. @public
 */
export function leaseTimings(failoverTimeMs: number): {
  renewIntervalMs: number;
  takerIntervalMs: number;
} {
  return {
    renewIntervalMs: Math.max(1, Math.floor(failoverTimeMs / 3) - 25),
    takerIntervalMs: Math.min(1500, Math.max(200, Math.floor(failoverTimeMs / 6))),
  };
}
