/**
 * "Is this shard closed?" for fan-out shard end, answered from one cached ListShards per stream
 * shared by every shard worker, so probing costs one call per `maxAgeMs` however many shards ask
 * (the KCL caches its shard list for 30 s too). A shard is closed when it has an
 * `EndingSequenceNumber`, when it is no longer listed (trimmed after closing) or when the stream
 * itself is gone (`shard-not-found` from ListShards): in every case no new record can arrive.
 */
import { AbortError } from '@kinesis-kit/common';
import type { Clock } from '@kinesis-kit/common';
import type { ShardDescription } from '../ports.js';
import { isRetrievalError } from '../retrievalPorts.js';

/** @internal */
export interface ShardClosedProbe {
  /**
   * True when the shard can receive no more records. `listedAfter` (monotonic ms): a shard missing
   * from a list fetched before then is looked up again (it may be a child created since).
   */
  isClosed(shardId: string, listedAfter: number, signal: AbortSignal): Promise<boolean>;
}

/** @internal */
export interface CachedShardClosedProbeOptions {
  /** ListShards (every page); errors classified, so a deleted stream is `shard-not-found`. */
  readonly listShards: (signal: AbortSignal) => Promise<readonly ShardDescription[]>;
  readonly clock: Clock;
  /** How long one answer serves every caller. @defaultValue 2000 */
  readonly maxAgeMs?: number;
}

interface Listing {
  readonly at: number;
  readonly shards: ReadonlyMap<string, ShardDescription> | 'stream-gone';
}

/** @internal */
export class CachedShardClosedProbe implements ShardClosedProbe {
  private listing: Listing | undefined;
  private inFlight: Promise<Listing> | undefined;

  constructor(private readonly o: CachedShardClosedProbeOptions) {}

  async isClosed(shardId: string, listedAfter: number, signal: AbortSignal): Promise<boolean> {
    let listing = await this.current(signal);
    if (
      listing.shards !== 'stream-gone' &&
      !listing.shards.has(shardId) &&
      listing.at < listedAfter
    ) {
      listing = await this.refresh(signal);
    }
    if (listing.shards === 'stream-gone') return true;
    const shard = listing.shards.get(shardId);
    return shard === undefined || shard.SequenceNumberRange.EndingSequenceNumber !== undefined;
  }

  private current(signal: AbortSignal): Promise<Listing> {
    const maxAge = this.o.maxAgeMs ?? 2000;
    const listing = this.listing;
    if (listing !== undefined && this.o.clock.monotonic() - listing.at < maxAge) {
      return Promise.resolve(listing);
    }
    return this.refresh(signal);
  }

  /** One ListShards for all concurrent callers; a caller's abort does not cancel the others'. */
  private refresh(signal: AbortSignal): Promise<Listing> {
    this.inFlight ??= this.list().finally(() => (this.inFlight = undefined));
    return raceAbort(this.inFlight, signal);
  }

  private async list(): Promise<Listing> {
    const at = this.o.clock.monotonic();
    let shards: Listing['shards'];
    try {
      const list = await this.o.listShards(new AbortController().signal);
      shards = new Map(list.map((s) => [s.ShardId, s]));
    } catch (error) {
      if (!isRetrievalError(error, 'shard-not-found')) throw error;
      shards = 'stream-gone';
    }
    this.listing = { at, shards };
    return this.listing;
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
