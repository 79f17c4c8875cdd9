/**
 * The per-shard buffers and their rate limiters, plus the records that have no shard yet (before
 * the first shard map, or in a gap of a map taken mid-reshard). Routes records with the current
 * map and, when a new map arrives, routes again the buffered records of every shard that changed,
 * so a reshard never leaves records aimed at a closed shard.
 */
import type { BlockPool } from './core/blockPool.js';
import type { Aggregator, OutboundRecord, PendingRecord } from './core/records.js';
import { hashKeyOf, keyHashWordsOf } from './core/keyHash.js';
import { ShardRateLimiter } from './core/rateLimiter.js';
import type { RateLimiterOptions } from './core/rateLimiter.js';
import { ShardBuffer, restoreData } from './core/shardBuffer.js';
import type { ShardBufferConfig } from './core/shardBuffer.js';
import type { ShardRouter } from './core/shardRouter.js';

// A module-local copy: called per record, and an import is read through a getter.
const hashWordsOf = keyHashWordsOf;

/** @internal */
export class BufferPool {
  readonly shards: ShardBuffer[] = [];
  private readonly byId = new Map<string, ShardBuffer>();
  private readonly limiters = new Map<ShardBuffer, ShardRateLimiter>();
  private unrouted: PendingRecord[] = [];
  /** Shards a new map closed whose requests are still in flight. */
  private readonly retiring = new Set<ShardBuffer>();
  private routerValue: ShardRouter | undefined;

  constructor(
    private readonly config: ShardBufferConfig,
    private readonly makeAggregator: (() => Aggregator) | undefined,
    private readonly limiterOptions: RateLimiterOptions,
    /** The blocks `makeAggregator`'s aggregators write into, released by `finished`. */
    private readonly blocks?: BlockPool,
  ) {}

  readonly limiterOf = (shard: ShardBuffer): ShardRateLimiter => this.limiters.get(shard)!;

  get router(): ShardRouter | undefined {
    return this.routerValue;
  }

  /**
   * With preserveOrder nothing may be sent while a closed shard's request is in flight: if it
   * fails, its records are retried on the children, and they must go before the younger records
   * of the same keys that the new map already routes there (found by the chaos suite).
   */
  get holdsForOrder(): boolean {
    return this.config.preserveOrder === true && this.retiring.size > 0;
  }

  get unroutedCount(): number {
    return this.unrouted.length;
  }

  /** Kinesis records queued across shards (not the open aggregates). */
  get queuedCount(): number {
    let n = 0;
    for (const s of this.shards) n += s.queuedCount;
    return n;
  }

  get(shardId: string): ShardBuffer | undefined {
    return this.byId.get(shardId);
  }

  /** Routes a new record into its shard's buffer. Returns the number of Kinesis records sealed. */
  add(record: PendingRecord, now: number): number {
    const router = this.routerValue;
    let shard: ShardBuffer | undefined;
    if (router !== undefined) {
      if (record.hashKey === undefined) {
        // The common path: the router's index finds the buffer without a lookup by id.
        const i = router.routeWordsIndex(hashWordsOf(record));
        if (i >= 0)
          shard = this.byIndex[i] ?? (this.byIndex[i] = this.shard(router.shardIdAt(i), now));
      } else {
        const shardId = router.route(record.hashKey);
        if (shardId !== undefined) shard = this.shard(shardId, now);
      }
    }
    if (shard === undefined) {
      this.unrouted.push(record);
      return 0;
    }
    this.lastShard = shard;
    return shard.add(record);
  }

  /** The buffers of the current router's open shards by their index in it, filled as used. */
  private byIndex: (ShardBuffer | undefined)[] = [];

  /** The shard the last `add` went to. */
  lastShard: ShardBuffer | undefined;

  /** Routes records to be sent again ahead of younger ones (wrong shard, changed shard). */
  readmit(items: readonly PendingRecord[], now: number): void {
    const router = this.routerValue;
    if (!router) {
      this.unrouted.push(...items);
      return;
    }
    const groups = new Map<string, PendingRecord[]>();
    for (const item of items) {
      const shardId = router.route(hashKeyOf(item));
      if (shardId === undefined) {
        this.unrouted.push(item);
        continue;
      }
      let group = groups.get(shardId);
      if (!group) groups.set(shardId, (group = []));
      group.push(item);
    }
    for (const [shardId, group] of groups) this.shard(shardId, now).readmit(group, now);
  }

  /** Puts a failed Kinesis record back on its shard, or routes its records again if that shard changed. */
  requeue(record: OutboundRecord, now: number): void {
    const shard = this.byId.get(record.shardId);
    if (shard && this.routerValue?.isOpen(record.shardId)) shard.requeue(record);
    else this.readmit(restoreData(record, this.blocks), now);
  }

  /**
   * The producer is done with `record` (its user records settled, or were taken back by
   * restoreData): its aggregate's block may be reused. Only once no request in flight carries it.
   */
  finished(record: OutboundRecord): void {
    this.blocks?.release(record.data);
  }

  /** The user records of `record`, which the producer is done with, to be packed again. */
  unpack(record: OutboundRecord): readonly PendingRecord[] {
    return restoreData(record, this.blocks);
  }

  /** Switches to a new map; returns the shards whose records were routed again. */
  swap(router: ShardRouter, now: number): string[] {
    const old = this.routerValue;
    this.routerValue = router;
    this.byIndex = [];
    const changed = old ? [...old.changedIn(router)] : [];
    const moved: PendingRecord[] = [];
    for (const shardId of changed) {
      const shard = this.byId.get(shardId);
      if (!shard) continue;
      moved.push(...shard.drain());
      // Keep a buffer with requests in flight until they return; it is empty and unrouted-to.
      if (shard.inFlight === 0) this.remove(shard);
      else this.retiring.add(shard);
    }
    const waiting = this.unrouted;
    this.unrouted = [];
    this.readmit(moved, now);
    for (const record of waiting) this.add(record, now);
    return changed;
  }

  /** Seals every open aggregate that is due (or all of them when forced), but those held open. */
  sealDue(now: number, force: boolean): void {
    for (const shard of this.shards) {
      if (shard.openDeadline === Number.POSITIVE_INFINITY || shard.holdsOpen) continue;
      if (force || shard.openDeadline <= now) shard.seal();
    }
  }

  /** Removes queued records that expired, and unrouted user records that did. */
  takeExpired(now: number): { records: OutboundRecord[]; unrouted: PendingRecord[] } {
    const records: OutboundRecord[] = [];
    for (const shard of this.shards) {
      if (shard.queuedCount > 0) records.push(...shard.takeExpired(now));
    }
    let unrouted: PendingRecord[] = [];
    if (this.unrouted.length > 0) {
      unrouted = this.unrouted.filter((r) => r.expiresAt <= now);
      if (unrouted.length > 0) this.unrouted = this.unrouted.filter((r) => r.expiresAt > now);
    }
    return { records, unrouted };
  }

  /** Takes every record without a shard (to reject them when the stream cannot be listed). */
  takeUnrouted(): PendingRecord[] {
    const out = this.unrouted;
    this.unrouted = [];
    return out;
  }

  /** Takes every buffered user record (close deadline). */
  takeAll(): PendingRecord[] {
    const out = this.takeUnrouted();
    for (const shard of this.shards) out.push(...shard.drain());
    return out;
  }

  /** A request carrying records of `shard` returned; drop the buffer if its shard is gone. */
  released(shard: ShardBuffer): void {
    if (shard.inFlight === 0) this.retiring.delete(shard);
    if (shard.inFlight === 0 && shard.isEmpty && !this.routerValue?.isOpen(shard.shardId)) {
      this.remove(shard);
    }
  }

  private shard(shardId: string, now: number): ShardBuffer {
    let shard = this.byId.get(shardId);
    if (!shard) {
      shard = new ShardBuffer(shardId, this.config, this.makeAggregator, this.blocks);
      this.byId.set(shardId, shard);
      this.shards.push(shard);
      this.limiters.set(shard, new ShardRateLimiter(this.limiterOptions, now));
    }
    return shard;
  }

  private remove(shard: ShardBuffer): void {
    this.byIndex = [];
    this.retiring.delete(shard);
    if (this.byId.get(shard.shardId) === shard) this.byId.delete(shard.shardId);
    const i = this.shards.indexOf(shard);
    if (i >= 0) this.shards.splice(i, 1);
    this.limiters.delete(shard);
  }
}
