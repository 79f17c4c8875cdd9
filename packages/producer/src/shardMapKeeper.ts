/**
 * Keeps the shard map current: loads it at start, refreshes it when asked (a record landed on an
 * unexpected shard) and periodically (a reshard is otherwise invisible to a producer), and retries
 * failures with backoff (1 s growing by 1.5x to 30 s, as the KPL). Refreshes are coalesced: asks
 * that come while one runs lead to one more, and asks about results older than the current map
 * are ignored (the KPL's guard against update storms, PR #277). Records keep flowing on the old
 * map meanwhile.
 */
import { ShardMap, isAbortError } from '@kinesis-kit/common';
import type { Clock } from '@kinesis-kit/common';
import type { ShardMapSource } from './adapters/shardMapSource.js';
import { ShardRouter } from './core/shardRouter.js';
import { classifyRequestError } from './core/retryPlanner.js';

/** @internal */
export interface ShardMapKeeperHooks {
  onMap(router: ShardRouter, reason: string): void;
  onError(error: unknown, consecutiveFailures: number, fatal: boolean): void;
}

const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

/** @internal */
export class ShardMapKeeper {
  private current: ShardRouter | undefined;
  private wanted: string | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private readonly controller = new AbortController();
  private periodic: Promise<void> | undefined;

  constructor(
    private readonly source: ShardMapSource,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly hooks: ShardMapKeeperHooks,
  ) {}

  get router(): ShardRouter | undefined {
    return this.current;
  }

  start(): void {
    this.request('initial');
    if (this.intervalMs > 0) this.periodic = this.runPeriodic();
  }

  /**
   * Asks for a refresh. `observedAt` is when the evidence was produced (the send time of the
   * request that hit an unexpected shard): evidence older than the current map is already
   * accounted for.
   */
  request(reason: string, observedAt?: number): void {
    if (this.controller.signal.aborted) return;
    if (observedAt !== undefined && this.current && observedAt < this.current.takenAt) return;
    this.wanted ??= reason;
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
  }

  /** Waits for the refresh in progress, if any (tests and close). */
  async settled(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([this.running, this.periodic]);
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (this.wanted !== undefined && !signal.aborted) {
      const reason = this.wanted;
      this.wanted = undefined;
      const startedAt = this.clock.monotonic();
      try {
        const shards = await this.source.listOpenShards(signal);
        const map = new ShardMap(shards);
        const coverage = map.checkCoverage();
        if (!coverage.ok) {
          // Taken mid-reshard: a gap or an overlap would route records wrongly. Look again.
          throw new Error(
            `shard listing does not cover the hash key space (${coverage.gaps.length} gaps, ${coverage.overlaps.length} overlaps)`,
          );
        }
        this.failures = 0;
        this.current = new ShardRouter(map, startedAt);
        this.hooks.onMap(this.current, reason);
      } catch (error) {
        if (signal.aborted && isAbortError(error)) return;
        this.failures += 1;
        const fatal = classifyRequestError(error).kind === 'fatal';
        this.hooks.onError(error, this.failures, fatal);
        this.wanted ??= reason;
        const backoff = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 1.5 ** (this.failures - 1));
        try {
          await this.clock.sleep(backoff, signal);
        } catch {
          return;
        }
      }
    }
  }

  private async runPeriodic(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      try {
        await this.clock.sleep(this.intervalMs, signal);
      } catch {
        return;
      }
      this.request('periodic');
    }
  }
}
