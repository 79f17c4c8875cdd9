/**
 * How long two workers processed one shard at the same time, from what the handlers saw. A
 * worker's processing of a shard is cut into sessions at its `shardStarted` events (a lease that
 * went away and came back is two sessions, not one long one); a session spans its first to its
 * last delivery. The result is the longest overlap of two sessions of different workers on the
 * same shard: after a lease moves, the old owner may finish the batch in hand, so some overlap is
 * expected, but never more than the failover time.
 */

/** One handler call (or record) of `worker` on `shardId`, at wall-clock `at` ms. */
export interface Delivery {
  readonly worker: string;
  readonly shardId: string;
  readonly at: number;
}

/** A `shardStarted` event of `worker` (its processing of `shardId` began, at `at` ms). */
export type ShardStart = Delivery;

export interface Overlap {
  readonly ms: number;
  /** Where the longest overlap was (undefined when there was none). */
  readonly shardId?: string;
  readonly workers?: readonly [string, string];
}

interface Session {
  readonly worker: string;
  readonly shardId: string;
  first: number;
  last: number;
}

/** The longest time two workers' sessions on one shard overlapped (0 if never). */
export function longestOverlap(
  deliveries: readonly Delivery[],
  starts: readonly ShardStart[],
): Overlap {
  const sessions = new Map<string, Session>();
  for (const d of deliveries) {
    const index = starts.filter(
      (s) => s.worker === d.worker && s.shardId === d.shardId && s.at <= d.at,
    ).length;
    const key = `${d.worker}\u0000${d.shardId}\u0000${index}`;
    const session = sessions.get(key);
    if (session === undefined) {
      sessions.set(key, { worker: d.worker, shardId: d.shardId, first: d.at, last: d.at });
    } else {
      session.first = Math.min(session.first, d.at);
      session.last = Math.max(session.last, d.at);
    }
  }
  let worst: Overlap = { ms: 0 };
  const list = [...sessions.values()];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i]!;
      const b = list[j]!;
      if (a.shardId !== b.shardId || a.worker === b.worker) continue;
      const ms = Math.min(a.last, b.last) - Math.max(a.first, b.first);
      if (ms > worst.ms) worst = { ms, shardId: a.shardId, workers: [a.worker, b.worker] };
    }
  }
  return worst;
}
