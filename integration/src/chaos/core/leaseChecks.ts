/**
 * The checks over leases: checkpoints never move backwards (in the processors' log and in the
 * sampled lease table), nobody checkpoints after another worker took the lease, and no two
 * worker instances process one shard at the same time for longer than the failover time.
 */
import type { ChaosHistory, Delivery } from './history.js';
import { comparePositions, formatPosition } from './positions.js';
import type { ViolationLog } from './violations.js';

/** Figures of the lease checks. @public */
export interface LeaseFigures {
  readonly checkpointWrites: number;
  readonly leaseSamples: number;
  readonly leaseTakes: number;
  readonly leaseLosses: number;
  /** Takes from a live owner (balancing). */
  readonly steals: number;
  /** Of those, steals of a lease its owner had taken less than a failover time before. */
  readonly quickSteals: number;
  /** Longest time two instances both delivered records of one shard (ms). */
  readonly maxOverlapMs: number;
  /** Where that was, e.g. `shardId-000000000001: w1#1 and w2#1`. */
  readonly maxOverlapWhere: string | undefined;
  /** Per paused instance: what it did after SIGCONT. */
  readonly pauses: readonly PauseFigures[];
}

/** What a paused worker did once resumed. @public */
export interface PauseFigures {
  readonly instance: string;
  readonly pausedMs: number;
  /** Leases it held when stopped. */
  readonly leasesHeld: number;
  /** Of those, the ones it noticed losing after the resume. */
  readonly leasesLostAfterResume: number;
  /** From SIGCONT to its first `leaseLost` (undefined if none). */
  readonly noticedAfterMs: number | undefined;
  /** Records it was given after SIGCONT, of shards someone else had taken meanwhile. */
  readonly deliveriesOnTakenShards: number;
  /** Checkpoints it wrote after SIGCONT on shards someone else had taken meanwhile. */
  readonly checkpointsOnTakenShards: number;
}

/** Runs the lease checks, adding violations to `log`. @internal */
export function checkLeases(history: ChaosHistory, log: ViolationLog): LeaseFigures {
  checkCheckpointOrder(history, log);
  checkStaleCheckpoints(history, log);
  const overlap = checkOverlap(history, log);
  return {
    checkpointWrites: history.checkpoints.length,
    leaseSamples: history.leaseSamples.length,
    leaseTakes: history.takes.length,
    leaseLosses: history.losses.length,
    ...stealFigures(history),
    maxOverlapMs: overlap.ms,
    maxOverlapWhere: overlap.where,
    pauses: pauseFigures(history),
  };
}

/**
 * Writes are ordered by when they began: a later owner's write always begins after an earlier
 * owner's write completed (the take in between is conditional on the lease counter), so this
 * order is the order the table saw them in. Samples are in the order they were read.
 */
function checkCheckpointOrder(history: ChaosHistory, log: ViolationLog): void {
  const writes = [...history.checkpoints].sort((a, b) => a.startedAt - b.startedAt);
  const lastWrite = new Map<string, (typeof writes)[number]>();
  for (const w of writes) {
    const previous = lastWrite.get(w.shardId);
    if (previous !== undefined && comparePositions(w, previous) < 0) {
      log.add(
        'checkpoint-backwards',
        `${w.shardId}: ${w.instance} checkpointed ${formatPosition(w)} after ` +
          `${previous.instance} had checkpointed ${formatPosition(previous)}`,
      );
    }
    lastWrite.set(w.shardId, w);
  }
  const lastSample = new Map<string, (typeof history.leaseSamples)[number]>();
  for (const s of [...history.leaseSamples].sort((a, b) => a.at - b.at)) {
    const position = {
      sequenceNumber: s.checkpoint,
      subSequenceNumber: s.checkpointSubSequenceNumber,
    };
    const previous = lastSample.get(s.shardId);
    if (previous !== undefined) {
      const before = {
        sequenceNumber: previous.checkpoint,
        subSequenceNumber: previous.checkpointSubSequenceNumber,
      };
      if (comparePositions(position, before) < 0) {
        log.add(
          'checkpoint-backwards',
          `${s.shardId}: the lease table went from ${formatPosition(before)} to ` +
            `${formatPosition(position)} (read at ${String(s.at)})`,
        );
      }
    }
    lastSample.set(s.shardId, s);
  }
}

/**
 * A checkpoint that began after another instance's take completed, where that take came after
 * this instance's own latest take, was written over the new owner.
 */
function checkStaleCheckpoints(history: ChaosHistory, log: ViolationLog): void {
  for (const c of history.checkpoints) {
    const own = history.takes
      .filter((t) => t.instance === c.instance && t.shardId === c.shardId && t.at <= c.startedAt)
      .reduce((latest, t) => Math.max(latest, t.at), Number.NEGATIVE_INFINITY);
    const other = history.takes.find(
      (t) =>
        t.shardId === c.shardId && t.instance !== c.instance && t.at > own && t.at < c.startedAt,
    );
    if (other !== undefined) {
      log.add(
        'stale-checkpoint',
        `${c.shardId}: ${c.instance} checkpointed ${formatPosition(c)} (began ${String(c.startedAt)}) ` +
          `after ${other.instance} had taken the lease at ${String(other.at)}`,
      );
    }
  }
}

/** Per shard, each (instance, lease) processes from its first to its last delivery. */
function checkOverlap(
  history: ChaosHistory,
  log: ViolationLog,
): { ms: number; where: string | undefined } {
  const spans = new Map<string, { shardId: string; instance: string; from: number; to: number }>();
  for (const d of history.deliveries) {
    const key = `${d.shardId}|${d.instance}|${String(d.leaseCounter)}`;
    const span = spans.get(key);
    if (span === undefined)
      spans.set(key, { shardId: d.shardId, instance: d.instance, from: d.at, to: d.at });
    else {
      span.from = Math.min(span.from, d.at);
      span.to = Math.max(span.to, d.at);
    }
  }
  const byShard = new Map<string, { instance: string; from: number; to: number }[]>();
  for (const s of spans.values()) {
    const list = byShard.get(s.shardId) ?? [];
    list.push(s);
    byShard.set(s.shardId, list);
  }
  let max = 0;
  let where: string | undefined;
  for (const [shardId, list] of byShard) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]!;
        const b = list[j]!;
        if (a.instance === b.instance) continue;
        const overlap = Math.min(a.to, b.to) - Math.max(a.from, b.from);
        if (overlap <= 0) continue;
        const here = `${shardId}: ${a.instance} and ${b.instance}`;
        if (overlap > max) {
          max = overlap;
          where = here;
        }
        if (overlap > history.failoverTimeMs) {
          log.add('overlap', `${here} both processed it for ${String(overlap)} ms`);
        }
      }
    }
  }
  return { ms: max, where };
}

function pauseFigures(history: ChaosHistory): PauseFigures[] {
  const result: PauseFigures[] = [];
  for (const pause of history.workerActions.filter((a) => a.action === 'pause')) {
    const resume = history.workerActions.find(
      (a) => a.instance === pause.instance && a.action === 'resume' && a.at >= pause.at,
    );
    if (resume === undefined) continue;
    const takenMeanwhile = new Set(
      history.takes
        .filter((t) => t.instance !== pause.instance && t.at > pause.at && t.at < resume.at)
        .map((t) => t.shardId),
    );
    // Until the instance takes that shard again itself (then it is the owner once more).
    const after = (x: { instance: string; shardId: string; at: number }): boolean =>
      x.instance === pause.instance &&
      x.at >= resume.at &&
      takenMeanwhile.has(x.shardId) &&
      !history.takes.some(
        (t) =>
          t.instance === pause.instance &&
          t.shardId === x.shardId &&
          t.at >= resume.at &&
          t.at <= x.at,
      );
    // The shards it held when it was stopped: taken before, neither lost nor finished before.
    const before = (x: { instance: string; shardId: string; at: number }, shardId: string) =>
      x.instance === pause.instance && x.shardId === shardId && x.at <= pause.at;
    const held = new Set(
      history.takes
        .filter((t) => t.instance === pause.instance && t.at <= pause.at)
        .map((t) => t.shardId)
        .filter(
          (shardId) =>
            !history.losses.some((l) => before(l, shardId)) &&
            !history.checkpoints.some(
              (c) => before(c, shardId) && c.sequenceNumber === 'SHARD_END',
            ),
        ),
    );
    const losses = history.losses.filter(
      (l) => l.instance === pause.instance && l.at >= resume.at && held.has(l.shardId),
    );
    result.push({
      instance: pause.instance,
      pausedMs: resume.at - pause.at,
      leasesHeld: held.size,
      leasesLostAfterResume: losses.length,
      noticedAfterMs:
        losses.length === 0 ? undefined : Math.min(...losses.map((l) => l.at)) - resume.at,
      deliveriesOnTakenShards: history.deliveries.filter((d: Delivery) => after(d)).length,
      // Begun after SIGCONT: a write in flight across the pause landed before the take.
      checkpointsOnTakenShards: history.checkpoints.filter((c) => after({ ...c, at: c.startedAt }))
        .length,
    });
  }
  return result;
}

function stealFigures(history: ChaosHistory): { steals: number; quickSteals: number } {
  const takes = [...history.takes].sort((a, b) => a.at - b.at);
  let steals = 0;
  let quickSteals = 0;
  const lastTake = new Map<string, number>();
  for (const t of takes) {
    const previous = lastTake.get(t.shardId);
    lastTake.set(t.shardId, t.at);
    if (t.stolen !== true) continue;
    steals++;
    if (previous !== undefined && t.at - previous < history.failoverTimeMs) quickSteals++;
  }
  return { steals, quickSteals };
}
