/**
 * Hash-key ranges and the shard map: which open shard owns a hash key. Shards come in the shape
 * ListShards returns (PascalCase, as the AWS SDK types them), so adapters pass them straight
 * through. Lookup is a binary search on the ending hash key, as in the KPL's ShardMap, plus a
 * check of the starting key so that a gap answers "no shard" instead of a wrong shard.
 */
import { ValidationError } from '../errors.js';
import { MAX_HASH_KEY, parseExplicitHashKey, partitionKeyToHashKey } from './hashKey.js';

/** An inclusive range of 128-bit hash keys. @public */
export interface HashKeyRange {
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * A shard as ListShards / DescribeStream return it (`@aws-sdk/client-kinesis` `Shard` is assignable).
 * A shard is open when its SequenceNumberRange has no EndingSequenceNumber.
 * @public
 */
export interface ListShardsShard {
  readonly ShardId?: string | undefined;
  readonly ParentShardId?: string | undefined;
  readonly AdjacentParentShardId?: string | undefined;
  readonly HashKeyRange?:
    | {
        readonly StartingHashKey?: string | undefined;
        readonly EndingHashKey?: string | undefined;
      }
    | undefined;
  readonly SequenceNumberRange?:
    | {
        readonly StartingSequenceNumber?: string | undefined;
        readonly EndingSequenceNumber?: string | undefined;
      }
    | undefined;
}

/** A validated shard of a {@link ShardMap}. @public */
export interface ShardInfo {
  readonly shardId: string;
  readonly hashKeyRange: HashKeyRange;
  /** False once the shard was split or merged (it has an EndingSequenceNumber). */
  readonly open: boolean;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
}

/** Two open shards that claim the same hash keys. @public */
export interface HashKeyOverlap {
  readonly range: HashKeyRange;
  readonly shardIds: readonly [string, string];
}

/** Result of {@link checkCoverage}. @public */
export interface CoverageReport {
  /** True when the open shards cover 0..2^128-1 exactly once. */
  readonly ok: boolean;
  readonly gaps: readonly HashKeyRange[];
  readonly overlaps: readonly HashKeyOverlap[];
}

/** The whole key space, 0..2^128-1. @public */
export const FULL_HASH_KEY_RANGE: HashKeyRange = Object.freeze({ start: 0n, end: MAX_HASH_KEY });

/** True when `hashKey` lies in `range` (both ends inclusive). @public */
export function hashKeyRangeContains(range: HashKeyRange, hashKey: bigint): boolean {
  return hashKey >= range.start && hashKey <= range.end;
}

/**
 * Validates one ListShards shard and converts it. Throws a ValidationError naming the field.
 * @public
 */
export function toShardInfo(shard: ListShardsShard): ShardInfo {
  const shardId = shard.ShardId;
  if (typeof shardId !== 'string' || shardId.length === 0) {
    throw new ValidationError('ShardId', 'must be a non-empty string');
  }
  const start = parseExplicitHashKey(
    shard.HashKeyRange?.StartingHashKey as string,
    `${shardId}.HashKeyRange.StartingHashKey`,
  );
  const end = parseExplicitHashKey(
    shard.HashKeyRange?.EndingHashKey as string,
    `${shardId}.HashKeyRange.EndingHashKey`,
  );
  if (start > end) {
    throw new ValidationError(
      `${shardId}.HashKeyRange`,
      'StartingHashKey must not exceed EndingHashKey',
    );
  }
  return {
    shardId,
    hashKeyRange: { start, end },
    open: shard.SequenceNumberRange?.EndingSequenceNumber === undefined,
    ...(shard.ParentShardId !== undefined && { parentShardId: shard.ParentShardId }),
    ...(shard.AdjacentParentShardId !== undefined && {
      adjacentParentShardId: shard.AdjacentParentShardId,
    }),
  };
}

/**
 * Finds gaps and overlaps among the open shards: together they must cover 0..2^128-1 exactly
 * once, which is what the service guarantees for a stable stream. A report that is not ok means
 * the listing is partial or was taken mid-reshard; refresh it before trusting predictions.
 * @public
 * @example
 * ```ts
 * const { ok, gaps } = checkCoverage(listShardsOutput.Shards ?? []);
 * ```
 */
export function checkCoverage(shards: readonly ListShardsShard[] | ShardMap): CoverageReport {
  const open =
    shards instanceof ShardMap
      ? shards.openShards
      : shards
          .map(toShardInfo)
          .filter((s) => s.open)
          .sort(byStart);
  const gaps: HashKeyRange[] = [];
  const overlaps: HashKeyOverlap[] = [];
  // Sweep in start order; `reach` is the furthest end seen so far and `owner` the shard holding it.
  let next = 0n;
  let owner: ShardInfo | undefined;
  for (const shard of open) {
    const { start, end } = shard.hashKeyRange;
    if (start > next) gaps.push({ start: next, end: start - 1n });
    if (owner !== undefined && start < next) {
      const overlapEnd = end < next - 1n ? end : next - 1n;
      overlaps.push({
        range: { start, end: overlapEnd },
        shardIds: [owner.shardId, shard.shardId],
      });
    }
    if (end + 1n > next) {
      next = end + 1n;
      owner = shard;
    }
  }
  if (next <= MAX_HASH_KEY) gaps.push({ start: next, end: MAX_HASH_KEY });
  return { ok: gaps.length === 0 && overlaps.length === 0, gaps, overlaps };
}

/**
 * `count` contiguous ranges splitting 0..2^128-1 as evenly as CreateStream does (the last range
 * takes the remainder). Handy for tests and fakes.
 * @public
 */
export function evenHashKeyRanges(count: number): HashKeyRange[] {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new ValidationError('count', `must be a positive integer, got ${String(count)}`);
  }
  const width = (MAX_HASH_KEY + 1n) / BigInt(count);
  const ranges: HashKeyRange[] = [];
  for (let i = 0n; i < BigInt(count); i++) {
    const start = i * width;
    ranges.push({ start, end: i === BigInt(count) - 1n ? MAX_HASH_KEY : start + width - 1n });
  }
  return ranges;
}

function byStart(a: ShardInfo, b: ShardInfo): number {
  const d = a.hashKeyRange.start - b.hashKeyRange.start;
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

/**
 * The shards of a stream, answering which open shard owns a hash key in O(log n). Closed shards
 * are kept (for `get`) but never returned by lookups. Build a new map after a reshard.
 * @public
 * @example
 * ```ts
 * const map = new ShardMap((await kinesis.send(new ListShardsCommand({ StreamName }))).Shards ?? []);
 * map.shardForPartitionKey('user-42')?.shardId; // 'shardId-000000000001'
 * ```
 */
export class ShardMap {
  /** Every shard, in input order. */
  readonly shards: readonly ShardInfo[];
  /** Open shards sorted by starting hash key. */
  readonly openShards: readonly ShardInfo[];
  private readonly byId: ReadonlyMap<string, ShardInfo>;
  /** Open shards' ending keys in ascending order, parallel to `byEnd`: the binary-search index. */
  private readonly ends: readonly bigint[];
  private readonly byEnd: readonly ShardInfo[];

  constructor(shards: readonly ListShardsShard[]) {
    this.shards = shards.map(toShardInfo);
    this.byId = new Map(this.shards.map((s) => [s.shardId, s]));
    this.openShards = this.shards.filter((s) => s.open).sort(byStart);
    this.byEnd = [...this.openShards].sort((a, b) => {
      const d = a.hashKeyRange.end - b.hashKeyRange.end;
      return d === 0n ? 0 : d < 0n ? -1 : 1;
    });
    this.ends = this.byEnd.map((s) => s.hashKeyRange.end);
  }

  /** The shard with this id, open or closed. */
  get(shardId: string): ShardInfo | undefined {
    return this.byId.get(shardId);
  }

  /**
   * The open shard owning `hashKey`: the first by ending key whose end is >= the key (the KPL's
   * lower_bound), provided its start is <= the key. Undefined when the key falls in a gap.
   */
  lookup(hashKey: bigint): ShardInfo | undefined {
    const ends = this.ends;
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! < hashKey) lo = mid + 1;
      else hi = mid;
    }
    const shard = this.byEnd[lo];
    return shard !== undefined && shard.hashKeyRange.start <= hashKey ? shard : undefined;
  }

  /**
   * The open shard a record goes to: by its explicit hash key when given, else by the MD5 of its
   * partition key. Throws a ValidationError for a malformed explicit hash key.
   */
  shardForPartitionKey(
    partitionKey: string,
    explicitHashKey?: string | bigint,
  ): ShardInfo | undefined {
    const hashKey =
      explicitHashKey === undefined
        ? partitionKeyToHashKey(partitionKey)
        : parseExplicitHashKey(explicitHashKey);
    return this.lookup(hashKey);
  }

  /** Gaps and overlaps among the open shards; see {@link checkCoverage}. */
  checkCoverage(): CoverageReport {
    return checkCoverage(this);
  }
}
