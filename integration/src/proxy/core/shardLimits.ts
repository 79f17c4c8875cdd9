/**
 * The per-shard limit model of the proxy: which PutRecords entries and GetRecords calls a shard
 * admits at a given instant. Pure (time is passed in), so it is unit-tested without a network.
 *
 * Every limit is a token bucket refilled continuously at the documented per-second rate:
 * - writes: 1000 records/s and 1 MiB/s (data + partition key) per shard, with one second of burst
 *   (a bucket starts full, as a shard that has been idle);
 * - reads: 5 GetRecords calls/s per shard with one second of burst, and 2 MiB/s of returned data
 *   charged after the call, into debt (see {@link TokenBucket.charge}).
 * The README of the proxy explains how this compares with the service.
 */
import {
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
  SHARD_GET_RECORDS_CALLS_PER_SECOND,
  SHARD_READ_BYTES_PER_SECOND,
  SHARD_WRITE_BYTES_PER_SECOND,
  SHARD_WRITE_RECORDS_PER_SECOND,
} from '@kinesis-kit/common';
import { TokenBucket } from './tokenBucket.js';

/**
 * The proxy's limits. Rates are per shard per second; bursts are bucket capacities.
 * @public
 */
export interface ProxyLimits {
  /** @defaultValue 1000 (the service's per-shard write limit) */
  readonly writeRecordsPerSecond: number;
  /** Data plus partition-key bytes. @defaultValue 1048576 (1 MiB) */
  readonly writeBytesPerSecond: number;
  /** Seconds of write budget a shard accumulates while idle. @defaultValue 1 */
  readonly writeBurstSeconds: number;
  /** @defaultValue 5 */
  readonly readCallsPerSecond: number;
  /** GetRecords calls a shard accumulates while idle. @defaultValue 5 (one second) */
  readonly readCallsBurst: number;
  /** Bytes returned by GetRecords (data plus partition key). @defaultValue 2097152 (2 MiB) */
  readonly readBytesPerSecond: number;
  /**
   * Read bytes a shard accumulates while idle. 0 means a read is admitted only once earlier reads
   * are paid for, so a 10 MiB read blocks the shard for 5 s as the GetRecords reference says.
   * @defaultValue 0
   */
  readonly readBytesBurst: number;
  /** Most entries in a PutRecords request. @defaultValue 500 */
  readonly maxPutRecordsEntries: number;
  /** Most data plus partition-key bytes in a PutRecords request. @defaultValue 5242880 (5 MiB) */
  readonly maxPutRecordsBytes: number;
}

/** The service's documented limits. @public */
export const DEFAULT_PROXY_LIMITS: ProxyLimits = Object.freeze({
  writeRecordsPerSecond: SHARD_WRITE_RECORDS_PER_SECOND,
  writeBytesPerSecond: SHARD_WRITE_BYTES_PER_SECOND,
  writeBurstSeconds: 1,
  readCallsPerSecond: SHARD_GET_RECORDS_CALLS_PER_SECOND,
  readCallsBurst: SHARD_GET_RECORDS_CALLS_PER_SECOND,
  readBytesPerSecond: SHARD_READ_BYTES_PER_SECOND,
  readBytesBurst: 0,
  maxPutRecordsEntries: PUT_RECORDS_MAX_ENTRIES,
  maxPutRecordsBytes: PUT_RECORDS_MAX_BYTES,
});

/**
 * Merges `overrides` over the defaults and checks every field is a finite number >= 0 (the
 * request limits must be >= 1). Throws a RangeError listing every bad field.
 * @public
 */
export function resolveProxyLimits(overrides: Partial<ProxyLimits> = {}): ProxyLimits {
  const limits = { ...DEFAULT_PROXY_LIMITS, ...stripUndefined(overrides) };
  const problems: string[] = [];
  for (const [name, value] of Object.entries(limits)) {
    const min = name.startsWith('maxPutRecords') ? 1 : 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      problems.push(`${name} must be a finite number >= ${min}, got ${String(value)}`);
    }
  }
  if (problems.length > 0) throw new RangeError(`invalid proxy limits: ${problems.join('; ')}`);
  return Object.freeze(limits);
}

/** Why an entry or call was refused; `undefined` means admitted. @public */
export type ThrottleReason = 'records' | 'bytes' | 'calls';

interface ShardBuckets {
  readonly writeRecords: TokenBucket;
  readonly writeBytes: TokenBucket;
  readonly readCalls: TokenBucket;
  readonly readBytes: TokenBucket;
}

/**
 * Per-shard buckets, created on first use (full). Shards are identified by an opaque key (the
 * proxy uses `account/stream/shardId`), so children of a reshard start with fresh budgets, as on
 * the service.
 * @public
 * @example
 * const model = new ShardLimitModel(resolveProxyLimits(), 0);
 * model.admitWrite('s/shardId-000000000000', 1024, 0); // undefined: admitted
 */
export class ShardLimitModel {
  private shards = new Map<string, ShardBuckets>();

  constructor(private limits: ProxyLimits) {}

  /** The limits in force. */
  get current(): ProxyLimits {
    return this.limits;
  }

  /** Replaces the limits; every shard starts again with a full bucket under the new rates. */
  setLimits(limits: ProxyLimits): void {
    this.limits = limits;
    this.shards.clear();
  }

  /** Forgets every shard's usage (all buckets full again). */
  reset(): void {
    this.shards.clear();
  }

  /**
   * Admits one write of `bytes` (data + partition key) to `shardKey` at `now`, taking a record
   * and the bytes from its buckets, or refuses it and takes nothing.
   */
  admitWrite(shardKey: string, bytes: number, now: number): ThrottleReason | undefined {
    const shard = this.shard(shardKey, now);
    if (shard.writeRecords.available(now) < 1) return 'records';
    if (!shard.writeBytes.tryTake(bytes, now)) return 'bytes';
    shard.writeRecords.tryTake(1, now);
    return undefined;
  }

  /** Admits one GetRecords call on `shardKey` at `now` (taking one call token), or refuses it. */
  admitRead(shardKey: string, now: number): ThrottleReason | undefined {
    const shard = this.shard(shardKey, now);
    if (!shard.readBytes.hasCredit(now)) return 'bytes';
    if (!shard.readCalls.tryTake(1, now)) return 'calls';
    return undefined;
  }

  /** Charges the bytes an admitted GetRecords call returned (may leave the shard in debt). */
  chargeRead(shardKey: string, bytes: number, now: number): void {
    this.shard(shardKey, now).readBytes.charge(bytes, now);
  }

  private shard(key: string, now: number): ShardBuckets {
    let shard = this.shards.get(key);
    if (shard === undefined) {
      const l = this.limits;
      shard = {
        writeRecords: new TokenBucket(
          {
            ratePerSecond: l.writeRecordsPerSecond,
            burst: l.writeRecordsPerSecond * l.writeBurstSeconds,
          },
          now,
        ),
        writeBytes: new TokenBucket(
          {
            ratePerSecond: l.writeBytesPerSecond,
            burst: l.writeBytesPerSecond * l.writeBurstSeconds,
          },
          now,
        ),
        readCalls: new TokenBucket(
          { ratePerSecond: l.readCallsPerSecond, burst: l.readCallsBurst },
          now,
        ),
        readBytes: new TokenBucket(
          { ratePerSecond: l.readBytesPerSecond, burst: l.readBytesBurst },
          now,
        ),
      };
      this.shards.set(key, shard);
    }
    return shard;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
