/**
 * What the proxy saw and did, for tests and benchmarks. Snapshots are plain JSON (the child
 * process serves the same shape on its control endpoint).
 */

/** Counters of one shard. @public */
export interface ShardStats {
  /** PutRecords entries and PutRecord calls addressed to the shard (admitted or not). */
  putEntries: number;
  /** Their data plus partition-key bytes. */
  putBytes: number;
  /** Entries answered ProvisionedThroughputExceededException by the limit model. */
  throttledEntries: number;
  /** Entries answered InternalFailure by a fault rule. */
  failedEntries: number;
  getRecordsCalls: number;
  /** GetRecords calls answered ProvisionedThroughputExceededException by the limit model. */
  throttledGetRecords: number;
  /** Records and bytes (data plus partition key) the admitted GetRecords calls returned. */
  readRecords: number;
  readBytes: number;
  /** Request-level faults injected into requests that touched this shard. */
  faults: number;
}

/** A snapshot of the proxy's counters. @public */
export interface ProxyStats {
  /** `performance.now()`-style milliseconds when counting started (start or last reset). */
  readonly sinceMs: number;
  /** Requests by operation (`PutRecords`, `GetRecords`, `UpdateItem`, …), including refused ones. */
  readonly requests: Record<string, number>;
  /** Requests refused by the request limits (more than 500 entries or 5 MiB). */
  readonly rejectedRequests: number;
  /** Totals over all shards, same fields as {@link ShardStats}. */
  readonly totals: ShardStats;
  /** By `streamName/shardId`. */
  readonly shards: Record<string, ShardStats>;
  /** Injected faults by kind (`latency`, `http-503`, `entry-internal-failure`, …). */
  readonly faults: Record<string, number>;
  /** Injected faults by rule id. */
  readonly faultsByRule: Record<string, number>;
  /** Shard-map refreshes (ListShards) the proxy made against the target. */
  readonly shardMapRefreshes: number;
}

/** Zeroed shard counters. @public */
export function emptyShardStats(): ShardStats {
  return {
    putEntries: 0,
    putBytes: 0,
    throttledEntries: 0,
    failedEntries: 0,
    getRecordsCalls: 0,
    throttledGetRecords: 0,
    readRecords: 0,
    readBytes: 0,
    faults: 0,
  };
}

/** The proxy's mutable counters. @internal */
export class StatsRecorder {
  private state: ReturnType<StatsRecorder['fresh']>;

  constructor(private readonly now: () => number) {
    this.state = this.fresh();
  }

  reset(): void {
    this.state = this.fresh();
  }

  request(operation: string): void {
    bump(this.state.requests, operation);
  }

  rejected(): void {
    this.state.rejectedRequests++;
  }

  shardMapRefreshed(): void {
    this.state.shardMapRefreshes++;
  }

  /** Adds `delta` to the counters of a shard (when known) and to the totals. */
  shard(
    streamName: string | undefined,
    shardId: string | undefined,
    delta: Partial<ShardStats>,
  ): void {
    const targets = [this.state.totals];
    if (streamName !== undefined && shardId !== undefined) {
      const key = `${streamName}/${shardId}`;
      let stats = this.state.shards[key];
      if (stats === undefined) this.state.shards[key] = stats = emptyShardStats();
      targets.push(stats);
    }
    for (const stats of targets) {
      for (const [field, value] of Object.entries(delta) as [keyof ShardStats, number][]) {
        stats[field] += value;
      }
    }
  }

  fault(kind: string, ruleId: string, count = 1): void {
    bump(this.state.faults, kind, count);
    bump(this.state.faultsByRule, ruleId, count);
  }

  snapshot(): ProxyStats {
    return structuredClone(this.state);
  }

  private fresh(): {
    sinceMs: number;
    requests: Record<string, number>;
    rejectedRequests: number;
    totals: ShardStats;
    shards: Record<string, ShardStats>;
    faults: Record<string, number>;
    faultsByRule: Record<string, number>;
    shardMapRefreshes: number;
  } {
    return {
      sinceMs: this.now(),
      requests: {},
      rejectedRequests: 0,
      totals: emptyShardStats(),
      shards: {},
      faults: {},
      faultsByRule: {},
      shardMapRefreshes: 0,
    };
  }
}

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}
