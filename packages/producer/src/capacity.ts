/**
 * The buffer bound: records and bytes accepted but not yet settled. put() takes room before its
 * record is accepted and gives it back when the record settles; when there is no room it waits in
 * FIFO order (or is refused, by option). This is what keeps memory bounded however fast the caller
 * produces, the KPL's most reported problem (kpl.md §9 #1, #6).
 */
import { AbortError } from '@kinesis-kit/common';

/**
 * What one buffered user record costs besides its data and partition key: its record object,
 * its promise and settle functions, its share of the aggregator's tables. Measured on Node 20
 * with bench/recordOverhead.ts (20 000 records held unsent, heap compared after a forced GC):
 * 670 B through put() with the caller's key and promise chain, 245 B through producerWritable,
 * which makes no promise per record. Charged to `maxBufferedBytes` so that the bound holds for
 * small records too: 32 MiB of 100-byte records (8-byte keys) is 47 000 records, not 310 000.
 * The data is counted at its size: sealed aggregates sit in blocks of at most 19% more (full
 * ones, the common case under load, exactly), plus up to maxBufferedBytes / 4 of freed blocks
 * kept for reuse (core/blockPool.ts; 1.2 MiB at most in the memory benchmark).
 * @internal
 */
export const RECORD_OVERHEAD_BYTES = 600;

interface Waiter {
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly cleanup: () => void;
}

/** @internal */
export class Capacity {
  records = 0;
  bytes = 0;
  private readonly waiters: Waiter[] = [];
  private head = 0;

  constructor(
    private readonly maxRecords: number,
    private readonly maxBytes: number,
  ) {}

  /** True when a record of `bytes` may be taken now without overtaking a waiter. */
  hasRoomNow(bytes: number): boolean {
    return this.head === this.waiters.length && this.fits(bytes);
  }

  get waiting(): number {
    return this.waiters.length - this.head;
  }

  take(bytes: number): void {
    this.records += 1;
    this.bytes += bytes;
  }

  /** Resolves once `bytes` are taken for the caller. */
  wait(bytes: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortError('put() aborted while waiting for buffer room'));
        return;
      }
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter, this.head);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new AbortError('put() aborted while waiting for buffer room'));
      };
      const waiter: Waiter = {
        bytes,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives back the room of `records` settled records and wakes waiters that now fit. */
  release(bytes: number, records = 1): void {
    this.records -= records;
    this.bytes -= bytes;
    while (this.head < this.waiters.length) {
      const next = this.waiters[this.head]!;
      if (!this.fits(next.bytes)) break;
      this.head += 1;
      this.take(next.bytes);
      next.cleanup();
      next.resolve();
    }
    if (this.head > 256 && this.head * 2 > this.waiters.length) {
      this.waiters.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Rejects every waiter (close). */
  rejectWaiters(error: unknown): void {
    const waiting = this.waiters.splice(this.head);
    this.waiters.length = 0;
    this.head = 0;
    for (const w of waiting) {
      w.cleanup();
      w.reject(error);
    }
  }

  private fits(bytes: number): boolean {
    // An empty buffer takes any one record, so a record larger than the bound is not stuck.
    if (this.records === 0) return true;
    return this.records + 1 <= this.maxRecords && this.bytes + bytes <= this.maxBytes;
  }
}
