/**
 * Shard prediction on top of common's ShardMap: which open shard a hash key goes to, whether a
 * Kinesis record that landed on some shard is really held by it, and which shards changed between
 * two maps (so their buffered records can be routed again).
 *
 * The judgement follows the KPL (kpl.md §2.4) with one fix: the KPL checks each user record of an
 * aggregate on its own and retries only the ones outside the actual shard, but the KCL drops the
 * *whole* aggregate when any record in it is outside the shard's range, so the in-range ones would
 * be lost to KCL consumers. Here an aggregate is accepted only if every record in it belongs to
 * the shard it landed on; otherwise every record in it is retried.
 */
import { hashKeyRangeContains } from '@kinesis-kit/common';
import type { ShardMap } from '@kinesis-kit/common';
import type { OutboundRecord } from './records.js';

/** Verdict on a Kinesis record the service stored on `actualShardId`. @internal */
export type LandingVerdict = 'ok' | 'unknown-shard' | 'wrong-shard';

/** @internal */
export class ShardRouter {
  constructor(
    readonly map: ShardMap,
    /** Monotonic time the listing was taken at. */
    readonly takenAt: number,
  ) {}

  /** The open shard owning `hashKey`, or undefined when the map has a gap there. */
  route(hashKey: bigint): string | undefined {
    return this.map.lookup(hashKey)?.shardId;
  }

  /** True when `shardId` is an open shard of this map. */
  isOpen(shardId: string): boolean {
    return this.map.get(shardId)?.open === true;
  }

  get openShardIds(): string[] {
    return this.map.openShards.map((s) => s.shardId);
  }

  /** Judges where a Kinesis record landed. */
  judge(record: OutboundRecord, actualShardId: string): LandingVerdict {
    // Predicted with a map in which that shard held every record of it: right, even if the
    // shard has been closed since.
    if (actualShardId === record.shardId) return 'ok';
    const actual = this.map.get(actualShardId);
    if (!actual) return 'unknown-shard';
    for (const item of record.items) {
      if (!hashKeyRangeContains(actual.hashKeyRange, item.hashKey)) return 'wrong-shard';
    }
    return 'ok';
  }

  /**
   * Shards open in this map that are gone or changed in `next`: their buffered records must be
   * routed again with `next`.
   */
  changedIn(next: ShardRouter): Set<string> {
    const changed = new Set<string>();
    for (const shard of this.map.openShards) {
      const other = next.map.get(shard.shardId);
      if (
        !other ||
        !other.open ||
        other.hashKeyRange.start !== shard.hashKeyRange.start ||
        other.hashKeyRange.end !== shard.hashKeyRange.end
      ) {
        changed.add(shard.shardId);
      }
    }
    return changed;
  }
}
