/**
 * Picks the Kinesis records of the next PutRecords request: at most `maxEntries` entries and
 * `maxBytes` bytes (partition keys counted, as the service counts them), each within its shard's
 * budget, shards served round-robin so one busy shard cannot starve the others. A request is only
 * formed when it is worth sending: something is due, the buffered records fill a request, or a
 * flush asked for it. Otherwise the planner says when to look again.
 *
 * Pure: `now` is passed in; the buckets are the per-shard limiters.
 */
import type { ShardRateLimiter } from './rateLimiter.js';
import type { OutboundRecord } from './records.js';
import type { ShardBuffer } from './shardBuffer.js';

/**
 * Queued bytes of one shard that make a request worth sending before anything is due: the KPL's
 * collector predicate (256 KiB for one shard flushes the collector). Keeps the buffer, and the
 * garbage collector's work, small at high rates.
 * @internal
 */
export const SHARD_FLUSH_BYTES = 256 * 1024;

/** @internal */
export interface BatchLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** One Kinesis record per shard per request, and none while the shard has one in flight. */
  readonly preserveOrder: boolean;
}

/** @internal */
export interface PlannedBatch {
  readonly records: OutboundRecord[];
  /** Shards that contributed, for in-flight bookkeeping. */
  readonly shards: ShardBuffer[];
}

/** @internal */
export class BatchPlanner {
  private cursor = 0;

  constructor(private readonly limits: BatchLimits) {}

  /**
   * The next request, or undefined when nothing should be sent now. `force` sends whatever the
   * budgets allow, due or not (flush and close).
   */
  plan(
    shards: readonly ShardBuffer[],
    limiterOf: (shard: ShardBuffer) => ShardRateLimiter,
    now: number,
    force: boolean,
  ): PlannedBatch | undefined {
    if (!force && !this.worthSending(shards, limiterOf, now)) return undefined;
    const { maxEntries, maxBytes, preserveOrder } = this.limits;
    const records: OutboundRecord[] = [];
    const used = new Set<ShardBuffer>();
    let bytes = 0;
    const n = shards.length;
    // Round-robin: each pass takes at most one record per shard, so shards share the request.
    let progress = true;
    const start = this.cursor % Math.max(1, n);
    this.cursor = start + 1;
    while (progress && records.length < maxEntries) {
      progress = false;
      for (let k = 0; k < n && records.length < maxEntries; k++) {
        const shard = shards[(start + k) % n]!;
        if (preserveOrder && (shard.inFlight > 0 || used.has(shard))) continue;
        const candidate = shard.peek(now, preserveOrder);
        if (!candidate || candidate.record.notBefore > now) continue;
        const size = candidate.record.sizeBytes;
        // A record larger than a request still goes, alone (as the KPL does).
        if (records.length > 0 && bytes + size > maxBytes) continue;
        const limiter = limiterOf(shard);
        if (!limiter.canSend(size, now)) continue;
        limiter.take(size, now);
        records.push(shard.shift(candidate.source));
        used.add(shard);
        bytes += size;
        progress = true;
      }
    }
    return records.length > 0 ? { records, shards: [...used] } : undefined;
  }

  /**
   * When the planner should run again for what is queued (Infinity when only a response or a new
   * record can change anything).
   */
  nextWakeAt(
    shards: readonly ShardBuffer[],
    limiterOf: (shard: ShardBuffer) => ShardRateLimiter,
    now: number,
    force: boolean,
  ): number {
    let wake = Number.POSITIVE_INFINITY;
    for (const shard of shards) {
      // A held-open aggregate waits for a response (which wakes the loop) or the queued record.
      if (shard.openDeadline < wake && !shard.holdsOpen) wake = shard.openDeadline;
      if (this.limits.preserveOrder && shard.inFlight > 0) continue;
      const retryAt = shard.nextRetryAt;
      if (retryAt > now && retryAt < wake) wake = retryAt;
      const candidate = shard.peek(now, this.limits.preserveOrder);
      if (!candidate) continue;
      const r = candidate.record;
      const tokensAt = now + limiterOf(shard).waitMs(r.sizeBytes, now);
      const t = Math.max(r.notBefore, tokensAt, force ? now : r.dueAt);
      if (t < wake) wake = t;
    }
    return wake;
  }

  private worthSending(
    shards: readonly ShardBuffer[],
    limiterOf: (shard: ShardBuffer) => ShardRateLimiter,
    now: number,
  ): boolean {
    let count = 0;
    let bytes = 0;
    for (const shard of shards) {
      count += shard.queuedCount;
      bytes += shard.queuedBytes;
      if (this.limits.preserveOrder && shard.inFlight > 0) continue;
      const c = shard.peek(now, this.limits.preserveOrder);
      const full = shard.queuedBytes >= SHARD_FLUSH_BYTES;
      if (c && (full || c.record.dueAt <= now) && c.record.notBefore <= now) {
        if (limiterOf(shard).canSend(c.record.sizeBytes, now)) return true;
      }
    }
    return count >= this.limits.maxEntries || bytes >= this.limits.maxBytes;
  }
}
