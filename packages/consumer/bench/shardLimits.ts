/**
 * The read limits of one real Kinesis shard, for the static endpoint's "real shard" mode
 * (STATIC_SHARD_LIMITS=1). From the Kinesis service limits
 * (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html) and the
 * GetRecords reference (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html):
 * - at most 5 GetRecords calls per second per shard;
 * - at most 2 MiB per second read per shard, where one call may return up to 10 MiB, and "if a
 *   call returns 10 MB, subsequent calls made within the next 5 seconds throw
 *   ProvisionedThroughputExceededException".
 * Both are modelled the simplest way that satisfies both sentences: a call is admitted when fewer
 * than 5 calls were admitted in the last 1 000 ms and the shard's read debt is repaid; the bytes a
 * call returns become debt repaid at 2 MiB/s (so 10 MiB blocks the shard for 5 s, and a reader
 * taking 400 KiB five times a second is never throttled). Throttled calls cost nothing, as far as
 * the documentation says. The 10 MiB / 10 000 record cap per response is the server's own.
 */

/** Read calls admitted per shard per second. */
export const READS_PER_SECOND = 5;
/** Bytes a shard serves per second. */
export const READ_BYTES_PER_SECOND = 2 * 1024 * 1024;
/** Bytes one GetRecords answer may carry. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** One shard's read limits; times are milliseconds on any monotonic clock. */
export class ShardReadLimiter {
  /** Start times of the admitted calls of the last second, oldest first. */
  private readonly recent: number[] = [];
  /** When the bytes already read are paid for. */
  private repaidAt = Number.NEGATIVE_INFINITY;

  /** True when a call at `now` is served; false means ProvisionedThroughputExceededException. */
  admit(now: number): boolean {
    while (this.recent.length > 0 && this.recent[0]! <= now - 1000) this.recent.shift();
    if (this.recent.length >= READS_PER_SECOND || now < this.repaidAt) return false;
    this.recent.push(now);
    return true;
  }

  /** Books the bytes an admitted call at `now` returned. */
  charge(now: number, bytes: number): void {
    this.repaidAt = Math.max(this.repaidAt, now) + (bytes * 1000) / READ_BYTES_PER_SECOND;
  }
}

/** The JSON body Kinesis answers a throttled GetRecords with (HTTP 400). */
export function throttledBody(shardId: string, streamName: string): string {
  return JSON.stringify({
    __type: 'ProvisionedThroughputExceededException',
    message: `Rate exceeded for shard ${shardId} in stream ${streamName} under account 000000000000.`,
  });
}
