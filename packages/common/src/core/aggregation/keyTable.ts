/**
 * The partition-key table of an aggregate (kpl.md §1.2: each distinct key once, records refer to
 * it by index), kept as its encoded protobuf section plus an open-addressing index over it.
 *
 * Why not a Map and a list of strings: per aggregate of ~350 unique keys, a Map grew its backing
 * table from scratch (V8 allocates a new one on clear), about 80 bytes of garbage per key, and
 * the strings joined at encode another 100; both showed in the producer's scavenges. Here every
 * array is reused from one aggregate to the next, a key's bytes are written once, and the lookup
 * takes a 32-bit hash from the caller (the producer has the key's MD5 already), so a record adds
 * no allocation at all.
 */

const TAG_PARTITION_KEY_TABLE = 0x0a;
const INITIAL_SLOTS = 1024;
const INITIAL_KEYS = 256;
const INITIAL_BYTES = 16 * 1024;

/** @internal */
export class KeyTable {
  /** Keys in the table. */
  count = 0;
  /** Length of the encoded section: tag, varint length and UTF-8 bytes of every key. */
  byteLength = 0;

  /** Open addressing, linear probing: key index + 1, or 0 for an empty slot. */
  private slots = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  /** Per key index: the key, its hash (to grow the slots) and its slot (to clear it). */
  private keys: (string | undefined)[] = new Array<string | undefined>(INITIAL_KEYS).fill(
    undefined,
  );
  private hashes = new Int32Array(INITIAL_KEYS);
  private slotOf = new Int32Array(INITIAL_KEYS);
  private bytes: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  /** Where the last `indexOf` that missed would put its key. */
  private freeSlot = 0;

  /**
   * The index of `key` in the table, or -1. `hash` is any 32-bit function of the key alone, the
   * same for every call until `reset`. After a miss, `push` of the same key adds it.
   */
  indexOf(key: string, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0) {
        this.freeSlot = slot;
        return -1;
      }
      if (this.keys[entry - 1] === key) return entry - 1;
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Adds `key`, which the last `indexOf` (with nothing added since) did not find, with its UTF-8
   * length `utf8Bytes`; returns its index.
   */
  push(key: string, hash: number, utf8Bytes: number): number {
    const index = this.count;
    if (index === this.hashes.length) this.growKeys();
    let slot = this.freeSlot;
    // Keep at most half the slots full so that probes stay short.
    if ((index + 1) * 2 > this.slots.length) {
      this.growSlots();
      slot = hash & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    }
    this.slots[slot] = index + 1;
    this.keys[index] = key;
    this.hashes[index] = hash;
    this.slotOf[index] = slot;
    this.count = index + 1;
    this.write(key, utf8Bytes);
    return index;
  }

  /** Copies the encoded section to `out` at `offset`; returns its length. */
  copyTo(out: Uint8Array, offset: number): number {
    out.set(this.bytes.subarray(0, this.byteLength), offset);
    return this.byteLength;
  }

  /** Empties the table, keeping its arrays for the next aggregate. */
  reset(): void {
    const slots = this.slots;
    for (let i = 0; i < this.count; i++) {
      slots[this.slotOf[i]!] = 0;
      // Do not keep the caller's strings alive until they are overwritten.
      this.keys[i] = undefined;
    }
    this.count = 0;
    this.byteLength = 0;
  }

  /** Appends the key's table entry: tag, varint length, UTF-8 bytes. */
  private write(key: string, utf8Bytes: number): void {
    let o = this.byteLength;
    if (o + utf8Bytes + 6 > this.bytes.length) {
      const next = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, o + utf8Bytes + 6));
      this.bytes.copy(next, 0, 0, o);
      this.bytes = next;
    }
    const out = this.bytes;
    out[o++] = TAG_PARTITION_KEY_TABLE;
    let v = utf8Bytes;
    while (v >= 0x80) {
      out[o++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[o++] = v;
    const n = key.length;
    if (utf8Bytes === n) {
      // ASCII (as many bytes as UTF-16 units): a loop beats a native call for short keys.
      for (let i = 0; i < n; i++) out[o + i] = key.charCodeAt(i);
      o += n;
    } else {
      o += out.write(key, o, 'utf8');
    }
    this.byteLength = o;
  }

  private growKeys(): void {
    const size = this.hashes.length * 2;
    const hashes = new Int32Array(size);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const slotOf = new Int32Array(size);
    slotOf.set(this.slotOf);
    this.slotOf = slotOf;
    for (let i = this.keys.length; i < size; i++) this.keys.push(undefined);
  }

  private growSlots(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < this.count; i++) {
      let slot = this.hashes[i]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = i + 1;
      this.slotOf[i] = slot;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * A 32-bit string hash (FNV-1a over UTF-16 units) for keys added without one: the aggregator's
 * public `add`, where no MD5 of the key is at hand.
 * @internal
 */
export function keyStringHash(key: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h;
}
