/**
 * The partition-key table of an aggregate (kpl.md §1.2: each distinct key once, records refer to
 * it by index), kept as its encoded protobuf section plus an index over it.
 *
 * Two indexes, one per aggregate, chosen by its first key:
 * - by hash: the producer has every key's MD5 already (routing), so `addValidated` passes its
 *   low word and the table probes reused typed arrays (open addressing). A Map here grew its
 *   backing table from scratch per aggregate (V8 allocates a new one on clear), about 80 bytes
 *   of garbage per key, which showed in the producer's scavenges.
 * - by name, a Map, for the public `add`: without a hash at hand, V8's own string hash (cached
 *   in the string) is cheaper than any hash of the key computed in JS (an FNV-1a loop made
 *   common's encode benchmark about a fifth slower).
 * A key looked up by name in a table indexed by hash is hashed with MD5, as the producer does,
 * so that equal keys always meet; a hash given to a table indexed by name is ignored.
 *
 * The key bytes are kept as strings of one char per byte (a shared tag-and-length prefix, then
 * the key), joined and written with one native latin1 write at encode. A native write per key
 * measured slower still (about 0.1 µs per key here), and a JS loop of charCodeAt slower again;
 * the parts array is reused, not emptied, so it does not grow again for every aggregate.
 */
import { partitionKeyHashWords } from '../md5Words.js';

const TAG_PARTITION_KEY_TABLE = 0x0a;
const INITIAL_SLOTS = 1024;
const INITIAL_KEYS = 256;
const NONE = 0;
const BY_HASH = 1;
const BY_NAME = 2;

/** Scratch output of partitionKeyHashWords, for a name lookup in a table indexed by hash. */
const scratchWords = new Uint32Array(4);

/** @internal */
export class KeyTable {
  /** Keys in the table. */
  count = 0;
  /** Length of the encoded section: tag, varint length and UTF-8 bytes of every key. */
  byteLength = 0;

  /** NONE until the first key, then BY_HASH or BY_NAME until reset. */
  private mode = NONE;
  private byName = new Map<string, number>();
  /** How the last `indexOf` looked (the mode `push` commits), and with which hash. */
  private lookedUp = NONE;
  private lastHash = 0;
  /** Open addressing, linear probing: key index + 1, or 0 for an empty slot. */
  private slots = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  /** Per key index: the key, its hash (to grow the slots) and its slot (to clear it). */
  private keys: (string | undefined)[] = new Array<string | undefined>(INITIAL_KEYS).fill(
    undefined,
  );
  private hashes = new Int32Array(INITIAL_KEYS);
  private slotOf = new Int32Array(INITIAL_KEYS);
  /** The encoded section as latin1 strings, `partCount` of them (later slots are stale). */
  private readonly parts: string[] = [];
  private partCount = 0;
  /** Where the last `indexOf` that missed would put its key. */
  private freeSlot = 0;

  /**
   * The index of `key` in the table, or -1. `hash` is the low word of the key's MD5 (`words[3]`
   * as partitionKeyHashWords writes it), or undefined to look the key up by name. After a miss,
   * `push` of the same key adds it.
   */
  indexOf(key: string, hash: number | undefined): number {
    const mode = this.mode;
    if (mode === BY_NAME || (mode === NONE && hash === undefined)) {
      this.lookedUp = BY_NAME;
      return this.byName.get(key) ?? -1;
    }
    let h = hash;
    if (h === undefined) {
      partitionKeyHashWords(key, scratchWords);
      h = scratchWords[3]!;
    }
    this.lookedUp = BY_HASH;
    this.lastHash = h | 0;
    return this.probe(key, h | 0);
  }

  private probe(key: string, hash: number): number {
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
  push(key: string, utf8Bytes: number): number {
    const index = this.count;
    this.mode = this.lookedUp;
    if (this.mode === BY_NAME) {
      this.byName.set(key, index);
      this.count = index + 1;
      this.write(key, utf8Bytes);
      return index;
    }
    const hash = this.lastHash;
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

  /** Writes the encoded section to `out` at `offset`; returns its length. */
  copyTo(out: Buffer, offset: number): number {
    const parts = this.parts;
    // Shortening keeps the array's capacity unless it drops below half of it.
    if (parts.length !== this.partCount) parts.length = this.partCount;
    return out.write(parts.join(''), offset, 'latin1');
  }

  /** Empties the table, keeping its arrays for the next aggregate. */
  reset(): void {
    if (this.mode === BY_HASH) {
      const slots = this.slots;
      for (let i = 0; i < this.count; i++) {
        slots[this.slotOf[i]!] = 0;
        // Do not keep the caller's strings alive until they are overwritten.
        this.keys[i] = undefined;
      }
    } else if (this.mode === BY_NAME) {
      this.byName = new Map();
    }
    this.mode = NONE;
    this.count = 0;
    this.byteLength = 0;
    this.partCount = 0;
  }

  /** Appends the key's table entry: tag, varint length, UTF-8 bytes (as latin1 chars). */
  private write(key: string, utf8Bytes: number): void {
    const parts = this.parts;
    let n = this.partCount;
    parts[n++] = utf8Bytes < 0x80 ? SHORT_KEY_PREFIXES[utf8Bytes]! : longKeyPrefix(utf8Bytes);
    parts[n++] = utf8Bytes === key.length ? key : Buffer.from(key, 'utf8').toString('latin1');
    this.partCount = n;
    this.byteLength += 1 + varintSize(utf8Bytes) + utf8Bytes;
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

const TAG_CHAR = String.fromCharCode(TAG_PARTITION_KEY_TABLE);
/** Tag and one-byte length of a key-table entry, for keys under 128 bytes: no string per key. */
const SHORT_KEY_PREFIXES: readonly string[] = Array.from(
  { length: 0x80 },
  (_, len) => TAG_CHAR + String.fromCharCode(len),
);

/** Tag and varint length, as latin1 chars, of a key of 128 bytes or more. */
function longKeyPrefix(length: number): string {
  let chars = TAG_CHAR;
  let v = length;
  while (v >= 0x80) {
    chars += String.fromCharCode((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  return chars + String.fromCharCode(v);
}

/** Bytes of the varint of a key length (at most 768, so at most 2). */
function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : 3;
}
