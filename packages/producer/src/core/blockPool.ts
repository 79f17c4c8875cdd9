/**
 * Reusable byte blocks for finished aggregates, given back explicitly when the producer is done
 * with a Kinesis record (acknowledged, failed, expired, or unpacked to be routed again).
 *
 * Why: an aggregate waits in the buffer for seconds when the stream is the bottleneck (32 MiB of
 * buffer drains at 1 MiB/s per shard), so its ArrayBuffer outlives two scavenges, moves to the old
 * generation with its wrapper, and is freed only by the next full GC. V8 starts one when external
 * memory has grown by about 64 MiB, so that much dead aggregate memory was part of every peak in
 * the memory benchmark (3.8 MiB/s of aggregates at 4 shards). Blocks from here are allocated once
 * and reused, so the aggregates' memory stays what is buffered plus a bounded idle reserve.
 *
 * Blocks come in size classes about 19% apart (2^(1/4)), topped by `maxBlockBytes` exactly (the
 * aggregate limit: under load aggregates are full, and fit their class to the byte). Each block
 * is an ArrayBuffer of its own, so a block held for long (a record retried until its TTL) holds
 * nothing else. Sizes outside the classes get a plain allocation, which `release` ignores.
 *
 * The caller must release a block only when nothing can read it any more: for the bytes of a
 * PutRecords entry, after the request settled (the SDK reads them when it writes the body).
 */

/** @internal */
export interface BlockPoolOptions {
  /** The largest block (the aggregate limit). Larger requests get a plain allocation. */
  readonly maxBlockBytes: number;
  /** Below this, a plain allocation (Node's shared 8 KiB slab serves under 4 KiB). @defaultValue 4096 */
  readonly minBlockBytes?: number;
  /** Free blocks kept for reuse, in bytes; a block released beyond it is left to the GC. */
  readonly maxIdleBytes: number;
}

/** Ratio between neighbouring size classes. */
const CLASS_STEP = 2 ** 0.25;

/** @internal */
export class BlockPool {
  /** Block sizes, ascending; the last is maxBlockBytes. */
  private readonly classes: number[] = [];
  private readonly free: ArrayBuffer[][] = [];
  /**
   * The views handed out and not released, by identity: a stale view of a block that was
   * released and handed out again is not a key to its new use.
   */
  private readonly inUse = new Set<Uint8Array>();
  private idle = 0;
  private used = 0;
  private readonly minBlockBytes: number;
  private readonly maxIdleBytes: number;

  constructor(options: BlockPoolOptions) {
    this.minBlockBytes = options.minBlockBytes ?? 4096;
    this.maxIdleBytes = options.maxIdleBytes;
    const sizes: number[] = [];
    for (let s = options.maxBlockBytes; s >= this.minBlockBytes; s = Math.floor(s / CLASS_STEP)) {
      // Multiples of 64 bytes, so neighbouring classes never collapse into one.
      sizes.push(sizes.length === 0 ? s : Math.ceil(s / 64) * 64);
    }
    this.classes = sizes.reverse();
    for (let i = 0; i < this.classes.length; i++) this.free.push([]);
  }

  /** Bytes of the blocks handed out and not yet released (block sizes, not requested sizes). */
  get inUseBytes(): number {
    return this.used;
  }

  /** Bytes of the free blocks kept for reuse. */
  get idleBytes(): number {
    return this.idle;
  }

  /** A Buffer of exactly `size` bytes, contents undefined: from a free block when one fits. */
  acquire(size: number): Buffer {
    const c = this.classOf(size);
    if (c < 0) return Buffer.allocUnsafe(size);
    const blockBytes = this.classes[c]!;
    let block = this.free[c]!.pop();
    if (block === undefined) block = new ArrayBuffer(blockBytes);
    else this.idle -= blockBytes;
    const bytes = Buffer.from(block, 0, size);
    this.inUse.add(bytes);
    this.used += blockBytes;
    return bytes;
  }

  /** True when `bytes` is a Buffer `acquire` returned that was not released since. */
  owns(bytes: Uint8Array): boolean {
    return this.inUse.has(bytes);
  }

  /**
   * Gives back the block of `bytes`, a Buffer `acquire` returned: it may be handed out again at
   * once, so nothing may read `bytes` afterwards. Returns false, changing nothing, for anything
   * else, a buffer released already included (one block must never be twice in a free list).
   */
  release(bytes: Uint8Array): boolean {
    if (!this.inUse.delete(bytes)) return false;
    const block = bytes.buffer as ArrayBuffer;
    const blockBytes = block.byteLength;
    this.used -= blockBytes;
    if (this.idle + blockBytes <= this.maxIdleBytes) {
      this.free[this.classOf(blockBytes)]!.push(block);
      this.idle += blockBytes;
    }
    return true;
  }

  /** Index of the smallest class holding `size` bytes, or -1 outside the classes. */
  private classOf(size: number): number {
    if (size < this.minBlockBytes) return -1;
    const classes = this.classes;
    for (let i = 0; i < classes.length; i++) if (classes[i]! >= size) return i;
    return -1;
  }
}
