/**
 * Children waiting for their parents to finish (kcl.md §4.3). The worker side polls the parent
 * leases, fast at first and slower as the wait grows; the scheduler side wakes children whose
 * parent ended on this worker at once, so they never wait for a slowed-down poll.
 */
import type { Clock, Logger } from '@kinesis-kit/common';
import { checkParents, parentLeaseKeys } from '../core/shardGraph.js';
import type { Lease, LeaseStore } from '../ports.js';
import type { LeaseCoordinator } from './leaseCoordinator.js';

/** Parents are polled at the base interval this long: a child normally starts within it. */
export const PARENT_FAST_POLL_MS = 5_000;
/** The slowest parent poll (the KCL's `parentShardPollIntervalMillis`): 360 reads an hour. */
export const PARENT_SLOW_POLL_MS = 10_000;

/**
 * How long a child waits before its next parent poll, `waitedMs` into the wait. Children are
 * created when their parent ends, so the parent is normally done within a second: poll every
 * `baseMs` for the first {@link PARENT_FAST_POLL_MS}. A longer wait means the parent has real work
 * left (a new TRIM_HORIZON application leases closed parents and their children together), and
 * can last hours: double the delay up to {@link PARENT_SLOW_POLL_MS} (or `baseMs` if larger).
 * @internal
 */
export function parentPollDelayMs(
  waitedMs: number,
  previousMs: number | undefined,
  baseMs: number,
): number {
  if (waitedMs < PARENT_FAST_POLL_MS || previousMs === undefined) return baseMs;
  return Math.min(Math.max(baseMs, PARENT_SLOW_POLL_MS), previousMs * 2);
}

/**
 * Whether every parent of `child` that still has a lease is at SHARD_END. A parent this worker
 * holds is read from the held copy (its checkpoints go through us), so a child waiting on a parent
 * of ours costs no reads; other parents are read with a consistent GetItem.
 * @internal
 */
export async function parentsDone(
  child: Lease,
  coordinator: Pick<LeaseCoordinator, 'getHeld'>,
  store: Pick<LeaseStore, 'getLease'>,
): Promise<boolean> {
  const keys = parentLeaseKeys(child);
  const parents = await Promise.all(
    keys.map(async (k) => coordinator.getHeld(k) ?? (await store.getLease(k))),
  );
  return checkParents(child, new Map(keys.map((k, i) => [k, parents[i]]))).eligible;
}

/** @internal */
export interface ParentWaitInput {
  readonly parentsDone: () => Promise<boolean>;
  /** Subscribes to "a parent may have ended"; returns the unsubscribe function. */
  readonly onParentChange?: (wake: () => void) => () => void;
  readonly baseMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

/**
 * Polls `parentsDone` until true; false when `signal` aborts. A wake-up cuts the current sleep
 * short, and one that comes while a poll is in flight is not lost (the next poll runs at once).
 * @internal
 */
export async function waitForParents(input: ParentWaitInput): Promise<boolean> {
  const { parentsDone, clock, signal } = input;
  const waitStarted = clock.monotonic();
  let woken = false;
  let sleeper: AbortController | undefined;
  const unsubscribe = input.onParentChange?.(() => {
    woken = true;
    sleeper?.abort();
  });
  const onStop = (): void => sleeper?.abort();
  signal.addEventListener('abort', onStop, { once: true });
  try {
    let delay: number | undefined;
    for (;;) {
      woken = false;
      try {
        if (await parentsDone()) return true;
      } catch (error) {
        input.logger.warn('checking the parent shards failed', { error });
      }
      if (signal.aborted) return false;
      if (woken) continue;
      delay = parentPollDelayMs(clock.monotonic() - waitStarted, delay, input.baseMs);
      sleeper = new AbortController();
      try {
        await clock.sleep(delay, sleeper.signal);
      } catch {
        // Woken or stopped: decided below.
      }
      sleeper = undefined;
      if (signal.aborted) return false;
    }
  } finally {
    signal.removeEventListener('abort', onStop);
    unsubscribe?.();
  }
}

/** The scheduler's registry of children waiting on parents. @internal */
export class ParentWaits {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Calls `wake` whenever one of `parentKeys` ends here; returns the unsubscribe function. */
  subscribe(parentKeys: readonly string[], wake: () => void): () => void {
    for (const key of parentKeys) {
      let set = this.waiters.get(key);
      if (set === undefined) this.waiters.set(key, (set = new Set()));
      set.add(wake);
    }
    return () => {
      for (const key of parentKeys) {
        const set = this.waiters.get(key);
        set?.delete(wake);
        if (set?.size === 0) this.waiters.delete(key);
      }
    };
  }

  /** The shard of `leaseKey` reached SHARD_END on this worker. */
  parentEnded(leaseKey: string): void {
    for (const wake of [...(this.waiters.get(leaseKey) ?? [])]) wake();
  }

  /** Parent lease keys with children waiting on them. */
  get size(): number {
    return this.waiters.size;
  }
}
