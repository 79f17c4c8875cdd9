/**
 * Who holds which lease, as the worker processes report it (leaseTaken / leaseLost events), and
 * a wait for a settled fleet before each disruption, so that one measurement does not overlap
 * the rebalancing caused by the previous one.
 */
import type { WorkerEvent, WorkerFleet } from '../test/support/workerFleet.js';
import { sleep } from './wait.js';

/** Lease keys per live worker, from the events seen so far (the latest take wins). */
export function ownership(fleet: WorkerFleet, live: ReadonlySet<string>): Map<string, Set<string>> {
  const owner = new Map<string, string>();
  for (const e of fleet.events) {
    const key = String(e.leaseKey);
    if (e.t === 'leaseTaken') owner.set(key, e.worker);
    else if (e.t === 'leaseLost' && owner.get(key) === e.worker) owner.delete(key);
  }
  const byWorker = new Map<string, Set<string>>([...live].map((w) => [w, new Set<string>()]));
  for (const [key, worker] of owner) byWorker.get(worker)?.add(key);
  return byWorker;
}

function lastLeaseEventAt(events: readonly WorkerEvent[]): number {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.t === 'leaseTaken' || e.t === 'leaseLost') return e.at;
  }
  return 0;
}

/**
 * Waits until the live workers hold `shards` open shards between them, as evenly as possible,
 * every one of them has delivered a record from the flow in the last two seconds, and no lease
 * moved for `quietMs`. Resolves with the ownership then.
 */
export async function waitSettled(
  fleet: WorkerFleet,
  live: ReadonlySet<string>,
  shards: readonly string[],
  quietMs: number,
  timeoutMs: number,
): Promise<Map<string, Set<string>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owners = ownership(fleet, live);
    const counts = [...owners.values()].map((s) => [...s].filter((k) => shards.includes(k)).length);
    const held = counts.reduce((a, b) => a + b, 0);
    const now = Date.now();
    const flowing = shards.every((shard) =>
      fleet.events.some(
        (e) =>
          e.t === 'record' &&
          e.shardId === shard &&
          e.at > now - 2000 &&
          owners.get(e.worker)?.has(shard) === true,
      ),
    );
    const even = Math.max(...counts) - Math.min(...counts) <= 1;
    if (
      held === shards.length &&
      even &&
      flowing &&
      now - lastLeaseEventAt(fleet.events) >= quietMs
    ) {
      return owners;
    }
    if (now > deadline) {
      throw new Error(
        `fleet did not settle: ${JSON.stringify([...owners].map(([w, s]) => [w, [...s]]))}`,
      );
    }
    await sleep(100);
  }
}
