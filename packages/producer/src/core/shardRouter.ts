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
import { hashKeyOf } from './keyHash.js';
import type { OutboundRecord } from './records.js';

/** Verdict on a Kinesis record the service stored on `actualShardId`. @internal */
export type LandingVerdict = 'ok' | 'unknown-shard' | 'wrong-shard';

/** @internal */
export class ShardRouter {
  /** Open shards sorted by ending hash key, with their ranges as 4 words each (see routeWords). */
  private readonly ids: readonly string[];
  private readonly ends: Uint32Array;
  private readonly starts: Uint32Array;

  constructor(
    readonly map: ShardMap,
    /** Monotonic time the listing was taken at. */
    readonly takenAt: number,
  ) {
    const open = [...map.openShards].sort((a, b) =>
      a.hashKeyRange.end < b.hashKeyRange.end
        ? -1
        : a.hashKeyRange.end > b.hashKeyRange.end
          ? 1
          : 0,
    );
    this.ids = open.map((s) => s.shardId);
    this.ends = new Uint32Array(open.length * 4);
    this.starts = new Uint32Array(open.length * 4);
    open.forEach((s, i) => {
      toWords(s.hashKeyRange.end, this.ends, i * 4);
      toWords(s.hashKeyRange.start, this.starts, i * 4);
    });
  }

  /** The open shard owning `hashKey`, or undefined when the map has a gap there. */
  route(hashKey: bigint): string | undefined {
    return this.map.lookup(hashKey)?.shardId;
  }

  /**
   * `route` for a hash key given as four unsigned 32-bit words, most significant first (what
   * common's partitionKeyHashWords writes). The same answer without a bigint: the producer
   * routes every user record, and building and comparing bigints cost more than the search.
   */
  routeWords(key: Uint32Array): string | undefined {
    const i = this.routeWordsIndex(key);
    return i < 0 ? undefined : this.ids[i];
  }

  /** `routeWords` as the shard's position in this map (see `shardIdAt`), or -1 for a gap. */
  routeWordsIndex(key: Uint32Array): number {
    const ends = this.ends;
    let lo = 0;
    let hi = this.ids.length;
    // The first shard whose end is >= key (ShardMap.lookup's binary search).
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareAt(ends, mid * 4, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.ids.length || compareAt(this.starts, lo * 4, key) > 0) return -1;
    return lo;
  }

  /** The id of the open shard at `index` (0 <= index < the number of open shards). */
  shardIdAt(index: number): string {
    return this.ids[index]!;
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
      if (!hashKeyRangeContains(actual.hashKeyRange, hashKeyOf(item))) return 'wrong-shard';
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

/** Sign of (the 4 words of `words` at `offset`) - `key`, both read as 128-bit integers. */
function compareAt(words: Uint32Array, offset: number, key: Uint32Array): number {
  for (let j = 0; j < 4; j++) {
    const d = words[offset + j]! - key[j]!;
    if (d !== 0) return d;
  }
  return 0;
}

function toWords(value: bigint, out: Uint32Array, offset: number): void {
  for (let j = 0; j < 4; j++)
    out[offset + j] = Number((value >> BigInt(96 - 32 * j)) & 0xffffffffn);
}
